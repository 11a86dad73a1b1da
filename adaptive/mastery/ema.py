"""Exponential moving average of a learner's answers as a mastery model.

score' = alpha * score + (1 - alpha) * correct. Pelánek & Řihák (2017, 2018)
recommend it as a mastery criterion; on the ASSISTments 2009 benchmark alpha =
0.85, seeded with the skill's correct rate, predicts as well as BKT with
forgetting (shared/guide/adaptive.md §4). The score is both ``p_mastery`` and
``p_correct``; a skill counts as mastered when the score reaches ``threshold``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ALPHA = 0.85


@dataclass(frozen=True)
class EMAModel:
    """EMA mastery model behind the ``MasteryModel`` interface.

    ``initial_score`` maps a skill to its starting score (e.g. its correct rate in
    past data); other skills start at ``default_score``. A lesson page does not
    change the score unless ``lesson_boost`` > 0 (the score moves that share of the
    way towards 1).
    """

    alpha: float = DEFAULT_ALPHA
    threshold: float = 0.9
    initial_score: Mapping[str, float] = field(default_factory=dict)
    default_score: float = 0.5
    lesson_boost: float = 0.0
    name: str = "ema"

    def __post_init__(self) -> None:
        if not 0.0 <= self.alpha < 1.0:
            raise ValueError("alpha must be in [0, 1)")
        for label, value in (
            ("threshold", self.threshold),
            ("default_score", self.default_score),
            ("lesson_boost", self.lesson_boost),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{label} must be in [0, 1]")

    def initial(self, skill_id: str) -> dict[str, Any]:
        return {"s": float(self.initial_score.get(skill_id, self.default_score)), "n": 0}

    def update(self, skill_id: str, estimate: dict[str, Any], correct: bool) -> dict[str, Any]:
        score = self.alpha * estimate["s"] + (1.0 - self.alpha) * (1.0 if correct else 0.0)
        return {**estimate, "s": score, "n": estimate.get("n", 0) + 1}

    def after_lesson(self, skill_id: str, estimate: dict[str, Any]) -> dict[str, Any]:
        score = estimate["s"] + self.lesson_boost * (1.0 - estimate["s"])
        return {**estimate, "s": score}

    def p_mastery(self, estimate: dict[str, Any]) -> float:
        score: float = estimate["s"]
        return score

    def p_correct(self, skill_id: str, estimate: dict[str, Any]) -> float:
        score: float = estimate["s"]
        return score

    def mastered(self, estimate: dict[str, Any]) -> bool:
        """Whether the score has reached the model's threshold."""
        score: float = estimate["s"]
        return score >= self.threshold
