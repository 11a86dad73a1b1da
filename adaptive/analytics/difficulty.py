"""Item difficulty from first-attempt outcomes, on the engine's logit scale.

An item's difficulty is the logit of its smoothed first-attempt *failure* rate:
positive means most learners get it wrong the first time, negative means most
get it right, 0 is a coin toss. Smoothing (a Beta prior centred on 0.5 with
``prior_strength`` pseudo-answers) keeps items seen by two learners from being
"impossible" or "trivial", and pulls estimates with little data towards 0.

>>> round(item_difficulty(10, 8), 3)  # 8 of 10 right first time: easy
-1.099
>>> item_difficulty(0, 0)  # no data: neutral
0.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from adaptive.analytics.events import AnswerRecord, by_learner

#: Pseudo-answers of the Beta(1, 1)-like prior; two is Laplace's rule of succession.
DEFAULT_PRIOR_STRENGTH = 2.0
#: Difficulty is clipped here so one odd item cannot dominate a chart or the policy.
MAX_ABS_DIFFICULTY = 4.0


@dataclass(frozen=True)
class ItemDifficulty:
    """The estimate and the counts behind it."""

    item_id: str
    difficulty: float
    first_attempts: int
    first_correct: int

    @property
    def p_first_correct(self) -> float | None:
        """Raw first-attempt success rate, or None before anyone answered."""
        return self.first_correct / self.first_attempts if self.first_attempts else None


def item_difficulty(first_attempts: int, first_correct: int,
                    prior_strength: float = DEFAULT_PRIOR_STRENGTH) -> float:
    """Logit of the smoothed first-attempt failure rate, clipped to ±MAX_ABS_DIFFICULTY."""
    if first_attempts < 0 or not 0 <= first_correct <= first_attempts:
        raise ValueError("need 0 <= first_correct <= first_attempts")
    if prior_strength <= 0:
        raise ValueError("prior_strength must be positive")
    failures = first_attempts - first_correct
    p_fail = (failures + prior_strength / 2) / (first_attempts + prior_strength)
    value = math.log(p_fail / (1.0 - p_fail))
    return max(-MAX_ABS_DIFFICULTY, min(MAX_ABS_DIFFICULTY, value))


def first_attempts(answers: Iterable[AnswerRecord]) -> dict[str, dict[str, bool]]:
    """item -> learner -> was the learner's first valid answer to it correct?"""
    out: dict[str, dict[str, bool]] = {}
    for learner, rows in by_learner(answers).items():
        for a in rows:
            if not a.valid:
                continue
            out.setdefault(a.item_id, {}).setdefault(learner, a.correct)
    return out


def estimate_difficulties(answers: Iterable[AnswerRecord],
                          prior_strength: float = DEFAULT_PRIOR_STRENGTH
                          ) -> dict[str, ItemDifficulty]:
    """Difficulty of every item answered at least once, keyed by item id."""
    out = {}
    for item_id, firsts in first_attempts(answers).items():
        n = len(firsts)
        k = sum(firsts.values())
        out[item_id] = ItemDifficulty(item_id, item_difficulty(n, k, prior_strength), n, k)
    return out
