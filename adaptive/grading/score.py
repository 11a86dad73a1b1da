"""The LMS grade of one learner's state: mastery-based, per skill.

    credit(skill) = 1                                   if mastered or known (diagnostic)
                  = min(P(mastery), PARTIAL_CAP * threshold)   if practising or flagged
                  = 0                                   if not started
    score = mean of credit over the graded skills       (0 when there are none)
    score_given = score * max_score

Partial credit is the calibrated BKT estimate, capped strictly below the mastery credit so that
only a mastered skill earns a full point: a learner who stopped at P = 0.94 gets 0.855, not 0.94,
for a threshold of 0.95. Skills never reached earn nothing (their prior is not evidence).
Graded skills are ``settings.graded_skills`` or, when None, the skills with ``graded=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adaptive.modules.format import BKTParams, Module
from adaptive.policy.base import (
    FLAGGED,
    NOT_STARTED,
    PASSED_STATUSES,
    ActivitySettings,
    make_model,
    settings_of,
)

__all__ = ["PARTIAL_CAP", "GradeReport", "SkillGrade", "grade"]

PARTIAL_CAP = 0.9


@dataclass(frozen=True)
class SkillGrade:
    skill_id: str
    title: str
    p_mastery: float
    mastered: bool  # mastered by practice or known from the diagnostic
    flagged: bool
    credit: float


@dataclass(frozen=True)
class GradeReport:
    score: float  # in [0, 1]
    score_given: float  # score * max_score
    per_skill: list[SkillGrade]
    comment: str
    completed: bool


def _credit(status: str, p: float, threshold: float) -> float:
    if status in PASSED_STATUSES:
        return 1.0
    if status == NOT_STARTED:
        return 0.0
    return max(0.0, min(p, PARTIAL_CAP * threshold))


def grade(
    module: Module,
    state: Mapping[str, Any],
    settings: ActivitySettings | None = None,
    *,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> GradeReport:
    """Grade a state (finished or not). ``settings`` default to those stored in the state."""
    settings = settings or settings_of(state)
    model = make_model(module, bkt_params)
    threshold = settings.mastery_threshold
    if settings.graded_skills is not None:
        wanted = set(settings.graded_skills)
        graded = [s for s in module.skills if s.id in wanted]
    else:
        graded = [s for s in module.skills if s.graded]
    rows: list[SkillGrade] = []
    for skill in graded:
        ss = state["skills"].get(skill.id)
        if ss is None:
            continue
        status = ss["status"]
        p = float(model.p_mastery(ss["est"]))
        rows.append(
            SkillGrade(
                skill_id=skill.id,
                title=skill.title,
                p_mastery=p,
                mastered=status in PASSED_STATUSES,
                flagged=status == FLAGGED,
                credit=_credit(status, p, threshold),
            )
        )
    score = sum(r.credit for r in rows) / len(rows) if rows else 0.0
    score = min(1.0, max(0.0, score))
    return GradeReport(
        score=score,
        score_given=score * settings.max_score,
        per_skill=rows,
        comment=_comment(rows),
        completed=bool(state.get("finished")),
    )


def _comment(rows: list[SkillGrade]) -> str:
    if not rows:
        return "No graded skills."
    parts = []
    for r in rows:
        if r.mastered:
            parts.append(f"{r.title} ✓")
        elif r.flagged:
            parts.append(f"{r.title} ⚑ needs the teacher")
        else:
            parts.append(f"{r.title} {round(100 * r.p_mastery)} %")
    mastered = sum(r.mastered for r in rows)
    return f"Mastered {mastered}/{len(rows)} skills: " + ", ".join(parts)
