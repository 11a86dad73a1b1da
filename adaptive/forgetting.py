"""Forgetting over real time, and the short review that opens a later sitting.

The engine never reads a clock: callers pass ``now`` (seconds since the epoch, any float
clock will do) to ``start``, ``next_step`` and ``resume``, and the state keeps the last one
seen in ``state["clock"]``. Between two such moments every skill the learner has met loses
P(known) with the module's half-life (``settings.half_life_days``; 0 turns it off):

    P(known) ← P(known) · 2^(−Δt / half-life)      (the rest moves to P(unknown))

Exponential decay is memoryless, so applying it step by step from the last moment seen is
the same as applying it once from each skill's last practice (``ss["practised_at"]``).

Only the *estimate* decays. A skill's status (mastered, known) and the grade do not: the
grade reads the estimate at the learner's last answer (``ss["p_answered"]``), so a grade
already sent is never lowered by the clock alone. What the decay changes is what happens at
the next sitting (a launch at least ``NEW_SITTING_SECONDS`` after the last step): every passed
skill whose estimate fell below the threshold is reviewed first, ``REFRESH_ITEMS`` items each
(at most ``REFRESH_SKILLS`` skills, weakest first). A skill whose estimate is back at the
threshold after a right answer stays passed; one still below it after its review items is
practised again (new evidence: only now may the grade go down).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from adaptive.policy.base import (
    NOT_STARTED,
    PASSED_STATUSES,
    PRACTISING,
    AskItem,
    Context,
    ask,
    pick_item,
)

__all__ = [
    "NEW_SITTING_SECONDS",
    "REFRESH_ITEMS",
    "REFRESH_SKILLS",
    "decay",
    "due_for_review",
    "forget",
    "observe_refresh",
    "refresh_step",
    "start_sitting",
]

#: A launch this long after the last step starts a new sitting (review, per-sitting limits).
NEW_SITTING_SECONDS = 3600.0
REFRESH_ITEMS = 2  # review items per decayed skill at the start of a sitting
REFRESH_SKILLS = 3  # at most this many skills are reviewed at once
_DAY = 86400.0


def decay(half_life_days: float, seconds: float) -> float:
    """The share of P(known) kept after ``seconds`` without practice (1.0: no forgetting)."""
    if half_life_days <= 0 or seconds <= 0:
        return 1.0
    return math.pow(0.5, seconds / (half_life_days * _DAY))


def forget(ctx: Context, state: dict[str, Any], now: float | None) -> None:
    """Decay every met skill's estimate from ``state["clock"]`` to ``now``; set the clock.

    In place (on the engine's copy). A state without a clock (saved before it existed)
    only starts one: how long it slept is unknown, so nothing is decayed.
    """
    if now is None:
        return
    last = state.get("clock")
    state["clock"] = float(now)
    if last is None:
        return
    keep = decay(ctx.module.settings.half_life_days, float(now) - float(last))
    if keep >= 1.0:
        return
    for ss in state["skills"].values():
        if ss["status"] == NOT_STARTED and not ss.get("attempts"):
            continue  # never met: its estimate is the prior, not knowledge to forget
        est = ss["est"]
        k = est["k"] * keep
        ss["est"] = {**est, "k": k, "u": 1.0 - k}


def due_for_review(ctx: Context, state: Mapping[str, Any]) -> list[str]:
    """Passed skills whose estimate fell below the threshold, weakest first."""
    threshold = ctx.settings.mastery_threshold
    due = []
    for n, sid in enumerate(ctx.index.order):
        ss = state["skills"].get(sid)
        if ss is None or ss["status"] not in PASSED_STATUSES:
            continue
        p = ctx.model.p_mastery(ss["est"])
        if p < threshold:
            due.append((p, n, sid))
    return [sid for _, _, sid in sorted(due)]


def start_sitting(ctx: Context, state: dict[str, Any]) -> bool:
    """Begin a new sitting: reset the per-sitting limits and queue the review of decayed
    skills. Returns whether a review was queued (the current step then changes)."""
    state["sitting"] = int(state.get("sitting", 0)) + 1
    for ss in state["skills"].values():
        ss["remediations"] = 0
    due = due_for_review(ctx, state)[:REFRESH_SKILLS]
    state["refresh"] = [{"skill": sid, "left": REFRESH_ITEMS} for sid in due]
    return bool(due)


def refresh_step(ctx: Context, state: dict[str, Any]) -> AskItem | None:
    """The next review item of the sitting's review, or None when there is none (left)."""
    queue = state.get("refresh") or []
    while queue:
        sid = queue[0]["skill"]
        ss = state["skills"].get(sid)
        item = pick_item(ctx, state, sid) if ss and ss["status"] in PASSED_STATUSES else None
        if item is not None and queue[0]["left"] > 0:
            return ask(ctx, item, sid, "review")
        queue.pop(0)
    return None


def is_refresh_answer(state: Mapping[str, Any], step: object) -> bool:
    """Whether ``step`` (the step just answered) belongs to the sitting's review."""
    queue = state.get("refresh") or []
    return (
        isinstance(step, AskItem)
        and step.phase == "review"
        and bool(queue)
        and queue[0]["skill"] == step.skill
    )


def observe_refresh(ctx: Context, state: dict[str, Any], step: AskItem, correct: bool) -> None:
    """After a review answer: the skill stays passed once its estimate is back at the
    threshold after a right answer; after its last review item below it, it is practised
    again (its counters start afresh, so the practice cap applies anew)."""
    queue = state["refresh"]
    entry = queue[0]
    entry["left"] -= 1
    ss = state["skills"][step.skill]
    p = ctx.model.p_mastery(ss["est"])
    threshold = ctx.settings.mastery_threshold
    if correct and p >= threshold:
        queue.pop(0)
    elif entry["left"] <= 0:
        queue.pop(0)
        if p < threshold:
            ss.update(status=PRACTISING, practice=0, streak=0, recent=[], reviews=0,
                      flag_reason=None)
            ss["reopened"] = int(ss.get("reopened", 0)) + 1
