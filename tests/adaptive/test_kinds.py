"""Kinds of thinking (issue 16.3): the ``kind`` tag in module files, its validation, and
first tries right per kind with a minimum of evidence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from adaptive.analytics.events import AnswerRecord
from adaptive.analytics.kinds import MIN_FIRST_TRIES, WEAKEST_GAP, item_kinds, kind_report
from adaptive.modules import load_module, module_to_dict, parse_module
from adaptive.modules.format import THINKING_KINDS
from adaptive.modules.validate import validate_module

ROOT = Path(__file__).resolve().parents[2]
GOOD_YAML = ROOT / "tests" / "fixtures" / "modules" / "good.yaml"
# Module files only: "fractions.es.yaml" is a translation (tested in test_translations.py).
SAMPLES = sorted(p for p in (ROOT / "adaptive" / "samples").glob("*.yaml")
                 if p.name.count(".") == 1)


def _answer(learner: str, item: str, correct: bool, seq: int, valid: bool = True
            ) -> AnswerRecord:
    return AnswerRecord(learner, item, ("s",), correct, seq=seq, valid=valid)


# --- analytics -------------------------------------------------------------------------

KINDS = {f"r{i}": "reason" for i in range(7)} | {f"m{i}": "recall" for i in range(10)} | {
    "a1": "apply", "u1": "understand"}


def test_the_issue_example_reasoning_2_of_7_recall_9_of_10():
    answers = [_answer("ana", f"r{i}", i < 2, seq=i) for i in range(7)]
    answers += [_answer("ana", f"m{i}", i != 3, seq=10 + i) for i in range(10)]
    report = kind_report(answers, KINDS)
    assert [(t.kind, t.right, t.tries) for t in report.reported] == [
        ("recall", 9, 10), ("reason", 2, 7)]  # in the vocabulary's order
    assert report.withheld == ()
    assert report.weakest is not None and report.weakest.kind == "reason"


def test_only_first_valid_tries_count():
    answers = [
        _answer("ana", "r0", False, seq=1, valid=False),  # unreadable: not a try
        _answer("ana", "r0", False, seq=2),  # first try: wrong
        _answer("ana", "r0", True, seq=3),  # after the feedback: not counted
        _answer("ana", "r1", True, seq=5),
        _answer("ana", "r1", False, seq=4),  # seq order, not list order, decides
    ]
    (tally,) = kind_report(answers, KINDS, minimum=1).reported
    assert (tally.kind, tally.right, tally.tries, tally.learners) == ("reason", 0, 2, 1)


def test_minimum_withholds_kinds_with_too_few_first_tries():
    answers = [_answer("ana", f"r{i}", True, seq=i) for i in range(MIN_FIRST_TRIES - 1)]
    answers += [_answer("ana", f"m{i}", False, seq=20 + i) for i in range(MIN_FIRST_TRIES)]
    report = kind_report(answers, KINDS)
    assert [t.kind for t in report.reported] == ["recall"]
    assert [(t.kind, t.tries) for t in report.withheld] == [("reason", MIN_FIRST_TRIES - 1)]
    assert report.weakest is None  # one kind reported: no contrast to point out
    assert report.minimum == MIN_FIRST_TRIES
    with pytest.raises(ValueError):
        kind_report(answers, KINDS, minimum=0)


def test_class_report_adds_learners_and_ignores_untagged_items():
    answers = []
    for n, learner in enumerate(["ana", "ben", "cat"]):
        answers += [_answer(learner, "r0", learner == "ana", seq=1),
                    _answer(learner, "r1", False, seq=2),
                    _answer(learner, "a1", True, seq=3),
                    _answer(learner, "untagged", False, seq=4),
                    _answer(learner, "gone", False, seq=5)]
        if n == 0:
            answers.append(_answer(learner, "u1", True, seq=6))
    kinds = KINDS | {"gone": "not-a-kind"}
    report = kind_report(answers, kinds)
    by_kind = {t.kind: (t.right, t.tries, t.learners) for t in report.reported}
    assert by_kind == {"reason": (1, 6, 3)}
    assert {t.kind: (t.right, t.tries, t.learners) for t in report.withheld} == {
        "understand": (1, 1, 1), "apply": (3, 3, 3)}
    assert not report.empty and kind_report([], kinds).empty


@pytest.mark.parametrize(("reason_right", "weakest"), [(5, None), (4, "reason"), (3, "reason")])
def test_weakest_only_with_a_clear_gap(reason_right, weakest):
    """5 of 5 recall next to 5 (equal), 4 (gap 0.2) or 3 of 5 reasoning."""
    answers = [_answer("ana", f"r{i}", i < reason_right, seq=i) for i in range(5)]
    answers += [_answer("ana", f"m{i}", True, seq=10 + i) for i in range(5)]
    found = kind_report(answers, KINDS).weakest
    assert (found.kind if found else None) == weakest
    assert WEAKEST_GAP == 0.2


# --- module format and validator -------------------------------------------------------

def test_every_sample_item_is_tagged_with_a_known_kind():
    for path in SAMPLES:
        module = load_module(path)
        kinds = item_kinds(module)
        assert set(kinds) == {i.id for i in module.items}, path.name
        assert set(kinds.values()) <= set(THINKING_KINDS), path.name


def _good_with_kind(kind: str) -> str:
    """good.yaml with ``kind:`` on its second item (eq-2), as an author would write it."""
    marker = "  - id: eq-2\n    type: multiple_choice\n"
    text = GOOD_YAML.read_text()
    assert marker in text
    return text.replace(marker, f"{marker}    kind: {kind}\n")


def test_kind_loads_and_round_trips():
    module, problems = parse_module(_good_with_kind("reason"), "good.yaml")
    assert not [p for p in problems if p.severity == "error"], problems
    assert module is not None
    assert module.items[1].kind == "reason" and module.items[0].kind is None
    again, _ = parse_module(json.dumps(module_to_dict(module)), "again.json")
    assert again == module


@pytest.mark.parametrize("kind", ["analyse", "3", "Recall", "[reason]"])
def test_unknown_kind_is_an_error_with_file_and_line(kind):
    text = _good_with_kind(kind)
    module, problems = parse_module(text, "bad.yaml")
    assert module is None
    (problem,) = [p for p in problems if p.path == "items[1].kind"]
    assert problem.severity == "error" and problem.file == "bad.yaml"
    line = text.splitlines()[problem.line - 1]
    assert line.strip().startswith("kind:"), line


def test_unknown_kind_in_a_module_built_in_code():
    good = load_module(GOOD_YAML)
    item = replace(good.items[0], kind="synthesis")
    problems = validate_module(replace(good, items=(item, *good.items[1:])), "import")
    (problem,) = [p for p in problems if p.code == "unknown-kind"]
    assert problem.path == "items[0].kind" and "recall, understand, apply, reason" in (
        problem.message)
