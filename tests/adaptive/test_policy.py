"""The baseline policies (linear, streak), the registry and the adaptive policy's helpers."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import ActivitySettings, AskItem, Finish, ItemAnswer, PageSeen, ShowPage, start
from adaptive.engine import next_step as step
from adaptive.modules.format import BKTParams
from adaptive.policy import AdaptivePolicy, LinearPolicy, StreakPolicy, get_policy, register_policy
from adaptive.policy.adaptive import diagnostic_posterior, diagnostic_prior
from adaptive.simulation.synthetic import synthetic_module


def module(skills=2, chain=False):
    return synthetic_module(np.random.default_rng(2), skills=skills, chain=chain)[0]


def drive(mod, settings, answers):
    """answers: a list of booleans consumed by items, in order. Returns the steps."""
    result = start(mod, settings, seed=0)
    steps = [result.step]
    it = iter(answers)
    while not isinstance(result.step, Finish):
        if isinstance(result.step, ShowPage):
            response = PageSeen(result.step.page_id)
        else:
            response = ItemAnswer(result.step.item_id, "a" if next(it) else "b")
        result = step(mod, result.state, response)
        steps.append(result.step)
    return steps, result.state


def test_registry():
    assert isinstance(get_policy("adaptive"), AdaptivePolicy)
    assert isinstance(get_policy("linear"), LinearPolicy)
    assert isinstance(get_policy("fixed"), LinearPolicy)
    assert isinstance(get_policy("streak"), StreakPolicy)
    with pytest.raises(ValueError, match="unknown policy"):
        get_policy("nope")
    register_policy("streak5", lambda: StreakPolicy(n=5))
    assert get_policy("streak5").n == 5


def test_linear_is_lesson_then_five_items_pass_at_four():
    mod = module(skills=2)
    steps, state = drive(
        mod,
        ActivitySettings(policy="linear"),
        [True, True, False, True, True, True, False, True, False, True],
    )
    assert steps[0] == ShowPage("s1-lesson", "s1", "lesson")
    assert [type(s) for s in steps[1:6]] == [AskItem] * 5
    assert all(s.phase == "practice" and s.skill == "s1" for s in steps[1:6])
    assert steps[6] == ShowPage("s2-lesson", "s2", "lesson")
    assert steps[-1] == Finish(("s1",), ("s2",))  # 4/5 passes, 3/5 does not
    assert state["skills"]["s2"]["flag_reason"] == "failed quiz"
    assert len(steps) == 13


def test_linear_does_not_skip_for_an_expert():
    mod = module(skills=3)
    steps, _ = drive(mod, ActivitySettings(policy="linear"), [True] * 15)
    assert sum(isinstance(s, AskItem) for s in steps) == 15
    assert sum(isinstance(s, ShowPage) for s in steps) == 3


def test_streak_needs_three_in_a_row_after_the_lesson():
    mod = module(skills=1)
    steps, state = drive(
        mod, ActivitySettings(policy="streak"), [True, True, False, True, True, True]
    )
    assert steps[0] == ShowPage("s1-lesson", "s1", "lesson")
    assert sum(isinstance(s, AskItem) for s in steps) == 6
    assert steps[-1] == Finish(("s1",), ())
    assert state["skills"]["s1"]["status"] == "mastered"


def test_streak_cap_flags_and_gates_dependents():
    mod = module(skills=2, chain=True)
    steps, state = drive(mod, ActivitySettings(policy="streak", practice_cap=4), [False] * 4)
    assert sum(isinstance(s, AskItem) for s in steps) == 4
    assert steps[-1] == Finish((), ("s1",), ("s2",))
    assert state["skills"]["s2"]["status"] == "blocked"  # not reached, not stuck
    assert state["skills"]["s2"]["blocked_by"] == ["s1"]


def test_diagnostic_prior_follows_the_learners_record():
    assert diagnostic_prior({}) == pytest.approx(0.5)
    # capped: a run of passes (some perhaps lucky) never vouches for the next skill beyond 0.75
    assert diagnostic_prior({"diag_passed": 3, "diag_taken": 3}) == pytest.approx(0.75)
    assert diagnostic_prior({"diag_passed": 1, "diag_taken": 2}) == pytest.approx(0.5)
    assert diagnostic_prior({"diag_passed": 0, "diag_taken": 5}) == pytest.approx(0.35)  # clipped
    params = BKTParams(guess=0.2, slip=0.1)
    two_right = diagnostic_posterior(params, 0.5, [True, True])
    assert two_right == pytest.approx(20.25 / 21.25)
    assert diagnostic_posterior(params, 0.5, [True, False]) < 0.5


def test_adaptive_diagnostic_does_not_skip_after_a_wrong_start():
    mod = module(skills=1)
    steps, state = drive(mod, None, [False] + [True] * 30)
    assert steps[1] == ShowPage("s1-lesson", "s1", "lesson")
    assert state["skills"]["s1"]["status"] == "mastered"
    practice = [s for s in steps if isinstance(s, AskItem) and s.phase == "practice"]
    assert len(practice) >= 2  # at least the final streak (MIN_PRACTICE_STREAK)


def test_adaptive_teacher_can_turn_the_diagnostic_off():
    mod = module(skills=1)
    steps, _ = drive(mod, ActivitySettings(diagnostic_items=0), [True] * 30)
    assert steps[0] == ShowPage("s1-lesson", "s1", "lesson")
