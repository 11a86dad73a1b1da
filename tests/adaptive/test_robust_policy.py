"""Issue 12, item 4: the policy's robustness rules — a sequential diagnostic that goes on while
the evidence is undecided, a lesson deferred for a learner who probably slipped, and practice
that does not take a slow learner to have learnt from a few items."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import ActivitySettings, AskItem, ItemAnswer, PageSeen, ShowPage, start
from adaptive.engine import next_step as step
from adaptive.policy import register_policy
from adaptive.policy.adaptive import DIAGNOSTIC_MAX, AdaptivePolicy
from adaptive.simulation.synthetic import synthetic_module


@pytest.fixture(scope="module")
def module():
    # one skill, 20 four-choice items ("a" right, "b" wrong), the 4 hardest flagged diagnostic
    return synthetic_module(np.random.default_rng(0), skills=1)[0]


def _answer(module, result, pattern: str):
    """Answer ``pattern`` (C right, W wrong) in order, reading any page shown in between;
    returns the result and what happened ("P" a page, then the answers)."""
    seen = []
    for ch in pattern:
        while isinstance(result.step, ShowPage):
            seen.append("P")
            result = step(module, result.state, PageSeen(result.step.page_id))
        assert isinstance(result.step, AskItem), seen
        seen.append(result.step.phase[0] + ch)
        result = step(module, result.state, ItemAnswer(result.step.item_id,
                                                       "a" if ch == "C" else "b"))
    return result, seen


def test_the_diagnostic_goes_on_past_its_items_while_undecided(module) -> None:
    flagged = {i.id for i in module.items if i.diagnostic}
    result, seen = _answer(module, start(module, seed=0), "CWCC")
    # four diagnostic answers, one wrong: neither known nor clearly unknown yet
    assert seen == ["dC", "dW", "dC", "dC"]
    assert result.state["skills"]["s1"]["status"] == "diagnostic"
    assert isinstance(result.step, AskItem) and result.step.phase == "diagnostic"
    assert result.step.item_id not in flagged  # a further item of the skill
    result, _ = _answer(module, result, "C")
    assert result.state["skills"]["s1"]["status"] == "known"
    assert len(result.state["skills"]["s1"]["diag"]) == 5 <= DIAGNOSTIC_MAX


def test_a_clearly_wrong_start_ends_the_diagnostic_and_the_lesson_comes_first(module) -> None:
    result, seen = _answer(module, start(module, seed=0), "W")
    assert seen == ["dW"]
    assert result.state["skills"]["s1"]["diag_post"] < 0.3
    assert isinstance(result.step, ShowPage) and result.step.reason == "lesson"


def test_an_undecided_diagnostic_defers_the_lesson_to_the_first_wrong_answer(module) -> None:
    # C C W C W: undecided (posterior 0.45) and one answer left cannot reach the threshold
    result, seen = _answer(module, start(module, seed=0), "CCWCW")
    assert 0.3 <= result.state["skills"]["s1"]["diag_post"] < 0.95
    ss = result.state["skills"]["s1"]
    assert ss["status"] == "practising" and ss["lesson_deferred"] is True
    assert isinstance(result.step, AskItem) and result.step.phase == "practice"
    result, seen = _answer(module, result, "CW")
    assert seen == ["pC", "pW"]
    assert isinstance(result.step, ShowPage) and result.step.reason == "lesson"
    result = step(module, result.state, PageSeen(result.step.page_id))
    assert result.state["skills"]["s1"]["lesson_seen"] is True
    assert isinstance(result.step, AskItem) and result.step.phase == "practice"


def test_practice_does_not_take_a_slow_learner_to_have_learnt(module) -> None:
    """W W C C C: the model (learn 0.2 per item) is past 0.95, but with learning at half that
    rate it is not, so practice goes on; the rule switched off masters the skill."""
    register_policy("adaptive-no-robust-practice", lambda: AdaptivePolicy(practice_robust=False))
    outcomes = {}
    for policy in ("adaptive", "adaptive-no-robust-practice"):
        settings = ActivitySettings(diagnostic_items=0, policy=policy)
        result, seen = _answer(module, start(module, settings, seed=0), "WWCCC")
        assert seen == ["P", "pW", "pW", "pC", "pC", "pC"]
        ss = result.state["skills"]["s1"]
        assert ss["est"]["k"] >= 0.95
        outcomes[policy] = ss["status"]
    assert outcomes == {"adaptive": "practising", "adaptive-no-robust-practice": "mastered"}
