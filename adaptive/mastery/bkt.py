"""Bayesian Knowledge Tracing, numerically careful.

P(known) and P(unknown) are carried separately and renormalised after every
step instead of computing ``1 - p``: with long histories ``p`` rounds to exactly
1.0 and a ``1 - p`` implementation can never leave the known state again (see
shared/guide/adaptive.md §4, "Numerical trap").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adaptive.modules.format import BKTParams

DEFAULT_PARAMS = BKTParams()


def bkt_observe(params: BKTParams, p_known: float, p_unknown: float, correct: bool) -> tuple[float, float]:
    """Posterior (known, unknown) after one answer, *before* the learning transition."""
    if correct:
        k = p_known * (1.0 - params.slip)
        u = p_unknown * params.guess
    else:
        k = p_known * params.slip
        u = p_unknown * (1.0 - params.guess)
    total = k + u
    if total <= 0.0:  # only reachable with degenerate params; keep the prior
        return p_known, p_unknown
    return k / total, u / total


def bkt_transition(params: BKTParams, p_known: float, p_unknown: float) -> tuple[float, float]:
    """Learning (unknown -> known) and forgetting (known -> unknown) after an opportunity."""
    k = p_known * (1.0 - params.forget) + p_unknown * params.learn
    u = p_unknown * (1.0 - params.learn) + p_known * params.forget
    total = k + u
    return k / total, u / total


def bkt_update(params: BKTParams, p_known: float, p_unknown: float, correct: bool) -> tuple[float, float]:
    """Observe one answer, then apply the learning transition."""
    k, u = bkt_observe(params, p_known, p_unknown, correct)
    return bkt_transition(params, k, u)


def bkt_p_correct(params: BKTParams, p_known: float, p_unknown: float) -> float:
    return p_known * (1.0 - params.slip) + p_unknown * params.guess


@dataclass(frozen=True)
class BKTModel:
    """BKT per skill behind the ``MasteryModel`` interface.

    ``lesson_learn`` is the probability that reading a teaching page moves an
    unknown skill to known (a lesson is an opportunity without an observation).
    """

    params: Mapping[str, BKTParams] = field(default_factory=dict)
    default: BKTParams = DEFAULT_PARAMS
    lesson_learn: float = 0.3
    name: str = "bkt"

    def params_for(self, skill_id: str) -> BKTParams:
        return self.params.get(skill_id, self.default)

    def initial(self, skill_id: str) -> dict:
        prior = self.params_for(skill_id).prior
        return {"k": prior, "u": 1.0 - prior, "n": 0}

    def update(self, skill_id: str, estimate: dict, correct: bool) -> dict:
        k, u = bkt_update(self.params_for(skill_id), estimate["k"], estimate["u"], correct)
        return {"k": k, "u": u, "n": estimate.get("n", 0) + 1}

    def after_lesson(self, skill_id: str, estimate: dict) -> dict:
        k, u = estimate["k"], estimate["u"]
        k, u = k + u * self.lesson_learn, u * (1.0 - self.lesson_learn)
        return {**estimate, "k": k, "u": u}

    def p_mastery(self, estimate: dict) -> float:
        return estimate["k"]

    def p_correct(self, skill_id: str, estimate: dict) -> float:
        return bkt_p_correct(self.params_for(skill_id), estimate["k"], estimate["u"])
