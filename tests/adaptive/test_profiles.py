"""Learner profiles on simulated classes whose truth is known."""

from __future__ import annotations

from dataclasses import replace

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


def test_a_class_too_small_to_group_is_the_whole_class():
    """Five learners unlike each other (one knows everything, two are stuck on the first
    skill, two master a skill by practice) are too few for two groups of three. The one
    group is the class: it was named "Stuck on “One”", which labelled the learner who knew
    everything too (the seeded dashboard's screenshot)."""
    states = [SkillState("ace", "s1", "known", 0.97, 2),
              SkillState("ace", "s2", "known", 0.97, 2),
              SkillState("st1", "s1", "flagged", 0.2, 12),
              SkillState("st2", "s1", "flagged", 0.3, 12),
              SkillState("pr1", "s1", "mastered", 0.96, 5),
              SkillState("pr2", "s2", "mastered", 0.96, 6)]
    answers = [AnswerRecord(lr, "q", ("s1",), False, seq=k)
               for lr in ("st1", "st2") for k in range(12)]
    learners = ["ace", "st1", "st2", "pr1", "pr2"]
    (only,) = profiles(learners, [("s1", "One"), ("s2", "Two")], states, answers)
    assert only.name == "The whole class" and only.size == 5
    assert not only.converges and "2 of them get stuck: on “One”" in only.description
    assert "5 started, profiles need at least 6" in only.note
    # With enough learners the class splits into profiles, and none carries the note.
    many = [f"{lr}-{n}" for lr in learners for n in range(4)]
    big_states = [replace(s, learner=f"{s.learner}-{n}") for s in states for n in range(4)]
    big_answers = [replace(a, learner=f"{a.learner}-{n}") for a in answers for n in range(4)]
    found = profiles(many, [("s1", "One"), ("s2", "Two")], big_states, big_answers)
    assert len(found) > 1 and not any(p.note or p.name == "The whole class" for p in found)


def test_one_stuck_learner_is_counted_in_the_singular():
    """The demo's class of two, one stuck on a skill: the dashboard said "1 of them get
    stuck" (seen in the ninth session's walk through the demo as a teacher)."""
    states = [SkillState("stuck", "s1", "flagged", 0.2, 12),
              SkillState("fine", "s1", "known", 0.97, 2)]
    answers = [AnswerRecord("stuck", "q", ("s1",), False, seq=k) for k in range(12)]
    (only,) = profiles(["stuck", "fine"], [("s1", "One")], states, answers)
    assert not only.converges
    assert "1 of them gets stuck: on “One” (1)" in only.description


def test_the_whole_class_is_not_slower_than_itself_and_two_of_two_are_both():
    """The demo walked by two learners who both got stuck: "The whole class: 2 learners:
    take much longer per answer than the class; 2 of them get stuck" (twelfth session)."""
    states = [SkillState(lr, "s1", "flagged", 0.2, 12) for lr in ("a", "b")]
    # skewed answer times: each learner's mean is far above the class's median
    answers = [AnswerRecord(lr, "q", ("s1",), False, seq=k, seconds=60.0 if k == 0 else 1.0)
               for lr in ("a", "b") for k in range(12)]
    (only,) = profiles(["a", "b"], [("s1", "One")], states, answers)
    assert only.name == "The whole class"
    assert "longer per answer" not in only.description
    assert "both get stuck: on “One” (2)" in only.description
