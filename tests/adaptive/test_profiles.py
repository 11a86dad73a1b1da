"""Learner profiles on simulated classes whose truth is known."""

from __future__ import annotations

import numpy as np

from adaptive.analytics.events import AnswerRecord, SkillState
from adaptive.analytics.profiles import group, profiles
from adaptive.simulation.classroom import planted_flaw_module, simulate_class


def test_the_class_with_a_missing_prerequisite_has_a_non_converging_profile():
    module, truth = planted_flaw_module(1)
    log = simulate_class(module, truth, 300, np.random.default_rng(1001))
    skills = [(s.id, s.title) for s in module.skills]
    found = profiles(log.learners, skills, log.states, log.answers)
    assert 2 <= len(found) <= 4
    assert sum(p.size for p in found) == 300
    assert len({lr for p in found for lr in p.learners}) == 300
    stuck = [p for p in found if not p.converges]
    assert stuck and stuck[0].stuck_on[0][0] == "s2"  # the skill missing its prerequisite
    assert "get stuck: on “Skill 2”" in stuck[0].description
    assert stuck[0].in_common and "up front" in stuck[0].in_common[0]
    assert any(p.converges and p.name == "Skip ahead" for p in found)
    for p in found:
        assert p.description.startswith(f"{p.size} learners:")


def test_one_learner_and_wording():
    states = [SkillState("a", "s1", "flagged", 0.2, 12), SkillState("a", "s2", "flagged", 0.3, 0)]
    answers = [AnswerRecord("a", "q", ("s1",), False, seq=k) for k in range(12)]
    (only,) = profiles(["a", "b"], [("s1", "One"), ("s2", "Two")], states, answers)
    assert only.size == 1 and only.description.startswith("1 learner:")
    assert only.stuck_on == (("s1", 1),)  # s2 was never reached, not stuck
    assert profiles(["b"], [("s1", "One")], [], []) == []


def test_groups_need_real_differences():
    same = np.zeros((20, 3))
    assert set(group(same).tolist()) == {0}
    two = np.vstack([np.zeros((10, 3)), np.ones((10, 3))])
    labels = group(two)
    assert len(set(labels[:10].tolist())) == 1 and labels[0] != labels[-1]
