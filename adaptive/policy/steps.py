"""What a policy returns (steps: show a page, ask an item, finish) and what the learner sends
back (responses), with their JSON forms for the stored state.

Split out of ``adaptive.policy.base``, which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ShowPage:
    """Show a page. ``reason`` is "lesson", "remediation" or "review"."""

    page_id: str
    skill: str | None
    reason: str


@dataclass(frozen=True)
class AskItem:
    """Ask an item. ``phase`` is "diagnostic", "practice" or "review"; ``choice_order`` is the
    display order of the item's choice ids (a seeded shuffle when the item allows it).
    ``variant``: for an item with variants, which showing this is (0 = the item as written;
    ``adaptive.engine.item_for_step`` gives the item with this showing's numbers)."""

    item_id: str
    skill: str
    phase: str
    choice_order: tuple[str, ...] = ()
    variant: int = 0


@dataclass(frozen=True)
class Finish:
    """The module is over for now. ``flagged`` skills need the teacher (the learner is stuck on
    them); ``blocked`` skills were not reached because a prerequisite is flagged."""

    mastered: tuple[str, ...]
    flagged: tuple[str, ...]
    blocked: tuple[str, ...] = ()

    @property
    def unresolved(self) -> bool:
        """Whether some skill is left open (flagged or blocked): the grade is not final."""
        return bool(self.flagged or self.blocked)


Step = ShowPage | AskItem | Finish


@dataclass(frozen=True)
class PageSeen:
    """The learner read the current page. ``seq``, when given, must equal ``state["seq"]``."""

    page_id: str
    seq: int | None = None


@dataclass(frozen=True)
class ItemAnswer:
    """The learner answered the current item. ``seq``, when given, must equal ``state["seq"]``.

    A correct answer given after ``hints_used > 0`` counts as wrong for mastery (as in
    ASSISTments) but is still reported as correct in the evaluation.
    """

    item_id: str
    answer: object
    hints_used: int = 0
    seconds: float | None = None
    seq: int | None = None


Response = PageSeen | ItemAnswer


def step_to_dict(step: Step) -> dict[str, Any]:
    """A JSON-able dict with a "type" key ("page", "item", "finish")."""
    if isinstance(step, ShowPage):
        return {"type": "page", "page_id": step.page_id, "skill": step.skill, "reason": step.reason}
    if isinstance(step, AskItem):
        data: dict[str, Any] = {
            "type": "item",
            "item_id": step.item_id,
            "skill": step.skill,
            "phase": step.phase,
            "choice_order": list(step.choice_order),
        }
        if step.variant:
            data["variant"] = step.variant
        return data
    if isinstance(step, Finish):
        return {
            "type": "finish",
            "mastered": list(step.mastered),
            "flagged": list(step.flagged),
            "blocked": list(step.blocked),
        }
    raise TypeError(f"not a step: {step!r}")


def step_from_dict(data: Mapping[str, Any]) -> Step:
    """Inverse of ``step_to_dict``; raises ValueError on an unknown type."""
    kind = data.get("type")
    if kind == "page":
        return ShowPage(data["page_id"], data.get("skill"), data.get("reason", "lesson"))
    if kind == "item":
        return AskItem(
            data["item_id"],
            data["skill"],
            data.get("phase", "practice"),
            tuple(data.get("choice_order", ())),
            int(data.get("variant", 0)),
        )
    if kind == "finish":
        return Finish(
            tuple(data.get("mastered", ())),
            tuple(data.get("flagged", ())),
            tuple(data.get("blocked", ())),
        )
    raise ValueError(f"unknown step type {kind!r}")
