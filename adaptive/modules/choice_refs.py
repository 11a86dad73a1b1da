"""Which choices an item's own texts cite by id: "Report (a), (b) and (e)".

Authors explain choice items by their ids ("(a) and (c) are safe; (b) is not"), and
imported quizzes do too, but the learner sees the choices shuffled and without letters,
so "(a)" pointed at nothing (seen walking the security sample, twelfth session). An item
that cites its choices is shown with each choice's id as its label and, where the order
is not the answer (single and multiple choice), in the author's order
(``adaptive.policy.base.ask``, the runner's answer fields).
"""

from __future__ import annotations

import re

from adaptive.modules.format import Item, ItemType

__all__ = ["cited_choice_ids", "cites_choices", "keeps_author_order"]

# "(a)", "(b)–(d)", "(a)-(c)": a parenthesised id of one to three letters or digits
_CITE = re.compile(r"\(([A-Za-z0-9]{1,3})\)")


def _texts(item: Item) -> list[str]:
    texts = [group.feedback or "" for group in item.answer_groups]
    texts += [item.prompt, item.default_feedback or "", item.solution or "", *item.hints]
    return [t for t in texts if t]


def cited_choice_ids(item: Item) -> frozenset[str]:
    """The ids of ``item``'s choices that its prompt, feedback, hints or solution cite as
    "(id)"."""
    if not item.choices:
        return frozenset()
    ids = {c.id for c in item.choices}
    return frozenset(m for text in _texts(item) for m in _CITE.findall(text) if m in ids)


def cites_choices(item: Item) -> bool:
    """Whether the learner must see the choices' ids to follow the item's explanations."""
    return bool(cited_choice_ids(item))


def keeps_author_order(item: Item) -> bool:
    """A cited single- or multiple-choice item is shown in the author's order, so "(a)"
    to "(e)" read top to bottom. An ordering item keeps its shuffle (the author's order
    is often the answer) and shows its ids as labels only."""
    return item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE) and cites_choices(item)
