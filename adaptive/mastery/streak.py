"""N-in-a-row mastery: a skill is mastered after ``n`` correct answers in a row.

This is the ASSISTments skill-builder rule (3 in a row; Khan Academy once used
5). ``p_mastery`` is ``min(streak, n) / n``, so it reaches 1.0 exactly when the
rule fires and a policy threshold in (1 - 1/n, 1] means the same rule. Once
mastered, the estimate stays mastered until an error resets the streak.

``p_correct`` is only a ranking heuristic, (min(streak, n) + 1) / (n + 2): the
rule has no probabilistic model of answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_N = 3


@dataclass(frozen=True)
class StreakModel:
    """N-in-a-row rule behind the ``MasteryModel`` interface."""

    n: int = DEFAULT_N
    name: str = "streak"

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError("n must be >= 1")

    def initial(self, skill_id: str) -> dict[str, Any]:
        return {"streak": 0, "n": 0}

    def update(self, skill_id: str, estimate: dict[str, Any], correct: bool) -> dict[str, Any]:
        streak = estimate["streak"] + 1 if correct else 0
        return {**estimate, "streak": streak, "n": estimate.get("n", 0) + 1}

    def after_lesson(self, skill_id: str, estimate: dict[str, Any]) -> dict[str, Any]:
        return dict(estimate)

    def p_mastery(self, estimate: dict[str, Any]) -> float:
        streak: int = estimate["streak"]
        return min(streak, self.n) / self.n

    def p_correct(self, skill_id: str, estimate: dict[str, Any]) -> float:
        streak: int = estimate["streak"]
        return (min(streak, self.n) + 1) / (self.n + 2)

    def mastered(self, estimate: dict[str, Any]) -> bool:
        """Whether the last ``n`` answers were all correct."""
        streak: int = estimate["streak"]
        return streak >= self.n
