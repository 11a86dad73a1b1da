"""Issue 12.2: the teacher gets one alarm per skill a learner is actually stuck on, none for
skills the learner never saw or did not reach because a prerequisite is flagged."""

from __future__ import annotations

import numpy as np

from adaptive.analytics import (
    SkillInfo,
    SkillState,
    learner_summaries,
    skill_summaries,
    suggest,
)
from adaptive.engine import (
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    item_for_step,
    next_step,
    skill_progress,
    start,
)
from adaptive.samples import load_sample
from adaptive.simulation.runner import wrong_answer


def all_wrong(module, rng):
    """The final state of a learner who answers every item wrong."""
    result = start(module)
    while not isinstance(result.step, Finish):
        step = result.step
        response = (PageSeen(step.page_id) if isinstance(step, ShowPage)
                    else ItemAnswer(step.item_id,
                                 wrong_answer(item_for_step(module, result.state, step), rng)))
        result = next_step(module, result.state, response)
    return result.state


def states_of(module, learner: str, state) -> list[SkillState]:
    return [SkillState(learner, p.skill_id, p.status, p.p_mastery, p.attempts, p.correct)
            for p in skill_progress(module, state)]


def test_all_wrong_learners_raise_one_alarm_for_the_skill_they_are_stuck_on():
    module = load_sample("fractions")
    rng = np.random.default_rng(0)
    states = []
    for learner in ("ana", "ben"):
        states += states_of(module, learner, all_wrong(module, rng))
    statuses = {s.skill_id: s.status for s in states if s.learner == "ana"}
    assert statuses["equivalent"] == "flagged"
    assert set(statuses.values()) == {"flagged", "blocked"}  # four skills never practised
    skills = [SkillInfo(s.id, s.title) for s in module.skills]
    summaries = skill_summaries(skills, ["ana", "ben", "cy"], states, [])
    by_id = {s.skill_id: s for s in summaries}
    assert by_id["equivalent"].flagged == 2 and by_id["equivalent"].blocked == 0
    assert by_id["simplifying"].flagged == 0 and by_id["simplifying"].blocked == 2
    assert by_id["simplifying"].started == 0  # blocked learners did not begin it
    learners = learner_summaries(["ana", "ben", "cy"], states, [])
    out = suggest(summaries, learners=learners)
    stuck = [s for s in out if s.kind == "stuck"]
    assert len(stuck) == 1
    assert "Equivalent fractions" in stuck[0].text and "2 learners" in stuck[0].text
    assert not [s for s in out if s.kind == "learner"]  # no "needs help on 5 skills"
    assert all("stuck" not in s.text or s.kind == "stuck" for s in out)
