"""grade(): the mastery-based LMS score on hand-made states."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import ActivitySettings, start
from adaptive.grading import grade
from adaptive.grading.score import PARTIAL_CAP
from adaptive.modules.format import Module, Skill
from adaptive.simulation.synthetic import synthetic_module

GOOD = [True, True, True, True, True, True]  # recent answers that are clear evidence


def make(statuses: dict[str, tuple], module: Module | None = None, **settings):
    """A state with, per skill, (status, P(mastery)[, recent practice answers])."""
    module = module or synthetic_module(np.random.default_rng(0), skills=len(statuses))[0]
    state = start(module, ActivitySettings(**settings)).state
    for sid, (status, p, *rest) in statuses.items():
        recent = rest[0] if rest else (GOOD if status != "not_started" else [])
        ss = state["skills"][sid]
        ss["status"] = status
        ss["est"] = {"k": p, "u": 1 - p, "n": len(recent)}
        ss["recent"] = list(recent)
        ss["attempts"] = len(recent)
    return module, state


def test_all_mastered_or_known_is_full_marks():
    module, state = make({"s1": ("mastered", 0.96), "s2": ("known", 0.5)}, max_score=10)
    state["finished"] = True
    report = grade(module, state)
    assert report.score == 1.0 and report.score_given == 10.0 and report.completed
    assert report.comment.startswith("Mastered 2/2 skills")
    assert [g.mastered for g in report.per_skill] == [True, True]


def test_partial_credit_is_capped_and_not_started_earns_nothing():
    module, state = make(
        {
            "s1": ("mastered", 0.97),
            "s2": ("practising", 0.5),
            "s3": ("not_started", 0.3),
            "s4": ("flagged", 0.99),
        }
    )
    report = grade(module, state)
    credits = [g.credit for g in report.per_skill]
    cap = PARTIAL_CAP * 0.95
    assert credits == pytest.approx([1.0, 0.5, 0.0, cap])
    assert report.score == pytest.approx((1.0 + 0.5 + 0.0 + cap) / 4)
    assert report.per_skill[3].flagged and not report.per_skill[3].mastered
    assert "⚑" in report.comment and "✓" in report.comment and "50 %" in report.comment
    assert not report.completed


def test_no_credit_without_evidence():
    """An estimate is not evidence: all-wrong answers, a prior, a lesson, a blocked skill."""
    module, state = make(
        {
            "s1": ("flagged", 0.25, [False] * 6),  # all wrong: BKT's learn rate keeps p > 0
            "s2": ("practising", 0.51, []),  # read the lesson only (p rose, no answer)
            "s3": ("blocked", 0.3, []),
            "s4": ("flagged", 0.3, []),  # a pre-"blocked" state: prerequisite flagged
        }
    )
    state["skills"]["s4"]["flag_reason"] = "prerequisite flagged"
    report = grade(module, state)
    assert [g.credit for g in report.per_skill] == [0.0, 0.0, 0.0, 0.0]
    assert report.score == 0.0
    assert [g.blocked for g in report.per_skill] == [False, False, True, True]
    assert [g.flagged for g in report.per_skill] == [True, False, False, False]
    assert "not reached" in report.comment


def test_partial_credit_needs_answers_beyond_guessing():
    module, _ = make({"s1": ("practising", 0.8)})
    guess_rate = [True, False, False, False, True, False]  # 2 of 6, as a guesser would
    _, guessed = make({"s1": ("practising", 0.8, guess_rate)}, module=module)
    _, learning = make({"s1": ("practising", 0.8, [False, True, True, True, False, True])},
                       module=module)
    low, high = grade(module, guessed).score, grade(module, learning).score
    assert low < 0.02
    assert 0.5 < high <= 0.8


def test_grade_uses_the_estimate_at_the_last_answer():
    """Forgetting lowers the current estimate (for review), not the grade already earned."""
    module, state = make({"s1": ("practising", 0.3)})
    state["skills"]["s1"]["p_answered"] = 0.7
    assert grade(module, state).score == pytest.approx(0.7)


def test_threshold_from_settings_changes_the_cap():
    module, state = make({"s1": ("practising", 0.99)}, mastery_threshold=0.8)
    assert grade(module, state).score == pytest.approx(PARTIAL_CAP * 0.8)
    override = ActivitySettings(mastery_threshold=0.9)
    assert grade(module, state, override).score == pytest.approx(PARTIAL_CAP * 0.9)


def test_graded_skills_subset_and_ungraded_skills():
    module, state = make({"s1": ("mastered", 0.97), "s2": ("flagged", 0.1)}, graded_skills=("s1",))
    assert grade(module, state).score == 1.0
    plain = Module(
        id="u",
        title="U",
        skills=(Skill("a", "A"), Skill("b", "B", graded=False)),
        pages=(),
        items=(),
    )
    _, state = make({"a": ("practising", 0.4), "b": ("mastered", 0.99)}, module=plain)
    report = grade(plain, state)
    assert [g.skill_id for g in report.per_skill] == ["a"]
    assert report.score == pytest.approx(0.4)


def test_no_graded_skills_is_zero():
    module, state = make({"s1": ("mastered", 0.99)}, graded_skills=())
    report = grade(module, state)
    assert report.score == 0.0 and report.comment == "No graded skills."
