"""Two diagnostic options of the thirteenth session (issue 12, item 4; docs/benchmarks.md,
"Thirteenth session"): a learner-level prior for a learner whose earlier diagnostics disagree
(``mixed_prior``), and a diagnostic that goes on with middle-difficulty items after a wrong
answer (``retest_difficulty``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from adaptive.engine import ActivitySettings, AskItem, Finish, ItemAnswer, PageSeen, start
from adaptive.engine import next_step as step
from adaptive.policy import AdaptivePolicy, register_policy
from adaptive.policy.adaptive import diagnostic_prior
from adaptive.simulation.synthetic import synthetic_module


def test_a_mixed_record_raises_the_prior_to_the_floor_given() -> None:
    one_of_three = {"diag_passed": 1, "diag_taken": 3}
    assert diagnostic_prior(one_of_three) == pytest.approx(1.5 / 4)  # Laplace alone
    assert diagnostic_prior(one_of_three, mixed=0.55) == pytest.approx(0.55)
    # Records that all go one way keep the Laplace estimate (and its clip).
    assert diagnostic_prior({"diag_passed": 3, "diag_taken": 3}, mixed=0.55) == 0.75
    assert diagnostic_prior({"diag_passed": 0, "diag_taken": 3}, mixed=0.55) == 0.35
    assert diagnostic_prior({}, mixed=0.55) == pytest.approx(0.5)
    # A mixed record above the floor is not lowered; the cap still holds.
    assert diagnostic_prior({"diag_passed": 3, "diag_taken": 4}, mixed=0.55) == 0.7
    assert diagnostic_prior({"diag_passed": 3, "diag_taken": 4}, mixed=0.9) == 0.75


def _play(policy: str, answer, skills: int = 3):
    """Run a synthetic module; ``answer(step, n_diag_answers_on_skill)`` -> correct?"""
    mod = synthetic_module(np.random.default_rng(2), skills=skills)[0]
    settings = replace(ActivitySettings.from_module(mod), policy=policy)
    result = start(mod, settings, seed=0)
    asked: list[AskItem] = []
    while not isinstance(result.step, Finish):
        s = result.step
        if isinstance(s, AskItem):
            n = sum(a.skill == s.skill and a.phase == "diagnostic" for a in asked)
            asked.append(s)
            response = ItemAnswer(s.item_id, "a" if answer(s, n) else "b")
        else:
            response = PageSeen(s.page_id)
        result = step(mod, result.state, response)
    return mod, asked, result.state


def _s2_fails(s: AskItem, n: int) -> bool:
    """Right everywhere, except the diagnostic of skill 2."""
    return not (s.skill == "s2" and s.phase == "diagnostic")


def test_a_learner_with_a_mixed_record_skips_a_known_skill_after_two_right_answers() -> None:
    register_policy("test-mixed", lambda: AdaptivePolicy(mixed_prior=0.55))
    for policy, expected in (("adaptive", 3), ("test-mixed", 2)):
        _, asked, state = _play(policy, _s2_fails)
        assert state["skills"]["s1"]["status"] == "known"
        assert state["skills"]["s2"]["status"] == "mastered"  # failed its test, practised
        assert state["skills"]["s3"]["status"] == "known"
        diag3 = [a for a in asked if a.skill == "s3" and a.phase == "diagnostic"]
        assert len(diag3) == expected, policy
        assert state["skills"]["s3"]["diag_prior"] == pytest.approx(
            0.5 if policy == "adaptive" else 0.55)


def test_after_a_wrong_answer_the_diagnostic_goes_on_with_a_middle_item() -> None:
    # A low stop point keeps the test going after one wrong answer from the first prior.
    register_policy("test-retest", lambda: AdaptivePolicy(retest_difficulty=0.0,
                                                           diagnostic_low=0.1))
    register_policy("test-no-retest", lambda: AdaptivePolicy(diagnostic_low=0.1))

    def first_wrong(s: AskItem, n: int) -> bool:
        return not (s.phase == "diagnostic" and n == 0)

    for policy in ("test-retest", "test-no-retest"):
        mod, asked, _ = _play(policy, first_wrong, skills=1)
        diag = [mod.item(a.item_id) for a in asked if a.phase == "diagnostic"]
        pool = sorted((i for i in mod.items if i.diagnostic), key=lambda i: -i.difficulty)
        assert diag[0] == pool[0]  # the hardest diagnostic item first, as before
        assert len(diag) >= 2
        if policy == "test-retest":
            middle = min(abs(i.difficulty) for i in mod.items)
            assert all(abs(i.difficulty) < 0.5 for i in diag[1:])
            assert abs(diag[1].difficulty) == pytest.approx(middle)
        else:
            assert diag[1] == pool[1]  # the next-hardest
