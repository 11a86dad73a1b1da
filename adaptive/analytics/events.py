"""The plain records analytics work on: answers, pages and per-skill learner states.

Analytics never see the database: the tool turns AnswerEvent / PageEvent rows
and engine states into these frozen dataclasses (or plain dicts, via
``from_dict``), so every aggregate and suggestion can be tested with hand-made
event lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Statuses of a learner on a skill, as ``adaptive.engine.skill_progress`` reports them.
#: "flagged": stuck after practising it (needs the teacher); "blocked": not reached because a
#: prerequisite is flagged (the learner never practised it, so it is no alarm).
STATUSES = ("not_started", "practising", "mastered", "known", "flagged", "blocked")
#: Statuses that count as "has the skill" (mastered by practice, or shown as known up front).
HAS_SKILL = frozenset({"mastered", "known"})


@dataclass(frozen=True)
class AnswerRecord:
    """One answer of one learner, in the learner's own order (``seq``)."""

    learner: str
    item_id: str
    skill_ids: tuple[str, ...]
    correct: bool
    seq: int = 0
    phase: str = "practice"  # "diagnostic" | "practice" | "review"
    answer_text: str = ""  # what the learner typed or chose, for the teacher to read
    group_index: int | None = None  # matched answer group; None: no group matched
    misconception: str | None = None
    hints_used: int = 0
    seconds: float | None = None
    mastery_after: Mapping[str, float] = field(default_factory=dict)
    valid: bool = True  # False: unparseable input, not counted as an attempt
    # An item with variants: the numbers shown ({"showing": k, "values": {...}}), None when
    # the item has none or the answer was recorded before they were kept
    variant: Mapping[str, Any] | None = None

    @property
    def primary_skill(self) -> str | None:
        """The skill an item practises first (the one the engine counts the answer for)."""
        return self.skill_ids[0] if self.skill_ids else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnswerRecord:
        """Build from a plain dict (test fixtures, JSON exports); unknown keys are ignored."""
        return cls(
            learner=str(data["learner"]),
            item_id=str(data["item_id"]),
            skill_ids=tuple(data.get("skill_ids") or ()),
            correct=bool(data["correct"]),
            seq=int(data.get("seq", 0)),
            phase=str(data.get("phase", "practice")),
            answer_text=str(data.get("answer_text", "")),
            group_index=data.get("group_index"),
            misconception=data.get("misconception"),
            hints_used=int(data.get("hints_used", 0)),
            seconds=data.get("seconds"),
            mastery_after=dict(data.get("mastery_after") or {}),
            valid=bool(data.get("valid", True)),
            variant=data.get("variant"),
        )


@dataclass(frozen=True)
class PageRecord:
    """A lesson, remediation or review page a learner was shown."""

    learner: str
    page_id: str
    seq: int = 0
    reason: str = "lesson"
    seconds: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageRecord:
        """Build from a plain dict."""
        return cls(learner=str(data["learner"]), page_id=str(data["page_id"]),
                   seq=int(data.get("seq", 0)), reason=str(data.get("reason", "lesson")),
                   seconds=data.get("seconds"))


@dataclass(frozen=True)
class SkillState:
    """Where one learner stands on one skill now (from the engine state)."""

    learner: str
    skill_id: str
    status: str
    p_mastery: float
    attempts: int = 0
    correct: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SkillState:
        """Build from a plain dict."""
        status = str(data.get("status", "not_started"))
        if status not in STATUSES:
            raise ValueError(f"unknown skill status {status!r}")
        return cls(learner=str(data["learner"]), skill_id=str(data["skill_id"]), status=status,
                   p_mastery=float(data.get("p_mastery", 0.0)),
                   attempts=int(data.get("attempts", 0)), correct=int(data.get("correct", 0)))


@dataclass(frozen=True)
class SkillInfo:
    """A skill of the module, in the module's (prerequisite) order."""

    id: str
    title: str


def by_learner(answers: Iterable[AnswerRecord]) -> dict[str, list[AnswerRecord]]:
    """Each learner's answers sorted by ``seq`` (the order they were given in)."""
    out: dict[str, list[AnswerRecord]] = {}
    for a in answers:
        out.setdefault(a.learner, []).append(a)
    for rows in out.values():
        rows.sort(key=lambda a: a.seq)
    return out
