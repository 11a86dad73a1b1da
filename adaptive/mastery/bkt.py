"""Bayesian Knowledge Tracing, numerically careful.

P(known) and P(unknown) are carried separately and renormalised after every
step instead of computing ``1 - p``: with long histories ``p`` rounds to exactly
1.0 and a ``1 - p`` implementation can never leave the known state again (see
shared/guide/adaptive.md §4, "Numerical trap").

Carrying ``u`` separately is not enough on its own: after a few hundred correct
answers ``u`` is about 1e-370, which underflows to 0.0 in float64 (and even the
exact value would need ~450 wrong answers to recover with the default
parameters). Every state update therefore keeps both probabilities at or above
``STATE_FLOOR`` (1e-9), i.e. the log-odds of mastery are capped at about ±20.7.
With the default parameters 12 wrong answers after any run of correct answers
bring P(known) below 0.5, and a 0.95 mastery threshold is unaffected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adaptive.mastery.chance import with_guess_floor
from adaptive.modules.format import BKTParams

DEFAULT_PARAMS = BKTParams()

#: Lower bound of P(known) and P(unknown) after every update (see module docstring).
STATE_FLOOR = 1e-9


def _normalise(k: float, u: float, floor: float) -> tuple[float, float]:
    total = k + u
    k, u = k / total, u / total
    if k < floor or u < floor:
        k, u = max(k, floor), max(u, floor)
        total = k + u
        k, u = k / total, u / total
    return k, u


def bkt_observe(
    params: BKTParams, p_known: float, p_unknown: float, correct: bool
) -> tuple[float, float]:
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


def bkt_transition(
    params: BKTParams, p_known: float, p_unknown: float, floor: float = STATE_FLOOR
) -> tuple[float, float]:
    """Learning (unknown -> known) and forgetting (known -> unknown) after an opportunity.

    The result is renormalised and both probabilities are kept at or above ``floor``.
    """
    k = p_known * (1.0 - params.forget) + p_unknown * params.learn
    u = p_unknown * (1.0 - params.learn) + p_known * params.forget
    return _normalise(k, u, floor)


def bkt_update(
    params: BKTParams, p_known: float, p_unknown: float, correct: bool, floor: float = STATE_FLOOR
) -> tuple[float, float]:
    """Observe one answer, then apply the learning transition (with the state floor)."""
    k, u = bkt_observe(params, p_known, p_unknown, correct)
    return bkt_transition(params, k, u, floor)


def bkt_p_correct(params: BKTParams, p_known: float, p_unknown: float) -> float:
    """P(next answer correct) = P(known)(1 - slip) + P(unknown) guess."""
    return p_known * (1.0 - params.slip) + p_unknown * params.guess


@dataclass(frozen=True)
class BKTModel:
    """BKT per skill behind the ``MasteryModel`` interface.

    ``lesson_learn`` is the probability that reading a teaching page moves an
    unknown skill to known (a lesson is an opportunity without an observation).
    ``floor`` bounds P(known) and P(unknown) from below after every update so that
    a learner who starts failing is always noticed (see the module docstring).
    ``item_guess`` maps an item id to the smallest guess used for an answer to it (its
    chance rate, ``adaptive.mastery.chance``): a lucky click on a three-choice item is not
    taken as the evidence a typed answer would be.
    """

    params: Mapping[str, BKTParams] = field(default_factory=dict)
    default: BKTParams = DEFAULT_PARAMS
    lesson_learn: float = 0.3
    name: str = "bkt"
    floor: float = STATE_FLOOR
    item_guess: Mapping[str, float] = field(default_factory=dict)

    def params_for(self, skill_id: str, item_id: str | None = None) -> BKTParams:
        """The fitted parameters of a skill, or the default ones; for an answer to
        ``item_id`` the guess is at least that item's chance rate."""
        params = self.params.get(skill_id, self.default)
        if item_id is not None:
            floor = self.item_guess.get(item_id, 0.0)
            if floor > params.guess:
                return with_guess_floor(params, floor)
        return params

    def initial(self, skill_id: str) -> dict[str, Any]:
        prior = self.params_for(skill_id).prior
        return {"k": prior, "u": 1.0 - prior, "n": 0}

    def update(
        self, skill_id: str, estimate: dict[str, Any], correct: bool, item_id: str | None = None
    ) -> dict[str, Any]:
        k, u = bkt_update(
            self.params_for(skill_id, item_id), estimate["k"], estimate["u"], correct, self.floor
        )
        return {"k": k, "u": u, "n": estimate.get("n", 0) + 1}

    def after_lesson(self, skill_id: str, estimate: dict[str, Any]) -> dict[str, Any]:
        k, u = estimate["k"], estimate["u"]
        k, u = _normalise(k + u * self.lesson_learn, u * (1.0 - self.lesson_learn), self.floor)
        return {**estimate, "k": k, "u": u}

    def p_mastery(self, estimate: dict[str, Any]) -> float:
        known: float = estimate["k"]
        return known

    def p_correct(self, skill_id: str, estimate: dict[str, Any]) -> float:
        return bkt_p_correct(self.params_for(skill_id), estimate["k"], estimate["u"])
