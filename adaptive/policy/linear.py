"""A fixed linear course, the LMS-quiz baseline: for each skill its lesson, then 5 items.

No diagnostic, no skipping, no gating: every target skill (and its prerequisites) is taught in
prerequisite order. Mastery is awarded at ``PASS`` of ``ITEMS`` correct (4/5; hints count as
wrong); otherwise the skill is flagged ("failed quiz"). Items are taken in module order, reused
from the start when a skill has fewer than 5.
"""

from __future__ import annotations

from typing import Any

from adaptive.modules.format import Item
from adaptive.policy.base import (
    DONE_STATUSES,
    MASTERED,
    Context,
    LessonFirstPolicy,
    flag,
)

ITEMS = 5
PASS = 4


class LinearPolicy(LessonFirstPolicy):
    """Lesson, then a fixed 5-item quiz per skill; pass at 4/5."""

    name = "linear"

    def __init__(self, items: int = ITEMS, passing: int = PASS) -> None:
        self.items = items
        self.passing = passing
        self.recent_keep = items

    def _length(self, ctx: Context) -> int:
        return min(self.items, ctx.settings.practice_cap)

    def _open_skill(self, ctx: Context, state: dict[str, Any]) -> str | None:
        # No gating: the first relevant skill in prerequisite order that is not done.
        for sid in ctx.index.order:
            if sid in ctx.index.relevant and state["skills"][sid]["status"] not in DONE_STATUSES:
                return sid
        return None

    def _pick(self, ctx: Context, state: dict[str, Any], skill_id: str) -> Item | None:
        # Module order, reused from the start when the pool is shorter than the quiz.
        pool = ctx.index.items_by_skill.get(skill_id, ())
        if not pool:
            return None
        practised: int = state["skills"][skill_id]["practice"]
        return pool[practised % len(pool)]

    def _score(
        self, ctx: Context, state: dict[str, Any], skill_id: str, ss: dict[str, Any], correct: bool
    ) -> None:
        ss.setdefault("quiz_correct", 0)
        ss["quiz_correct"] += int(correct)
        if ss["practice"] >= self._length(ctx):
            if ss["quiz_correct"] >= min(self.passing, self._length(ctx)):
                ss["status"] = MASTERED
            else:
                flag(state, skill_id, "failed quiz")
