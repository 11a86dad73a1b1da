"""N-in-a-row mastery (ASSISTments skill builders use N = 3), with the lesson first.

Per skill in prerequisite order (gated like the adaptive policy): the lesson page, then items
(the least recently asked, closest to average difficulty) until ``n`` consecutive correct
answers (hints count as wrong) award mastery. At ``practice_cap`` items the skill is flagged.
"""

from __future__ import annotations

from typing import Any

from adaptive.policy.base import (
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
    next_open_skill,
    pick_item,
)

N_IN_A_ROW = 3


class StreakPolicy:
    """Lesson, then practice until ``n`` correct in a row."""

    name = "streak"

    def __init__(self, n: int = N_IN_A_ROW) -> None:
        self.n = n

    def choose(self, ctx: Context, state: dict) -> Step:
        while True:
            sid = next_open_skill(ctx, state)
            if sid is None:
                return finish(ctx, state)
            ss = state["skills"][sid]
            if ss["status"] == NOT_STARTED:
                ss["status"] = LESSON
            if ss["status"] == LESSON:
                lesson = ctx.module.skill(sid).lesson
                if lesson and lesson in ctx.index.pages and not ss["lesson_seen"]:
                    return ShowPage(lesson, sid, "lesson")
                ss["status"] = PRACTISING
            item = pick_item(ctx, state, sid)
            if item is None:
                flag(state, sid, "no items")
                continue
            return ask(ctx, item, sid, "practice")

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
        ss["recent"] = (ss["recent"] + [correct])[-6:]
        ss["streak"] = ss["streak"] + 1 if correct else 0
        if ss["streak"] >= self.n:
            ss["status"] = MASTERED
        elif ss["practice"] >= ctx.settings.practice_cap:
            flag(state, step.skill, "practice cap")
