"""A fixed linear course, the LMS-quiz baseline: for each skill its lesson, then 5 items.

No diagnostic, no skipping, no gating: every target skill (and its prerequisites) is taught in
prerequisite order. Mastery is awarded at ``PASS`` of ``ITEMS`` correct (4/5; hints count as
wrong); otherwise the skill is flagged ("failed quiz"). Items are taken in module order, reused
from the start when a skill has fewer than 5.
"""

from __future__ import annotations

from typing import Any

from adaptive.policy.base import (
    DONE_STATUSES,
    LESSON,
    MASTERED,
    NOT_STARTED,
    PRACTISING,
    AskItem,
    Context,
    Response,
    ShowPage,
    Step,
    ask,
    finish,
    flag,
)

ITEMS = 5
PASS = 4


class LinearPolicy:
    """Lesson, then a fixed 5-item quiz per skill; pass at 4/5."""

    name = "linear"

    def __init__(self, items: int = ITEMS, passing: int = PASS) -> None:
        self.items = items
        self.passing = passing

    def _length(self, ctx: Context) -> int:
        return min(self.items, ctx.settings.practice_cap)

    def choose(self, ctx: Context, state: dict) -> Step:
        for sid in ctx.index.order:
            if sid not in ctx.index.relevant:
                continue
            ss = state["skills"][sid]
            if ss["status"] in DONE_STATUSES:
                continue
            if ss["status"] == NOT_STARTED:
                ss["status"] = LESSON
            if ss["status"] == LESSON:
                lesson = ctx.module.skill(sid).lesson
                if lesson and lesson in ctx.index.pages and not ss["lesson_seen"]:
                    return ShowPage(lesson, sid, "lesson")
                ss["status"] = PRACTISING
            pool = ctx.index.items_by_skill.get(sid, ())
            if not pool:
                flag(state, sid, "no items")
                continue
            return ask(ctx, pool[ss["practice"] % len(pool)], sid, "practice")
        return finish(ctx, state)

    def observe(
        self,
        ctx: Context,
        state: dict,
        step: Step,
        response: Response,
        correct: bool | None,
        evaluation: Any = None,
    ) -> None:
        if isinstance(step, ShowPage):
            ss = state["skills"].get(step.skill or "")
            if ss is not None and step.reason == "lesson":
                ss["lesson_seen"] = True
                if ss["status"] == LESSON:
                    ss["status"] = PRACTISING
            return
        if not isinstance(step, AskItem) or correct is None:
            return
        ss = state["skills"].get(step.skill)
        if ss is None or ss["status"] != PRACTISING:
            return
        ss["practice"] += 1
        ss["recent"] = (ss["recent"] + [correct])[-self.items :]
        ss["streak"] = ss["streak"] + 1 if correct else 0
        ss.setdefault("quiz_correct", 0)
        ss["quiz_correct"] += int(correct)
        if ss["practice"] >= self._length(ctx):
            if ss["quiz_correct"] >= min(self.passing, self._length(ctx)):
                ss["status"] = MASTERED
            else:
                flag(state, step.skill, "failed quiz")
