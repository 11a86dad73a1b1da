"""What the assistant may show a learner, and the guard that keeps answers out of replies.

A hint-only tutor kept the practice gain of a chat tutor without the later loss
(Bastani et al., PNAS 2025), so the rules teach instead of answering:

* ``off``: no assistant; ``hints``: only hints the ladder has unlocked (and hints of
  items already answered); ``full``: also lessons, the glossary, resources, worked
  solutions and answer feedback of items already answered.
* On the item being answered: never its solution or answer feedback, never a hint the
  ladder has not unlocked.
* Whatever passage is chosen, ``redact`` drops every sentence that states the current
  item's answer — its value, a correct option's text, a correct option's letter, the
  order of an ordering item, a text the regex accepts — so an author's lesson that
  happens to contain it, or an instruction hidden in module content, cannot leak it.
  The same check (``leaks``) gates a language model's reply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from adaptive.assistant.passages import Passage
from adaptive.assistant.text import fold, plain, sentences
from adaptive.modules.format import Item, ItemType

__all__ = ["LearnerView", "Mode", "Secrets", "leaks", "parse_mode", "redact", "secrets_of",
           "visible"]


class Mode(StrEnum):
    OFF = "off"
    HINTS = "hints"
    FULL = "full"


def parse_mode(value: object, default: Mode = Mode.FULL) -> Mode:
    """A teacher's setting as a Mode (an unknown value falls back to ``default``)."""
    try:
        return Mode(str(value).strip().lower())
    except ValueError:
        return default


@dataclass(frozen=True)
class LearnerView:
    """What this learner has seen: the item on screen, its unlocked hints, items answered."""

    current_item: str | None = None
    hints_unlocked: int = 0
    answered: frozenset[str] = field(default_factory=frozenset)
    mode: Mode = Mode.FULL


def visible(passage: Passage, view: LearnerView) -> bool:
    """May ``passage`` appear in a reply to this learner?"""
    if view.mode is Mode.OFF:
        return False
    item = passage.item
    if passage.kind == "hint":
        if item == view.current_item:
            return passage.index < view.hints_unlocked
        return item in view.answered
    if view.mode is Mode.HINTS:
        return False
    if passage.kind in ("solution", "feedback"):
        return item != view.current_item and item in view.answered
    return True  # page, glossary, resource


# ----------------------------------------------------------------------------- secrets

_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:[.,]\d+)?(?:\s*/\s*\d+)?\s*%?")
_GROUPED = re.compile(r"(?<![\d.,])-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![\d])")
_ANSWER_WORDS = ("option", "choice", "answer", "letter", "pick", "select", "opcion",
                 "respuesta", "letra", "alternativa", "elige", "escoge", "marca")


@dataclass(frozen=True)
class Secrets:
    """Everything that would give away one item's answer, in matchable form."""

    ranges: tuple[tuple[float, float], ...] = ()  # accepted numeric values (inclusive)
    texts: tuple[str, ...] = ()  # folded plain texts of correct options / accepted answers
    patterns: tuple[re.Pattern[str], ...] = ()  # regexes the grader accepts
    letters: tuple[str, ...] = ()  # ids of correct options
    order: tuple[str, ...] = ()  # folded option texts in the correct order

    @property
    def empty(self) -> bool:
        return not (self.ranges or self.texts or self.patterns or self.letters or self.order)


def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None
    # A pattern that accepts the empty string matches everywhere and says nothing.
    return None if compiled.fullmatch("") else compiled


def secrets_of(item: Item | None) -> Secrets:
    """The correct answers of ``item`` (every correct answer group), ready for ``leaks``."""
    if item is None:
        return Secrets()
    ranges: list[tuple[float, float]] = []
    texts: list[str] = []
    patterns: list[re.Pattern[str]] = []
    letters: list[str] = []
    order: tuple[str, ...] = ()
    choice_text = {c.id: _norm(plain(c.text)) for c in item.choices}
    for group in item.answer_groups:
        if not group.correct:
            continue
        m = group.match
        if item.type is ItemType.NUMERIC:
            if m.value is not None:
                tol = max(float(m.tolerance), 1e-9)
                ranges.append((m.value - tol, m.value + tol))
            elif m.low is not None and m.high is not None:
                ranges.append((m.low, m.high))
        elif item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
            ids = [m.choice] if m.choice else list(m.choices)
            letters.extend(ids)
            texts.extend(choice_text[c] for c in ids if choice_text.get(c))
        elif item.type is ItemType.SHORT_TEXT:
            if m.mode == "regex" and m.pattern:
                compiled = _compile(m.pattern)
                if compiled is not None:
                    patterns.append(compiled)
            elif m.text:
                texts.append(_norm(plain(m.text)))
        elif item.type is ItemType.ORDERING:
            order = tuple(choice_text.get(c, "") for c in m.order)
    # Numbers in a correct option's text ("24", "The mean is 4.") are guarded as text.
    return Secrets(tuple(ranges), tuple(t for t in texts if t), tuple(patterns),
                   tuple(letters), order)


def _norm(text: str) -> str:
    return " ".join(fold(text).replace("·", " ").split())


_SCRIPT_DIGITS = re.compile("[₀-₉⁰¹²³⁴-⁹]+")


def _script_digits(m: re.Match[str]) -> str:
    return " " + unicodedata.normalize("NFKC", m.group(0)) + " "


def _numbers(text: str) -> list[float]:
    """Every number in ``text``, also a fraction's parts and value and a percentage's ratio.
    A subscript or superscript (``Q₁``, ``26²``: ``text.plain`` writes math that way) is a
    number of its own, as it was when the quote showed ``Q_1``."""
    found: list[float] = []
    for raw in _NUMBER.findall(_SCRIPT_DIGITS.sub(_script_digits, text)):
        token = raw.replace(" ", "").replace(",", ".")
        percent = token.endswith("%")
        token = token.rstrip("%")
        parts = token.split("/")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            continue
        found.extend(values)
        if len(values) == 2 and values[1] != 0:
            found.append(values[0] / values[1])
        if percent:
            found.append(values[0] / 100.0)
    # A number grouped in thousands ("17 576", as Spanish and French texts and the numbers
    # drawn for them are written) is also that one number, besides its pieces 17 and 576.
    for raw in _GROUPED.findall(text):
        found.append(float(re.sub(r"\s", "", raw).replace(",", ".")))
    return found


def _contains(haystack: str, needle: str) -> bool:
    if not needle:
        return False
    # Whole words only, so the option "6" is not found inside "16".
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None


def _letter_said(folded: str, letter: str) -> bool:
    words = "|".join(_ANSWER_WORDS)
    tag = re.escape(fold(letter))
    return re.search(rf"\b(?:{words})\w*\s*(?:is|es|was|:|=|-)?\s*[\"'(\[]?{tag}[\"')\]]?(?!\w)",
                     folded) is not None or re.search(rf"(?<!\w)\(\s*{tag}\s*\)", folded) \
        is not None


def leaks(text: str, secrets: Secrets) -> bool:
    """Does ``text`` (plain or Markdown) state the answer these secrets describe?"""
    if secrets.empty or not text:
        return False
    flat = plain(text)
    folded = _norm(flat)
    if secrets.ranges:
        for number in _numbers(flat):
            if any(low - 1e-9 <= number <= high + 1e-9 for low, high in secrets.ranges):
                return True
    if any(_contains(folded, t) for t in secrets.texts):
        return True
    if any(p.search(flat) or p.search(folded) for p in secrets.patterns):
        return True
    if any(_letter_said(folded, letter) for letter in secrets.letters):
        return True
    if secrets.order:
        # Substrings, not whole words: "the modes" still names the step "the mode".
        present = [t for t in secrets.order if t and t in folded]
        if len(present) >= 2:
            return True
    return False


def redact(text: str, secrets: Secrets) -> str:
    """``text`` without the sentences that state the answer (all of it if need be)."""
    if secrets.empty:
        return text
    kept = [s for s in sentences(text) if not leaks(s, secrets)]
    result = "\n".join(kept)
    # Sentences can combine into a leak (an ordering spread over a list): check the whole.
    return "" if leaks(result, secrets) else result


def allowed_ids(passages: Collection[Passage], view: LearnerView) -> set[str]:
    """The ids of the passages this learner may see."""
    return {p.id for p in passages if visible(p, view)}


