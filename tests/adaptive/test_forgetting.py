"""Issue 12.7: mastery decays with real time; a later sitting opens with a review; a sent
grade is not lowered without new evidence; the engine reads no clock."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from adaptive.engine import (
    NEW_SITTING_SECONDS,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    item_for_step,
    next_step,
    resume,
    start,
)
from adaptive.forgetting import decay
from adaptive.grading.score import grade
from adaptive.simulation.runner import correct_answer, wrong_answer
from adaptive.simulation.synthetic import synthetic_module

DAY = 86400.0
T0 = 1_800_000_000.0
RNG = np.random.default_rng(0)


def module():
    return synthetic_module(np.random.default_rng(1), skills=2, chain=True)[0]


def answer(module, result, right: bool):
    step = result.step
    if isinstance(step, ShowPage):
        return PageSeen(step.page_id)
    item = item_for_step(module, result.state, step)
    return ItemAnswer(step.item_id, correct_answer(item) if right else wrong_answer(item, RNG))


def finish_all_right(mod, t0=T0):
    result = start(mod, seed=0, now=t0)
    t = t0
    while not isinstance(result.step, Finish):
        t += 20
        result = next_step(mod, result.state, answer(mod, result, True), now=t)
    return result, t


def test_decay_halves_per_half_life():
    assert decay(30, 30 * DAY) == pytest.approx(0.5)
    assert decay(30, 0) == 1.0 and decay(0, 400 * DAY) == 1.0


def test_within_a_sitting_nothing_changes():
    mod = module()
    done, t = finish_all_right(mod)
    again = resume(mod, done.state, t + NEW_SITTING_SECONDS - 1)
    assert again.state is done.state and again.step == done.step


def test_relaunch_after_days_reviews_decayed_skills_and_keeps_the_grade():
    mod = module()
    done, t = finish_all_right(mod)
    sent = grade(mod, done.state).score
    assert sent == 1.0
    later = resume(mod, done.state, t + 5 * DAY)
    assert isinstance(later.step, AskItem) and later.step.phase == "review"
    assert later.state["seq"] == done.state["seq"] + 1  # old forms are stale now
    assert later.state["finished"] is False and later.state["sitting"] == 1
    skill = later.step.skill
    p_before = done.state["skills"][skill]["est"]["k"]
    p_after = later.state["skills"][skill]["est"]["k"]
    assert p_after == pytest.approx(p_before * decay(mod.settings.half_life_days, 5 * DAY),
                                    rel=1e-6)
    assert p_after < 0.95
    # the clock alone never lowers the grade
    assert grade(mod, later.state).score == sent
    # right answers confirm the skills: they stay mastered and the activity ends again
    result, t2 = later, t + 5 * DAY
    reviewed = []
    while not isinstance(result.step, Finish):
        assert result.step.phase == "review"
        reviewed.append(result.step.skill)
        t2 += 30
        result = next_step(mod, result.state, answer(mod, result, True), now=t2)
    assert set(reviewed) == {"s1", "s2"} and len(reviewed) <= 2 * 2
    assert grade(mod, result.state).score == sent
    assert {ss["status"] for ss in result.state["skills"].values()} <= {"mastered", "known"}


def test_wrong_review_answers_reopen_the_skill():
    """New evidence may lower the grade: a skill failed at review is practised again."""
    mod = module()
    done, t = finish_all_right(mod)
    result = resume(mod, done.state, t + 20 * DAY)
    first = result.step.skill
    for n in range(2):
        assert result.step.phase == "review" and result.step.skill == first
        result = next_step(mod, result.state, answer(mod, result, False), now=t + 20 * DAY + n)
    ss = result.state["skills"][first]
    assert ss["status"] == "practising" and ss["practice"] == 0 and ss["reopened"] == 1
    assert grade(mod, result.state).score < 1.0


def test_a_state_without_a_clock_still_loads_and_starts_one():
    mod = module()
    old = start(mod, seed=0).state  # no ``now``: like a state saved before the clock existed
    for key in ("clock", "sitting", "refresh"):
        old.pop(key)
    result = next_step(mod, old, answer(mod, start(mod, seed=0), True))
    assert "clock" not in result.state or result.state["clock"] is None
    later = resume(mod, old, T0)
    assert later.state["clock"] == T0
    assert later.state["skills"] == old["skills"]  # nothing decayed: the time away is unknown
    assert later.step == start(mod, seed=0).step


def test_the_engine_reads_no_clock():
    root = Path(__file__).resolve().parents[2] / "adaptive"
    clock = re.compile(r"\b(time\.(time|monotonic|perf_counter)|datetime\.(now|utcnow|today)"
                       r"|date\.today)\(")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "simulation" not in p.parts and clock.search(p.read_text())]
    assert offenders == []


def test_remediation_page_at_most_twice_per_skill_per_sitting():
    from adaptive.engine import ActivitySettings
    from adaptive.modules.format import (
        AnswerGroup,
        Choice,
        Destination,
        Item,
        ItemType,
        Match,
        Module,
        Page,
        Skill,
    )

    items = tuple(
        Item(id=f"i{n}", type=ItemType.SINGLE_CHOICE, skills=("k",), prompt=f"Q{n}",
             choices=(Choice("a", "A"), Choice("b", "B")),
             answer_groups=(AnswerGroup(Match(choice="a"), True),
                            AnswerGroup(Match(choice="b"), False,
                                        destination=Destination("page", "fix"))))
        for n in range(8))
    mod = Module(id="m", title="M", skills=(Skill("k", "K"),),
                 pages=(Page("fix", "Fix", "Read me.", skill="k", kind="remediation"),),
                 items=items)
    settings = ActivitySettings(diagnostic_items=0, practice_cap=8)
    result = start(mod, settings, now=T0)
    pages = 0
    t = T0
    for _ in range(6):  # six wrong answers, each asking for the remediation page
        while isinstance(result.step, ShowPage):
            pages += 1
            result = next_step(mod, result.state, PageSeen(result.step.page_id), now=t)
        t += 10
        result = next_step(mod, result.state, ItemAnswer(result.step.item_id, "b"), now=t)
    while isinstance(result.step, ShowPage):
        pages += 1
        result = next_step(mod, result.state, PageSeen(result.step.page_id), now=t)
    assert pages == 2
    assert result.state["skills"]["k"]["remediations"] == 2
    later = resume(mod, result.state, t + 2 * 3600)  # a new sitting: the limit starts again
    assert later.state["skills"]["k"]["remediations"] == 0
    assert later.state["sitting"] == 1
