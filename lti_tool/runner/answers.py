"""Posted form fields → the raw answer the engine grades (pure functions).

Every item type is answered with plain HTML controls so that it works with a
keyboard and without JavaScript: radios (single choice), checkboxes (multiple
choice), text inputs (numeric, short text) and, for ordering, one ``<select>``
of positions per choice instead of drag and drop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from adaptive.modules.format import Item, ItemType
from lti_tool.protocol.errors import InputError

__all__ = ["AnswerFormError", "correct_form", "draft_of", "parse_answer"]


class AnswerFormError(InputError):
    """The form cannot be read as an answer (the learner is asked again, nothing is recorded)."""

    code = "unreadable_answer"


def _positions(item: Item, form: Mapping[str, Sequence[str]]) -> list[tuple[int, str]]:
    pairs = []
    for choice in item.choices:
        values = form.get(f"pos-{choice.id}") or []
        try:
            pairs.append((int(values[0]), choice.id))
        except (IndexError, ValueError):
            raise AnswerFormError("choose a position for every entry") from None
    return pairs


def parse_answer(item: Item, form: Mapping[str, Sequence[str]]) -> object:
    """The raw answer for ``evaluate_answer`` from a multi-valued form (``{name: [values]}``).

    Raises ``AnswerFormError`` when nothing was chosen or entered.
    """
    values = list(form.get("answer") or [])
    kind = item.type
    if kind == ItemType.SINGLE_CHOICE:
        if not values:
            raise AnswerFormError("choose an answer")
        return values[0]
    if kind == ItemType.MULTIPLE_CHOICE:
        if not values:
            raise AnswerFormError("choose at least one answer")
        return values
    if kind == ItemType.ORDERING:
        pairs = _positions(item, form)
        if len({p for p, _ in pairs}) != len(pairs):
            raise AnswerFormError("give each entry a different position")
        return [cid for _, cid in sorted(pairs)]
    text = values[0] if values else ""
    if not text.strip():
        raise AnswerFormError("enter an answer")
    return text


def draft_of(item: Item, form: Mapping[str, Sequence[str]]) -> dict:
    """What the learner had entered, to refill the form (after a hint or an unreadable answer)."""
    draft: dict = {"answer": list(form.get("answer") or [])}
    if item.type == ItemType.ORDERING:
        draft["positions"] = {
            c.id: (form.get(f"pos-{c.id}") or [""])[0] for c in item.choices
        }
    return draft


def correct_form(item: Item) -> dict[str, list[str]]:
    """A form that answers ``item`` with its first correct answer group.

    For tests, the browser tests and the benchmark ("always-correct" learner); None
    of the runner's request handling uses it.
    """
    group = next((g for g in item.answer_groups if g.correct), None)
    if group is None:
        raise ValueError(f"item {item.id!r} has no correct answer group")
    match = group.match
    kind = item.type
    if kind == ItemType.SINGLE_CHOICE:
        return {"answer": [str(match.choice)]}
    if kind == ItemType.MULTIPLE_CHOICE:
        return {"answer": list(match.choices)}
    if kind == ItemType.ORDERING:
        return {f"pos-{cid}": [str(i + 1)] for i, cid in enumerate(match.order)}
    if kind == ItemType.NUMERIC:
        value = match.value if match.value is not None else (
            match.low if match.low is not None else match.high)
        assert value is not None  # validation gives a numeric match a value or a bound
        return {"answer": [repr(float(value))]}
    if match.mode == "regex":
        return {"answer": [_regex_example(item.id, match.pattern or "")]}
    return {"answer": [str(match.text)]}


def _regex_example(item_id: str, pattern: str) -> str:
    """A text matching a simple author's pattern (optional parts dropped, first alternative)."""
    text = re.sub(r"\\s[*?]", "", pattern)
    text = re.sub(r"\\s\+?", " ", text)
    text = re.sub(r"(\([^()]*\)|\[[^\]]*\])\?", "", text)  # optional group or class
    text = re.sub(r"\[\\?(.)[^\]]*\]", r"\1", text)  # a class: its first character
    text = re.sub(r"\((?:\?:)?([^()|]*)(\|[^()]*)?\)", r"\1", text)  # first alternative
    text = re.sub(r"(?<!\\)\?", "", text)  # "s?" -> "s"
    text = re.sub(r"\\(.)", r"\1", text)  # "\." -> "."
    if re.fullmatch(pattern, text.strip(), re.IGNORECASE) is None:
        raise ValueError(f"item {item_id!r}: cannot derive an answer from {pattern!r}")
    return text.strip()
