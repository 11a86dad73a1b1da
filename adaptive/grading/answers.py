"""Answer evaluation: match a learner's answer against an item's answer groups.

Pure functions over the frozen module dataclasses. ``evaluate_answer`` is on the
request path of every attempt, so it never raises: an answer that cannot be read
comes back as ``valid=False`` and the caller asks the learner to try again
instead of counting it as wrong.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

from adaptive.modules.format import NEXT, AnswerGroup, Destination, Item, ItemType, Match
from adaptive.modules.languages import uses_decimal_comma
from adaptive.modules.patterns import PatternError, compile_pattern

__all__ = [
    "MAX_TEXT_LENGTH",
    "AnswerResult",
    "evaluate_answer",
    "normalise_text",
    "parse_number",
]

log = logging.getLogger(__name__)

# Long inputs are refused before any regex runs (patterns run on RE2, linear in
# the input, so this bounds the cost of every match).
MAX_TEXT_LENGTH = 1000

# Punctuation ignored at both ends in "normalised" mode. An explicit list rather
# than a Unicode category: "-5" and "(a)" must keep their sign and brackets.
_END_PUNCTUATION = ".,;:!?¡¿…'\"‘’“”«»„‚`"
_WHITESPACE_RUN = re.compile(r"\s+")
_MIXED_NUMBER = re.compile(r"^([+-]?)(\d+)\s+(\d+)\s*/\s*(\d+)$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of one attempt.

    ``group_index`` indexes ``item.answer_groups``; ``None`` means no group
    matched (the item's default feedback and destination apply) or the answer
    was invalid. ``normalised`` is the canonical, JSON-serialisable form of the
    answer used by analytics to count identical answers.
    """

    correct: bool
    group_index: int | None
    feedback: str
    misconception: str | None
    destination: Destination
    normalised: object
    valid: bool = True
    error: str | None = None


class _InvalidAnswer(Exception):
    """Raised internally when an answer cannot be read; carries the plain-words reason."""


def _fold_accents(text: str) -> str:
    # "Fracción" = "fraccion": learners in every language type without accents (no key
    # for them, a phone keyboard); the marks are dropped after canonical decomposition.
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )


def normalise_text(text: str) -> str:
    """Canonical form of a short-text answer for "normalised" matching.

    Unicode NFKC (full-width digits, ligatures), accents dropped, casefold, whitespace
    runs collapsed to one space, and sentence punctuation/quotes stripped at both ends.
    """
    text = _fold_accents(unicodedata.normalize("NFKC", text)).casefold()
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    return text.strip(_END_PUNCTUATION + " ")


# A leading 0 is never a thousands group: "0.625" is a decimal in every language.
_GROUPED_COMMA_DECIMAL = re.compile(
    r"^([+-]?)([1-9]\d{0,2}(?:[. \u00a0\u202f]\d{3})+)(?:,(\d+))?$")
_DOT_THOUSAND = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")
# The same for a language that writes decimals with a point: "17,576" is seventeen
# thousand there and 17.576 in Spain; "1,000,000" and "1,000.5" can only be English.
_COMMA_THOUSAND = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")
_GROUPED_POINT_DECIMAL = re.compile(r"^([+-]?)([1-9]\d{0,2}(?:,\d{3})+)(?:\.(\d+))?$")


def _decimal_comma_number(text: str) -> str | None:
    """A number written the way decimal-comma languages group it ("1.000,5", "1 000",
    "12.345.678") as plain decimal text, or None when it is not grouped that way (the
    caller has refused "1.000" as ambiguous already)."""
    grouped = _GROUPED_COMMA_DECIMAL.match(text)
    if grouped is None:
        return None
    sign, whole, frac = grouped.groups()
    digits = re.sub(r"[. \u00a0\u202f]", "", whole)
    return f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}"


def _vulgar_fractions(text: str) -> str:
    """"½" as "1/2" and "2½" as "2 1/2". NFKC alone makes "½" "1⁄2" (a fraction slash the
    reader does not take) and "2½" "21⁄2", which would read as 21/2."""
    out: list[str] = []
    for ch in text:
        plain = unicodedata.normalize("NFKC", ch)
        if "\u2044" in plain and len(ch) == 1 and unicodedata.category(ch) == "No":
            out.append((" " if out and out[-1][-1:].isdigit() else "")
                       + plain.replace("\u2044", "/"))
        else:
            out.append(ch)
    return "".join(out)


def parse_number(answer: object, language: str | None = None) -> float:
    """Read a numeric answer: a number, or text such as " 1,5 ", "3/4", "-1 1/2", "2e3".

    A single comma with no dot is a decimal comma ("0,5", "2,25"), except where it could be
    a thousands comma in a language that writes decimals with a point ("en": "17,576" is
    refused as ambiguous; "1,000,000" and "1,000.5" are read the English way). In a language that
    writes decimals with a comma (``language`` "es", "fr", ...; see
    ``adaptive.modules.translations.DECIMAL_COMMA_LANGUAGES``) a number grouped in
    thousands the way it does — "1.000,5", "1 000,5", "1.000.000" — is read too, and
    "1.000" is refused as ambiguous (one thousand there, one elsewhere). Raises
    ``ValueError`` with a learner-readable message when the answer is not a finite number.
    """
    if isinstance(answer, bool):  # bool is an int subclass; True is not "1"
        raise ValueError("expected a number")
    if isinstance(answer, Real):
        try:
            value = float(answer)
        except OverflowError:  # an int beyond float range, e.g. 10**400
            raise ValueError("expected a finite number") from None
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return value
    if not isinstance(answer, str):
        raise ValueError("expected a number")
    text = (unicodedata.normalize("NFKC", _vulgar_fractions(answer)).strip()
            .replace("\u2212", "-").replace("\u2044", "/"))
    if not text:
        raise ValueError("the answer is empty")
    if len(text) > 100:
        raise ValueError("the number is too long")
    if uses_decimal_comma(language):
        if _DOT_THOUSAND.match(text):
            raise ValueError("write 1000 for a thousand, or 1,5 for one and a half")
        grouped = _decimal_comma_number(text)
        if grouped is not None:
            text = grouped
    elif language:
        if _COMMA_THOUSAND.match(text):
            raise ValueError("write 1000 for a thousand, or 1.5 for one and a half")
        point = _GROUPED_POINT_DECIMAL.match(text)
        if point is not None and (point.group(3) or point.group(2).count(",") > 1):
            sign, whole, frac = point.groups()
            text = f"{sign}{whole.replace(',', '')}" + (f".{frac}" if frac else "")
    if "," in text:
        # "1,5" is a decimal comma; "1,000.5" or "1,2,3" are ambiguous, so refuse
        # them rather than guess a thousands separator.
        if "." in text or text.count(",") > 1:
            raise ValueError("use one decimal separator, e.g. 1.5 or 1,5")
        text = text.replace(",", ".")
    mixed = _MIXED_NUMBER.match(text)
    if mixed:
        sign, whole, num, den = mixed.groups()
        if int(den) == 0:
            raise ValueError("division by zero")
        try:
            value = float(int(whole) + Fraction(int(num), int(den)))
        except OverflowError:
            raise ValueError("expected a finite number") from None
        return -value if sign == "-" else value
    if "/" in text:
        num_text, _, den_text = text.partition("/")
        num_text, den_text = num_text.strip(), den_text.strip()
        if not (_DECIMAL.match(num_text) and _DECIMAL.match(den_text)):
            # Fixed sentences, not the answer echoed: the interface translates them by
            # their text (lti_tool/translations), and the box still shows what was typed.
            raise ValueError("cannot read this as a fraction")
        den = float(den_text)
        if den == 0:
            raise ValueError("division by zero")
        value = float(num_text) / den
    else:
        if not _DECIMAL.match(text):
            raise ValueError("cannot read this as a number")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def _choice_ids(item: Item) -> list[str]:
    return [c.id for c in item.choices]


def _read_choice(item: Item, answer: object) -> str:
    if not isinstance(answer, str):
        raise _InvalidAnswer("expected one choice")
    if answer not in _choice_ids(item):
        raise _InvalidAnswer(f"unknown choice {answer!r}")
    return answer


def _read_choice_list(item: Item, answer: object) -> list[str]:
    # A str is a Sequence too; "ab" must not be read as ["a", "b"].
    if isinstance(answer, str | bytes) or not isinstance(answer, Sequence | set | frozenset):
        raise _InvalidAnswer("expected a list of choices")
    known = _choice_ids(item)
    ids = list(answer)
    for choice in ids:
        if not isinstance(choice, str):
            raise _InvalidAnswer("expected a list of choices")
        if choice not in known:
            raise _InvalidAnswer(f"unknown choice {choice!r}")
    return ids


def _read(item: Item, answer: object, language: str | None = None) -> object:
    """Turn the raw answer into its canonical form, or raise ``_InvalidAnswer``."""
    kind = item.type
    if kind == ItemType.SINGLE_CHOICE:
        return _read_choice(item, answer)
    if kind == ItemType.MULTIPLE_CHOICE:
        selected = set(_read_choice_list(item, answer))
        # Item order makes the canonical form stable whatever order was clicked.
        return [c for c in _choice_ids(item) if c in selected]
    if kind == ItemType.ORDERING:
        order = _read_choice_list(item, answer)
        if len(set(order)) != len(order):
            raise _InvalidAnswer("each choice may appear only once")
        if len(order) != len(item.choices):
            raise _InvalidAnswer("put every choice in the order")
        return order
    if kind == ItemType.NUMERIC:
        try:
            return parse_number(answer, language)
        except ValueError as exc:
            raise _InvalidAnswer(str(exc)) from None
    if kind == ItemType.SHORT_TEXT:
        if not isinstance(answer, str):
            raise _InvalidAnswer("expected text")
        if len(answer) > MAX_TEXT_LENGTH:
            raise _InvalidAnswer(f"the answer is longer than {MAX_TEXT_LENGTH} characters")
        if not answer.strip():
            raise _InvalidAnswer("the answer is empty")
        return answer
    raise _InvalidAnswer(f"unsupported item type {kind!r}")


def _numeric_matches(match: Match, value: float) -> bool:
    if match.value is not None:
        # A small relative slack so that 0.1 + 0.2 style float error does not
        # turn an exact answer with tolerance 0 into a wrong one.
        slack = 1e-9 * max(1.0, abs(match.value))
        return abs(value - match.value) <= match.tolerance + slack
    if match.low is None and match.high is None:
        return False  # a malformed rule never matches; validation reports it
    if match.low is not None and value < match.low:
        return False
    return not (match.high is not None and value > match.high)


def _text_matches(match: Match, answer: str) -> bool:
    stripped = answer.strip()
    if match.mode == "regex":
        if match.pattern is None:
            return False
        try:
            # RE2 (linear time): an author's pattern cannot hang the worker.
            return compile_pattern(match.pattern).fullmatch(stripped) is not None
        except PatternError:
            return False  # validation reports bad patterns; here it just never matches
    if match.text is None:
        return False
    # A translation's accepted answers (``also``) count like ``text`` itself.
    texts = (match.text, *match.also)
    if match.mode == "exact":
        return any(stripped == t.strip() for t in texts)
    answer_form = normalise_text(stripped)
    return any(answer_form == normalise_text(t) for t in texts)


def _matches(item: Item, group: AnswerGroup, raw: object, canonical: object) -> bool:
    match = group.match
    kind = item.type
    if kind == ItemType.SINGLE_CHOICE:
        return match.choice is not None and canonical == match.choice
    if kind == ItemType.MULTIPLE_CHOICE:
        assert isinstance(canonical, list)
        return set(canonical) == set(match.choices)
    if kind == ItemType.ORDERING:
        return tuple(canonical) == tuple(match.order)  # type: ignore[arg-type]
    if kind == ItemType.NUMERIC:
        assert isinstance(canonical, float)
        return _numeric_matches(match, canonical)
    if kind == ItemType.SHORT_TEXT:
        assert isinstance(raw, str)
        return _text_matches(match, raw)
    return False


def _canonical_for_analytics(item: Item, canonical: object) -> object:
    # Short text is grouped by its normalised spelling so "Paris" and "paris."
    # count as one answer in the item analysis.
    if item.type == ItemType.SHORT_TEXT and isinstance(canonical, str):
        return normalise_text(canonical)
    return canonical


def _invalid(error: str, normalised: object = None) -> AnswerResult:
    return AnswerResult(
        correct=False,
        group_index=None,
        feedback="",
        misconception=None,
        destination=NEXT,
        normalised=normalised,
        valid=False,
        error=error,
    )


def evaluate_answer(item: Item, answer: object, language: str | None = None) -> AnswerResult:
    """Grade ``answer`` against ``item``: the first matching answer group wins.

    Answer shapes: single_choice → choice id; multiple_choice → list of choice ids
    (order and repeats ignored); numeric → number or text; short_text → text;
    ordering → list of every choice id in order. ``language`` is the learner's (numbers
    are read its way, see ``parse_number``); short-text rules are the item's own, so pass
    the item in the learner's language (``adaptive.modules.translations.localise``).
    Never raises.
    """
    try:
        canonical = _read(item, answer, language)
    except _InvalidAnswer as exc:
        return _invalid(str(exc))
    try:
        normalised = _canonical_for_analytics(item, canonical)
        for index, group in enumerate(item.answer_groups):
            if _matches(item, group, answer, canonical):
                return AnswerResult(
                    correct=group.correct,
                    group_index=index,
                    feedback=group.feedback,
                    misconception=group.misconception,
                    destination=group.destination,
                    normalised=normalised,
                )
    except Exception:  # grading must not fail a learner's request
        # Only a malformed item (not caught by validation) can get here.
        log.exception("answer evaluation failed for item %r", item.id)
        return _invalid("this question cannot be graded right now")
    return AnswerResult(
        correct=False,
        group_index=None,
        feedback=item.default_feedback,
        misconception=None,
        destination=item.default_destination,
        normalised=normalised,
    )
