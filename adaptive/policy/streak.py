"""N-in-a-row mastery (ASSISTments skill builders use N = 3), with the lesson first.

Per skill in prerequisite order (gated like the adaptive policy): the lesson page, then items
(the least recently asked, closest to average difficulty) until ``n`` consecutive correct
answers (hints count as wrong) award mastery. At ``practice_cap`` items the skill is flagged
(unless every answer so far was right: ``base.cap_reached``).
"""

from __future__ import annotations

from typing import Any

from adaptive.modules.format import Item
from adaptive.policy.base import (
    MASTERED,
    Context,
    LessonFirstPolicy,
    cap_reached,
    flag,
    pick_item,
)

N_IN_A_ROW = 3


class StreakPolicy(LessonFirstPolicy):
    """Lesson, then practice until ``n`` correct in a row."""

    name = "streak"

    def __init__(self, n: int = N_IN_A_ROW) -> None:
        self.n = n

    def _pick(self, ctx: Context, state: dict[str, Any], skill_id: str) -> Item | None:
        return pick_item(ctx, state, skill_id)

    def _score(
        self, ctx: Context, state: dict[str, Any], skill_id: str, ss: dict[str, Any], correct: bool
    ) -> None:
        if ss["streak"] >= self.n:
            ss["status"] = MASTERED
        elif cap_reached(ctx, ss):
            flag(state, skill_id, "practice cap")
