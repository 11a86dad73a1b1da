"""evaluate_answer: every item type, wrong groups, default feedback, invalid input."""

from __future__ import annotations

import json

import pytest

from adaptive.grading import AnswerResult, evaluate_answer
from adaptive.grading.answers import normalise_text, parse_number
from adaptive.modules.format import (
    NEXT,
    AnswerGroup,
    Choice,
    Destination,
    Item,
    ItemType,
    Match,
)

REMEDIAL = Destination("page", "remedial")
RETRY = Destination("item", "easy-1")


def make_item(item_type: ItemType, groups, choices=(), **extra) -> Item:
    return Item(
        id="it",
        type=item_type,
        skills=("s",),
        prompt="?",
        answer_groups=tuple(groups),
        choices=tuple(Choice(c, c.upper()) for c in choices),
        default_feedback="Not quite.",
        default_destination=RETRY,
        **extra,
    )


SINGLE = make_item(
    ItemType.SINGLE_CHOICE,
    [
        AnswerGroup(Match(choice="a"), True, "Yes."),
        AnswerGroup(Match(choice="b"), False, "Added 1.", "add-same", REMEDIAL),
    ],
    choices=("a", "b", "c"),
)
MULTI = make_item(
    ItemType.MULTIPLE_CHOICE,
    [
        AnswerGroup(Match(choices=("a", "c")), True, "Both."),
        AnswerGroup(Match(choices=("a",)), False, "One more.", "stops-early"),
        AnswerGroup(Match(choices=()), False, "Pick something.", "empty"),
    ],
    choices=("a", "b", "c"),
)
NUMERIC = make_item(
    ItemType.NUMERIC,
    [
        AnswerGroup(Match(value=0.75, tolerance=0.001), True, "3/4."),
        AnswerGroup(Match(value=2 / 6), False, "Added across.", "add-across", REMEDIAL),
        AnswerGroup(Match(low=0, high=0.5), False, "Too small.", "too-small"),
        AnswerGroup(Match(low=10), False, "Far too big.", "huge"),
    ],
)
TEXT = make_item(
    ItemType.SHORT_TEXT,
    [
        AnswerGroup(Match(text="Paris", mode="normalised"), True, "Yes."),
        AnswerGroup(Match(text="Lyon", mode="exact"), False, "Exact Lyon.", "exact-lyon"),
        AnswerGroup(Match(mode="regex", pattern=r"mar?seille?s?"), False, "South.", "south"),
        AnswerGroup(Match(mode="regex", pattern=r"(?-i:NICE)"), False, "Shout.", "caps"),
    ],
)
ORDER = make_item(
    ItemType.ORDERING,
    [
        AnswerGroup(Match(order=("c", "a", "b")), True, "Ordered."),
        AnswerGroup(Match(order=("b", "a", "c")), False, "Reversed.", "reversed"),
    ],
    choices=("a", "b", "c"),
)


def check(result: AnswerResult, correct: bool, group: int | None) -> None:
    assert result.valid, result.error
    assert result.correct is correct
    assert result.group_index == group
    json.dumps(result.normalised)  # analytics stores it as JSON


# --- single choice -----------------------------------------------------------------


def test_single_choice_correct() -> None:
    result = evaluate_answer(SINGLE, "a")
    check(result, True, 0)
    assert result.feedback == "Yes."
    assert result.destination == NEXT
    assert result.misconception is None
    assert result.normalised == "a"


def test_single_choice_wrong_group_carries_misconception_and_destination() -> None:
    result = evaluate_answer(SINGLE, "b")
    check(result, False, 1)
    assert result.misconception == "add-same"
    assert result.destination == REMEDIAL
    assert result.feedback == "Added 1."


def test_single_choice_default_feedback_when_no_group_matches() -> None:
    result = evaluate_answer(SINGLE, "c")
    check(result, False, None)
    assert result.feedback == "Not quite."
    assert result.destination == RETRY
    assert result.misconception is None


@pytest.mark.parametrize("answer", ["z", ["a"], None, 1, ""])
def test_single_choice_invalid(answer: object) -> None:
    result = evaluate_answer(SINGLE, answer)
    assert not result.valid
    assert not result.correct
    assert result.group_index is None
    assert result.error


# --- multiple choice ---------------------------------------------------------------


@pytest.mark.parametrize("answer", [["a", "c"], ["c", "a"], ("c", "a", "c"), {"a", "c"}])
def test_multiple_choice_set_semantics(answer: object) -> None:
    result = evaluate_answer(MULTI, answer)
    check(result, True, 0)
    assert result.normalised == ["a", "c"]  # item order, no repeats


def test_multiple_choice_subset_is_a_wrong_group() -> None:
    result = evaluate_answer(MULTI, ["a"])
    check(result, False, 1)
    assert result.misconception == "stops-early"


def test_multiple_choice_superset_does_not_match_subset_rule() -> None:
    result = evaluate_answer(MULTI, ["a", "b", "c"])
    check(result, False, None)
    assert result.feedback == "Not quite."


def test_multiple_choice_empty_selection_is_valid() -> None:
    check(evaluate_answer(MULTI, []), False, 2)


@pytest.mark.parametrize("answer", ["ac", ["a", "x"], [1], "a", None, {"a": 1}])
def test_multiple_choice_invalid(answer: object) -> None:
    result = evaluate_answer(MULTI, answer)
    assert not result.valid and not result.correct and result.group_index is None


# --- numeric -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", [0.75, "0.75", " 0.75 ", "0,75", "3/4", " 3 / 4 ", ".75", "0.7505", "75e-2", "6/8"]
)
def test_numeric_correct_forms(answer: object) -> None:
    result = evaluate_answer(NUMERIC, answer)
    check(result, True, 0)
    assert result.normalised == pytest.approx(float(result.normalised))


def test_numeric_normalised_value_is_float() -> None:
    assert evaluate_answer(NUMERIC, "3/4").normalised == 0.75
    assert evaluate_answer(NUMERIC, "0,75").normalised == 0.75


def test_numeric_outside_tolerance_is_not_correct() -> None:
    check(evaluate_answer(NUMERIC, "0.76"), False, None)


def test_numeric_wrong_value_group_with_zero_tolerance_accepts_fraction() -> None:
    result = evaluate_answer(NUMERIC, "2/6")
    check(result, False, 1)
    assert result.misconception == "add-across"
    assert result.destination == REMEDIAL


@pytest.mark.parametrize("answer", ["0", "0.5", "1/4", 0])
def test_numeric_range_group_is_inclusive(answer: object) -> None:
    check(evaluate_answer(NUMERIC, answer), False, 2)


def test_numeric_one_sided_range() -> None:
    check(evaluate_answer(NUMERIC, "1e3"), False, 3)
    check(evaluate_answer(NUMERIC, "-1"), False, None)


def test_numeric_mixed_number_and_unicode_minus() -> None:
    assert parse_number("1 1/2") == 1.5
    assert parse_number("\u22121,5") == -1.5
    assert parse_number("-3/4") == -0.75


@pytest.mark.parametrize(
    "answer",
    ["abc", "", "   ", "1/0", "1,000.5", "1,2,3", "1e400", True, None, [1], "nan", "inf", 10**400],
)
def test_numeric_invalid(answer: object) -> None:
    result = evaluate_answer(NUMERIC, answer)
    assert not result.valid
    assert not result.correct
    assert result.group_index is None
    assert isinstance(result.error, str) and result.error


# --- short text --------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", ["Paris", "  paris ", "PARIS.", "“Paris”", "Ｐａｒｉｓ", "paris!"]
)
def test_short_text_normalised(answer: str) -> None:
    result = evaluate_answer(TEXT, answer)
    check(result, True, 0)
    assert result.normalised == "paris"


def test_normalise_text_collapses_whitespace_but_keeps_sign() -> None:
    assert normalise_text("  New \t  York\n") == "new york"
    assert normalise_text("-5") == "-5"


def test_short_text_exact_mode_is_case_sensitive_but_strips() -> None:
    result = evaluate_answer(TEXT, "  Lyon ")
    check(result, False, 1)
    assert result.misconception == "exact-lyon"
    check(evaluate_answer(TEXT, "lyon"), False, None)


@pytest.mark.parametrize("answer", ["Marseille", "marseilles", "MARSEILLE", " Marseill "])
def test_short_text_regex_case_insensitive_fullmatch(answer: str) -> None:
    result = evaluate_answer(TEXT, answer)
    check(result, False, 2)
    assert result.misconception == "south"


def test_short_text_regex_must_match_whole_answer() -> None:
    check(evaluate_answer(TEXT, "Marseille is nice"), False, None)


def test_short_text_regex_can_opt_out_of_ignorecase() -> None:
    check(evaluate_answer(TEXT, "NICE"), False, 3)
    check(evaluate_answer(TEXT, "nice"), False, None)


def test_short_text_default_feedback() -> None:
    result = evaluate_answer(TEXT, "Berlin")
    check(result, False, None)
    assert result.feedback == "Not quite."
    assert result.destination == RETRY


@pytest.mark.parametrize("answer", ["", "   ", 42, None, "x" * 1001])
def test_short_text_invalid(answer: object) -> None:
    result = evaluate_answer(TEXT, answer)
    assert not result.valid and not result.correct


def test_bad_regex_never_raises_and_never_matches() -> None:
    item = make_item(
        ItemType.SHORT_TEXT,
        [
            AnswerGroup(Match(mode="regex", pattern="(unclosed"), True),
            AnswerGroup(Match(text="ok"), True, "fine"),
        ],
    )
    check(evaluate_answer(item, "(unclosed"), False, None)
    check(evaluate_answer(item, "OK"), True, 1)


# --- ordering ----------------------------------------------------------------------


def test_ordering_correct_and_wrong_group() -> None:
    check(evaluate_answer(ORDER, ["c", "a", "b"]), True, 0)
    result = evaluate_answer(ORDER, ["b", "a", "c"])
    check(result, False, 1)
    assert result.misconception == "reversed"
    assert result.normalised == ["b", "a", "c"]


def test_ordering_other_permutation_gets_default() -> None:
    check(evaluate_answer(ORDER, ["a", "b", "c"]), False, None)


@pytest.mark.parametrize("answer", [["c", "a"], ["c", "a", "a"], ["c", "a", "x"], "cab", None])
def test_ordering_invalid(answer: object) -> None:
    result = evaluate_answer(ORDER, answer)
    assert not result.valid and not result.correct and result.group_index is None


# --- general -----------------------------------------------------------------------


def test_first_matching_group_wins() -> None:
    item = make_item(
        ItemType.NUMERIC,
        [
            AnswerGroup(Match(low=0, high=10), False, "broad", "broad"),
            AnswerGroup(Match(value=5), True, "exact"),
        ],
    )
    check(evaluate_answer(item, "5"), False, 0)


def test_malformed_item_type_never_raises() -> None:
    item = make_item(ItemType.NUMERIC, [AnswerGroup(Match(value=1), True)])
    broken = Item(**{**item.__dict__, "type": "essay"})  # bypasses the enum on purpose
    result = evaluate_answer(broken, "1")
    assert not result.valid and result.error


@pytest.mark.parametrize("typed, value", [("½", 0.5), ("2½", 2.5), ("-¾", -0.75),
                                          ("1 ½", 1.5), ("1⁄2", 0.5), ("⅓", 1 / 3)])
@pytest.mark.parametrize("language", [None, "en", "es", "fr"])
def test_a_fraction_typed_as_one_character_is_read(typed, value, language):
    """"½" (a phone keyboard offers it) was refused as not a number, and "2½" would have
    been read 21/2 after Unicode normalisation made it "21⁄2"."""
    assert parse_number(typed, language) == pytest.approx(value)
