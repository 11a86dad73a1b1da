"""Author patterns cannot hang a worker: RE2 matching, and the validator's backtracking check."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import yaml

from adaptive.grading.patterns import PatternError, backtracking_risk, compile_pattern
from adaptive.modules import validate_text
from tests.adaptive.test_validate import good_data, item_named

EVIL = r"(a|a)+$"


def test_catastrophic_pattern_is_graded_at_once_in_a_fresh_process() -> None:
    """Python's backtracking ``re`` needs ~2**40 steps here; RE2 answers at once.

    Run in a subprocess with a generous limit: on a backtracking engine the child
    never finishes and the timeout fails the test (no timing inside this process).
    """
    program = textwrap.dedent(f"""
        from adaptive.grading import evaluate_answer
        from adaptive.modules.format import NEXT, AnswerGroup, Item, ItemType, Match
        item = Item(id="x", type=ItemType.SHORT_TEXT, skills=("s",), prompt="?",
                    answer_groups=(AnswerGroup(Match(mode="regex", pattern={EVIL!r}), True),),
                    default_feedback="no", default_destination=NEXT)
        result = evaluate_answer(item, "a" * 40 + "!")
        print(result.valid, result.correct)
        print(evaluate_answer(item, "aaaa").correct)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=30, check=True)
    assert done.stdout.split() == ["True", "False", "True"]


def test_patterns_stay_case_insensitive_with_scoped_opt_out() -> None:
    assert compile_pattern(r"paris").fullmatch("PARIS")
    assert compile_pattern(r"(?-i:NICE)").fullmatch("NICE")
    assert not compile_pattern(r"(?-i:NICE)").fullmatch("nice")


def test_look_around_does_not_compile_in_the_linear_engine() -> None:
    with pytest.raises(PatternError):
        compile_pattern(r"(?=a)a")


@pytest.mark.parametrize("pattern", [EVIL, r"(a+)+b", r"(\w+\s?)*x", r"(x|xy|x)*z"])
def test_backtracking_shapes_are_detected(pattern: str) -> None:
    assert backtracking_risk(pattern)


@pytest.mark.parametrize("pattern", [
    r"\s*(the )?(mean|average)\s*", r"mar?seille?s?", r"(ab|cd)+", r"(a|b)+c",
    r"\s*3\s*/\s*18\s*(,|;|and|,\s*and)\s*8\s*/\s*18\s*",
])
def test_ordinary_patterns_pass(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


def _with_pattern(pattern: str) -> list:
    data = good_data()
    item_named(data, "add-2")["answer_groups"][1]["match"] = {"mode": "regex",
                                                               "pattern": pattern}
    return validate_text(yaml.safe_dump(data, sort_keys=False), "m.yaml")


def test_validator_refuses_catastrophic_pattern() -> None:
    problems = _with_pattern(EVIL)
    assert [(p.code, p.severity, p.path) for p in problems] == [
        ("regex-backtracking", "error", "items[4].answer_groups[1].match.pattern")]


def test_validator_refuses_pattern_the_engine_cannot_run() -> None:
    problems = _with_pattern(r"(?<=x)y")
    assert [(p.code, p.severity) for p in problems] == [("bad-regex", "error")]
    assert "look-around" in problems[0].message


def test_shipped_samples_still_validate() -> None:
    from importlib import resources

    for path in resources.files("adaptive.samples").iterdir():
        if path.name.endswith(".yaml") and path.name.count(".") == 1:  # not fractions.es.yaml
            problems = validate_text(path.read_text(encoding="utf-8"), path.name)
            assert not [p for p in problems if p.severity == "error"], path.name
