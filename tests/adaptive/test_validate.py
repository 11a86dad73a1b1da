"""Validation: every problem of a broken module at once, with lines; one-problem cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from adaptive.modules import (
    Problem,
    format_problems,
    load_module,
    module_to_dict,
    validate_files,
    validate_module,
    validate_text,
)
from adaptive.modules.validate import module_schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "modules"
BROKEN = FIXTURES / "broken.yaml"
GOOD = FIXTURES / "good.yaml"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


@pytest.fixture(scope="module")
def broken() -> tuple[str, list[Problem]]:
    text = BROKEN.read_text(encoding="utf-8")
    return text, validate_text(text, "broken.yaml")


# (code, path, severity, needle in the expected line, occurrence of the needle)
EXPECTED = [
    ("schema-additional-properties", "colour", "error", "colour: red", 1),
    ("mastery-threshold-range", "settings.mastery_threshold", "error", "mastery_threshold", 1),
    ("practice-cap-range", "settings.practice_cap", "error", "practice_cap: 0", 1),
    ("bkt-guess-slip", "settings.bkt.guess", "error", "guess: 0.6", 1),
    ("unknown-page", "skills[0].lesson", "error", "lesson: no-such-page", 1),
    ("prerequisite-cycle", "skills[1].prerequisites[0]", "error", "[alpha, gamma]", 1),
    ("unknown-skill", "skills[1].prerequisites[1]", "error", "[alpha, gamma]", 1),
    ("duplicate-id", "skills[2].id", "error", "- id: alpha", 2),
    ("skill-without-items", "skills[3]", "error", "- id: lonely", 1),
    ("unknown-skill", "pages[0].skill", "error", "skill: ghost", 1),
    ("unreachable-page", "pages[1]", "warning", "- id: orphan", 1),
    ("too-few-choices", "items[0].choices", "error", "choices:", 1),
    ("unknown-choice", "items[0].answer_groups[0].match.choice", "error", "{choice: z}", 1),
    (
        "dangling-destination",
        "items[0].answer_groups[0].destination.page",
        "error",
        "missing-page",
        1,
    ),
    ("no-correct-group", "items[1].answer_groups", "error", "answer_groups:", 2),
    ("bad-regex", "items[1].answer_groups[0].match.pattern", "error", "(unclosed", 1),
    ("numeric-rule-missing", "items[2].answer_groups[0].match", "error", "tolerance: 0.1", 1),
    (
        "dangling-destination",
        "items[2].answer_groups[0].destination.item",
        "error",
        "item: nowhere",
        1,
    ),
    ("duplicate-id", "items[3].id", "error", "- id: i1", 2),
    ("schema-enum", "items[3].type", "error", "type: essay", 1),
    ("few-diagnostic-items", "skills[0]", "warning", "- id: alpha", 1),
]


def test_broken_module_reports_every_problem_at_once(broken) -> None:
    text, problems = broken
    found = {(p.code, p.path) for p in problems}
    missing = [(code, path) for code, path, *_ in EXPECTED if (code, path) not in found]
    assert missing == []
    assert len({p.code for p in problems}) >= 10
    assert all(p.file == "broken.yaml" for p in problems)


@pytest.mark.parametrize(("code", "path", "severity", "needle", "nth"), EXPECTED)
def test_broken_module_problem_line(broken, code, path, severity, needle, nth) -> None:
    text, problems = broken
    [problem] = [p for p in problems if p.code == code and p.path == path]
    assert problem.line == line_of(text, needle, nth)
    assert problem.severity == severity


def test_cycle_message_shows_the_path(broken) -> None:
    _, problems = broken
    [cycle] = [p for p in problems if p.code == "prerequisite-cycle"]
    assert "alpha → beta → alpha" in cycle.message


def test_problems_are_sorted_by_line(broken) -> None:
    _, problems = broken
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_format_problems_summary(broken) -> None:
    _, problems = broken
    out = format_problems(problems)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    assert out.splitlines()[-1] == f"{errors} error(s), {warnings} warning(s)"
    assert "warning: broken.yaml:" in out
    assert "broken.yaml:5: colour: unknown key 'colour' [schema-additional-properties]" in out


def test_validate_files(tmp_path) -> None:
    missing = tmp_path / "missing.yaml"
    problems = validate_files([GOOD, BROKEN, missing])
    files = {p.file for p in problems}
    assert str(GOOD) not in files
    assert str(BROKEN) in files
    assert [p.code for p in problems if p.file == str(missing)] == ["unreadable"]


def test_good_module_has_no_problems() -> None:
    assert validate_text(GOOD.read_text(encoding="utf-8"), "good.yaml") == []


def test_schema_is_published_draft_2020_12() -> None:
    schema = module_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://branchwise.example/schema/module-1.json"


# --- one problem at a time ---------------------------------------------------------


def good_data() -> dict:
    return copy.deepcopy(module_to_dict(load_module(GOOD)))


def item_named(data: dict, item_id: str) -> dict:
    return next(i for i in data["items"] if i["id"] == item_id)


def _dup_choice(d):
    item_named(d, "eq-1")["choices"].append({"id": "a", "text": "again"})


def _dup_page(d):
    d["pages"].append({"id": "equivalent-intro", "title": "Again", "body": "x"})


def _self_prereq(d):
    d["skills"][0]["prerequisites"] = ["equivalent"]


def _three_cycle(d):
    d["skills"].append({"id": "third", "title": "T", "prerequisites": ["adding"]})
    d["skills"][0]["prerequisites"] = ["third"]
    d["items"].append(
        {
            "id": "t-1",
            "type": "numeric",
            "skills": ["third"],
            "prompt": "?",
            "diagnostic": True,
            "answer_groups": [{"match": {"value": 1}, "correct": True}],
        }
    )


def _no_correct(d):
    for group in item_named(d, "eq-3")["answer_groups"]:
        group["correct"] = False


def _unknown_order_choice(d):
    item_named(d, "eq-3")["answer_groups"][1]["match"]["order"] = ["half", "third", "eighth"]


def _inverted_range(d):
    item_named(d, "add-1")["answer_groups"][2]["match"] = {"low": 1, "high": 0}


def _lonely_target(d):
    item_named(d, "eq-1")["diagnostic"] = False


def _skill_bkt_slip(d):
    d["skills"][1]["bkt"] = {"slip": 0.5}


def _unreachable(d):
    item_named(d, "eq-1")["answer_groups"][1].pop("destination")


def _item_unknown_skill(d):
    item_named(d, "add-2")["skills"] = ["adding", "subtracting"]


def _threshold_one(d):
    d["settings"]["mastery_threshold"] = 1.0


def _version(d):
    d["schema_version"] = 2


def _regex_without_pattern(d):
    item_named(d, "add-2")["answer_groups"][1]["match"] = {"mode": "regex"}


def _wrong_match_field(d):
    item_named(d, "eq-1")["answer_groups"][0]["match"] = {"choice": "a", "value": 1}


def _missing_rule_field(d):
    item_named(d, "eq-1")["answer_groups"][0]["match"] = {}


def _order_incomplete(d):
    item_named(d, "eq-3")["answer_groups"][1]["match"]["order"] = ["half", "third"]


def _misconception_on_correct(d):
    item_named(d, "eq-1")["answer_groups"][0]["misconception"] = "oops"


def _bad_destination(d):
    item_named(d, "eq-1")["default_destination"] = {"page": "nope"}


ONE_PROBLEM = [
    (_dup_choice, "duplicate-id", "items[0].choices[3].id", "error"),
    (_dup_page, "duplicate-id", "pages[3].id", "error"),
    (_self_prereq, "prerequisite-cycle", "skills[0].prerequisites[0]", "error"),
    (_three_cycle, "prerequisite-cycle", "skills[1].prerequisites[0]", "error"),
    (_no_correct, "no-correct-group", "items[2].answer_groups", "error"),
    (_unknown_order_choice, "unknown-choice", "items[2].answer_groups[1].match.order[2]", "error"),
    (_inverted_range, "numeric-range-inverted", "items[3].answer_groups[2].match.low", "error"),
    (_lonely_target, "few-diagnostic-items", "skills[0]", "warning"),
    (_skill_bkt_slip, "bkt-guess-slip", "skills[1].bkt.slip", "error"),
    (_unreachable, "unreachable-page", "pages[2]", "warning"),
    (_item_unknown_skill, "unknown-skill", "items[4].skills[1]", "error"),
    (_threshold_one, "mastery-threshold-range", "settings.mastery_threshold", "error"),
    (_version, "unsupported-schema-version", "schema_version", "error"),
    (_regex_without_pattern, "text-rule-missing", "items[4].answer_groups[1].match", "error"),
    (
        _wrong_match_field,
        "schema-additional-properties",
        "items[0].answer_groups[0].match.value",
        "error",
    ),
    (_missing_rule_field, "schema-required", "items[0].answer_groups[0].match.choice", "error"),
    (_order_incomplete, "order-incomplete", "items[2].answer_groups[1].match.order", "error"),
    (
        _misconception_on_correct,
        "misconception-on-correct",
        "items[0].answer_groups[0].misconception",
        "warning",
    ),
    (_bad_destination, "dangling-destination", "items[0].default_destination.page", "error"),
]


@pytest.mark.parametrize(
    ("mutate", "code", "path", "severity"), ONE_PROBLEM, ids=[c[0].__name__ for c in ONE_PROBLEM]
)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_one_problem(mutate, code, path, severity, fmt) -> None:
    data = good_data()
    mutate(data)
    text = yaml.safe_dump(data, sort_keys=False) if fmt == "yaml" else json.dumps(data, indent=1)
    problems = validate_text(text, f"m.{fmt}")
    assert [(p.code, p.path, p.severity) for p in problems] == [(code, path, severity)]
    [problem] = problems
    assert problem.line is not None
    # The reported line is inside the text for that path (or its parent's first line).
    assert 1 <= problem.line <= len(text.splitlines())


def test_validate_module_on_hand_built_module_without_lines() -> None:
    module = load_module(GOOD)
    from dataclasses import replace

    bad = replace(module, settings=replace(module.settings, practice_cap=0))
    problems = validate_module(bad)
    assert [(p.code, p.line, p.file) for p in problems] == [
        ("practice-cap-range", None, "<module>")
    ]
    assert str(problems[0]) == (
        "<module>: settings.practice_cap: practice_cap must be at least 1, got 0 "
        "[practice-cap-range]"
    )


def test_a_quiz_a_click_can_pass_is_named_per_skill() -> None:
    """An imported true/false quiz: every item is right for half the random clicks, and
    guessing learners were awarded such skills (docs/benchmarks.md, "Guessing learner").
    One typed item in a skill is enough for the warning to go (a guess misses it)."""
    from adaptive.importers import import_source
    from adaptive.modules.loader import validate_text
    from adaptive.simulation.quizzes import gift_quiz_text

    text = gift_quiz_text(2, items=4, skills=2)
    found = [p for p in validate_text(import_source(text.encode(), "q.gift").yaml_text)
             if p.code == "guessable-skill"]
    assert [p.path for p in found] == ["skills[0]", "skills[1]"]
    assert "at least 1 time in 2:" in found[0].message and found[0].severity == "warning"
    typed = text.replace("$CATEGORY: Beta\n\n",
                         "::Alpha typed:: How many sides has a square? {#4}\n\n"
                         "$CATEGORY: Beta\n\n")
    found = [p for p in validate_text(import_source(typed.encode(), "q.gift").yaml_text)
             if p.code == "guessable-skill"]
    assert [p.path for p in found] == ["skills[1]"]
