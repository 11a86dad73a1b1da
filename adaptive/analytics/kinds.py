"""How a learner (or a class) does per kind of thinking: recall, understand, apply, reason.

Items carry an optional ``kind`` (``adaptive.modules.format.ThinkingKind``: the revised
Bloom taxonomy collapsed to four). The measure is the *first try*: a learner's first valid
answer to each item, before its feedback (hints used or not). Later tries of the same item
come after its feedback and say more about reading the feedback than about the kind of
thinking, so they are left out (the same rule as item difficulty,
``adaptive.analytics.difficulty.first_attempts``).

A kind is reported only from at least ``MIN_FIRST_TRIES`` first tries: below that one
lucky guess or one slip moves the share by 25 points or more, which would tell a learner
"you struggle with reasoning" on no real evidence. Kinds below the minimum are listed as
withheld, with their count, so the page can say why nothing is shown.

>>> from adaptive.analytics.events import AnswerRecord
>>> kinds = {"q1": "recall", "q2": "recall"}
>>> answers = [AnswerRecord("ana", "q1", ("s",), True, seq=1),
...            AnswerRecord("ana", "q1", ("s",), True, seq=2),
...            AnswerRecord("ana", "q2", ("s",), False, seq=3)]
>>> report = kind_report(answers, kinds, minimum=2)
>>> [(t.kind, t.right, t.tries) for t in report.reported]
[('recall', 1, 2)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from adaptive.analytics.difficulty import first_attempts
from adaptive.analytics.events import AnswerRecord
from adaptive.modules.format import THINKING_KINDS, Module

#: No per-kind report from fewer first tries than this (per learner on the finish page and
#: drill-down; over all learners for the class). Documented in docs/module-format.md.
MIN_FIRST_TRIES = 5
#: A kind is pointed out as the weakest only when its share is at least this far below the
#: best reported kind's: 9 of 10 next to 10 of 10 is no weakness worth a sentence.
WEAKEST_GAP = 0.2


@dataclass(frozen=True)
class KindTally:
    """First tries of one kind: ``right`` of ``tries``, by ``learners`` learners."""

    kind: str
    right: int
    tries: int
    learners: int

    @property
    def share(self) -> float:
        """Share of first tries right (``tries`` is never 0 in a report)."""
        return self.right / self.tries


@dataclass(frozen=True)
class KindReport:
    """Every kind with at least one first try, in the vocabulary's order, split by the
    minimum: ``reported`` have enough evidence, ``withheld`` do not."""

    reported: tuple[KindTally, ...]
    withheld: tuple[KindTally, ...]
    minimum: int

    @property
    def empty(self) -> bool:
        """No first try of any tagged item."""
        return not self.reported and not self.withheld

    @property
    def weakest(self) -> KindTally | None:
        """The reported kind with the lowest share, when at least two are reported and it
        is ``WEAKEST_GAP`` or more below the best (otherwise there is no contrast)."""
        if len(self.reported) < 2:
            return None
        ranked = sorted(self.reported, key=lambda t: t.share)
        gap = round(ranked[-1].share - ranked[0].share, 9)  # 1.0 - 0.8 is 0.19999...
        return ranked[0] if gap >= WEAKEST_GAP else None


def item_kinds(module: Module) -> dict[str, str]:
    """item id -> kind, for the module's tagged items."""
    return {item.id: item.kind for item in module.items if item.kind is not None}


def kind_report(answers: Iterable[AnswerRecord], kinds: Mapping[str, str],
                minimum: int = MIN_FIRST_TRIES) -> KindReport:
    """First tries right per kind over all learners in ``answers`` (pass one learner's
    answers for a personal report). Answers to untagged items, to items no longer in the
    module, or with a kind outside the vocabulary are not counted."""
    if minimum < 1:
        raise ValueError(f"minimum must be at least 1, got {minimum}")
    right: dict[str, int] = {}
    tries: dict[str, int] = {}
    learners: dict[str, set[str]] = {}
    for item_id, firsts in first_attempts(answers).items():
        kind = kinds.get(item_id)
        if kind is None or kind not in THINKING_KINDS:
            continue
        tries[kind] = tries.get(kind, 0) + len(firsts)
        right[kind] = right.get(kind, 0) + sum(firsts.values())
        learners.setdefault(kind, set()).update(firsts)
    tallies = [KindTally(kind, right[kind], tries[kind], len(learners[kind]))
               for kind in THINKING_KINDS if kind in tries]
    return KindReport(
        reported=tuple(t for t in tallies if t.tries >= minimum),
        withheld=tuple(t for t in tallies if t.tries < minimum),
        minimum=minimum,
    )
