"""Confusion signals from what a learner just did (pure: plain records in, flags out).

A teacher's live panel polls these every few seconds, so they are recomputed from the
recent records each time rather than stored: nothing to clean up when a learner
recovers, and a threshold change applies at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["AnswerSignal", "Flag", "LiveSignal", "QuestionSignal", "Thresholds", "flags"]

REASONS = ("wrong_answers", "hint_cascade", "long_dwell", "same_question", "said_confused")


@dataclass(frozen=True)
class AnswerSignal:
    learner: str
    skill: str
    correct: bool
    hints_used: int
    at: float  # unix seconds


@dataclass(frozen=True)
class QuestionSignal:
    learner: str
    skill: str | None
    repeated: bool
    confused: bool
    at: float


@dataclass(frozen=True)
class LiveSignal:
    """Where a learner is now: the skill on screen, hints unlocked, since when."""

    learner: str
    skill: str | None
    hints_unlocked: int
    shown_at: float | None


@dataclass(frozen=True)
class Thresholds:
    wrong_answers: int = 3  # wrong answers on one skill among its last ``recent`` answers
    recent: int = 5
    hint_cascade: int = 2  # hints unlocked on one item (answered or on screen)
    dwell_seconds: float = 300.0  # one step on screen this long
    window_seconds: float = 1800.0  # only what happened this recently counts


@dataclass(frozen=True)
class Flag:
    learner: str
    skill: str | None
    reason: str  # one of REASONS
    at: float  # when the signal happened (the latest one)
    detail: int = 0  # how many wrong answers / hints / seconds


def flags(answers: Iterable[AnswerSignal], questions: Iterable[QuestionSignal],
          live: Iterable[LiveSignal], now: float, t: Thresholds | None = None) -> list[Flag]:
    """Every current flag, newest first; at most one per (learner, skill, reason)."""
    t = t or Thresholds()
    since = now - t.window_seconds
    found: dict[tuple[str, str | None, str], Flag] = {}

    def add(flag: Flag) -> None:
        key = (flag.learner, flag.skill, flag.reason)
        if key not in found or found[key].at < flag.at:
            found[key] = flag

    by_skill: dict[tuple[str, str], list[AnswerSignal]] = defaultdict(list)
    for a in sorted(answers, key=lambda a: a.at):
        by_skill[(a.learner, a.skill)].append(a)
        if a.at >= since and a.hints_used >= t.hint_cascade:
            add(Flag(a.learner, a.skill, "hint_cascade", a.at, a.hints_used))
    for (learner, skill), rows in by_skill.items():
        last = rows[-t.recent:]
        wrong = [a for a in last if not a.correct]
        if len(wrong) >= t.wrong_answers and last[-1].at >= since:
            add(Flag(learner, skill, "wrong_answers", wrong[-1].at, len(wrong)))
    for q in questions:
        if q.at < since:
            continue
        if q.repeated:
            add(Flag(q.learner, q.skill, "same_question", q.at, 2))
        if q.confused:
            add(Flag(q.learner, q.skill, "said_confused", q.at, 1))
    for s in live:
        if s.hints_unlocked >= t.hint_cascade:
            add(Flag(s.learner, s.skill, "hint_cascade", s.shown_at or now, s.hints_unlocked))
        if s.shown_at is not None and now - s.shown_at >= t.dwell_seconds:
            add(Flag(s.learner, s.skill, "long_dwell", s.shown_at, int(now - s.shown_at)))
    return sorted(found.values(), key=lambda f: f.at, reverse=True)
