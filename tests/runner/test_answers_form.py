"""Form fields → engine answers, for every item type (no JavaScript needed)."""

from __future__ import annotations

import pytest

from adaptive.grading.answers import evaluate_answer
from adaptive.modules.loader import parse_module
from adaptive.samples import sample_ids, sample_text
from lti_tool.runner.answers import AnswerFormError, correct_form, draft_of, parse_answer


def _items():
    for mid in sample_ids():
        module, _ = parse_module(sample_text(mid), f"{mid}.yaml")
        yield from module.items


ITEMS = list(_items())


def _first(kind):
    return next(i for i in ITEMS if i.type.value == kind)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.id)
def test_correct_form_is_graded_correct(item):
    """The always-correct key used by the browser tests and the benchmark works for every item."""
    assert evaluate_answer(item, parse_answer(item, correct_form(item))).correct


def test_single_and_multiple_choice():
    single, multi = _first("single_choice"), _first("multiple_choice")
    assert parse_answer(single, {"answer": ["b"]}) == "b"
    assert parse_answer(multi, {"answer": ["a", "c"]}) == ["a", "c"]
    with pytest.raises(AnswerFormError):
        parse_answer(single, {})
    with pytest.raises(AnswerFormError):
        parse_answer(multi, {"answer": []})


def test_ordering_by_positions():
    item = _first("ordering")
    ids = [c.id for c in item.choices]
    form = {f"pos-{cid}": [str(len(ids) - n)] for n, cid in enumerate(ids)}
    assert parse_answer(item, form) == list(reversed(ids))
    form[f"pos-{ids[0]}"] = form[f"pos-{ids[1]}"]
    with pytest.raises(AnswerFormError):
        parse_answer(item, form)
    assert draft_of(item, form)["positions"][ids[0]] == form[f"pos-{ids[1]}"][0]


def test_text_inputs():
    numeric, text = _first("numeric"), _first("short_text")
    assert parse_answer(numeric, {"answer": ["3/4"]}) == "3/4"
    assert parse_answer(text, {"answer": ["Paris"]}) == "Paris"
    with pytest.raises(AnswerFormError):
        parse_answer(text, {"answer": ["   "]})
