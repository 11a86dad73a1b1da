"""The sample modules shipped in ``adaptive.samples``: valid, complete and correct.

Answers are derived from each answer group's own rule (a choice id, a set of
choices, a number, a text, or an example built from a regex), so the test
checks that every correct group really grades as correct and that every wrong
group is reachable and reports its misconception.
"""

from __future__ import annotations

import re
import statistics
from fractions import Fraction
from math import gcd, lcm

import pytest

from adaptive.grading.answers import evaluate_answer
from adaptive.modules.format import AnswerGroup, Item, ItemType, Module
from adaptive.modules.loader import validate_text
from adaptive.samples import load_sample, sample_ids, sample_path, sample_text
from adaptive.simulation.runner import answer_matching

EXPECTED_SAMPLES = ["fractions", "security-awareness", "statistics-basics"]


@pytest.fixture(scope="module", params=EXPECTED_SAMPLES)
def module(request: pytest.FixtureRequest) -> Module:
    return load_sample(request.param)


# --------------------------------------------------------------- answers from rules


def _closing(pattern: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "(":
            depth += 1
        elif pattern[i] == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced pattern {pattern!r}")


def _alternatives(pattern: str) -> list[str]:
    parts, depth, current, i = [], 0, "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            current += pattern[i : i + 2]
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    parts.append(current)
    return parts


def example_for(pattern: str) -> str:
    """The shortest-looking string the (simple) authoring regex accepts.

    Supports what the samples use: literals, ``\\s``/``\\.`` escapes, ``[..]``
    classes, groups with ``|`` and the ``?``, ``*`` and ``+`` quantifiers.
    Optional parts are left out; each group takes its first alternative.
    """
    alternatives = _alternatives(pattern)
    if len(alternatives) > 1:
        return example_for(alternatives[0])
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1]
            atom = " " if escaped == "s" else escaped
            i += 2
        elif char == "(":
            end = _closing(pattern, i)
            atom = example_for(pattern[i + 1 : end])
            i = end + 1
        elif char == "[":
            end = pattern.index("]", i)
            atom = pattern[i + 1]
            i = end + 1
        else:
            atom = char
            i += 1
        if i < len(pattern) and pattern[i] in "?*":
            atom = ""
            i += 1
        elif i < len(pattern) and pattern[i] == "+":
            i += 1
        out.append(atom)
    return "".join(out)


def answer_for(item: Item, group: AnswerGroup) -> object:
    """An answer that satisfies ``group``'s rule, in the shape evaluate_answer takes: the
    simulation's own answer, except that a regex rule gets an example built from its pattern."""
    match = group.match
    if item.type == ItemType.SHORT_TEXT and match.mode == "regex":
        assert match.pattern is not None
        example = example_for(match.pattern)
        assert re.fullmatch(match.pattern, example.strip(), re.IGNORECASE), (
            item.id,
            match.pattern,
            example,
        )
        return example
    return answer_matching(item, match)


# ------------------------------------------------------------------------- package


def test_sample_ids_lists_every_shipped_module() -> None:
    assert sample_ids() == EXPECTED_SAMPLES


@pytest.mark.parametrize("sample_id", EXPECTED_SAMPLES)
def test_sample_files_are_reachable(sample_id: str) -> None:
    assert sample_path(sample_id).is_file()
    assert sample_text(sample_id) == sample_path(sample_id).read_text(encoding="utf-8")
    assert load_sample(sample_id).id == sample_id


def test_unknown_sample_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        sample_text("no-such-sample")


@pytest.mark.parametrize("sample_id", EXPECTED_SAMPLES)
def test_validates_without_errors_or_warnings(sample_id: str) -> None:
    problems = validate_text(sample_text(sample_id), f"{sample_id}.yaml")
    assert [str(p) for p in problems] == []


# ------------------------------------------------------------------------- structure


def test_module_header(module: Module) -> None:
    assert module.schema_version == 1
    assert module.title and module.description
    assert module.language == "en"
    assert module.estimated_minutes and module.estimated_minutes > 0


def test_size_and_item_types(module: Module) -> None:
    assert len(module.skills) >= 4
    assert len(module.items) >= 30
    assert {item.type for item in module.items} == set(ItemType)


def test_prerequisites_form_a_dag_with_edges(module: Module) -> None:
    assert any(skill.prerequisites for skill in module.skills)
    order: list[str] = []
    remaining = {s.id: set(s.prerequisites) for s in module.skills}
    while remaining:
        ready = [sid for sid, pre in remaining.items() if pre <= set(order)]
        assert ready, f"prerequisite cycle among {sorted(remaining)}"
        order.extend(sorted(ready))
        for sid in ready:
            del remaining[sid]


def test_every_skill_has_lesson_items_diagnostics_and_remediation(module: Module) -> None:
    remediation_targets = {
        group.destination.target
        for item in module.items
        for group in item.answer_groups
        if not group.correct and group.destination.kind == "page"
    }
    for skill in module.skills:
        assert skill.lesson, skill.id
        lesson = module.page(skill.lesson)
        assert lesson.kind == "lesson" and lesson.skill == skill.id
        assert "Worked example" in lesson.body, skill.id
        items = module.items_for(skill.id)
        assert len(items) >= 6, skill.id
        assert sum(item.diagnostic for item in items) >= 2, skill.id
        remediation = [p for p in module.pages if p.kind == "remediation" and p.skill == skill.id]
        assert remediation, skill.id
        assert any(p.id in remediation_targets for p in remediation), skill.id


def test_items_are_fully_authored(module: Module) -> None:
    for item in module.items:
        assert item.prompt.strip(), item.id
        assert item.default_feedback.strip(), item.id
        assert 1 <= len(item.hints) <= 2, item.id
        assert item.solution.strip(), item.id
        assert -2 <= item.difficulty <= 2, item.id
        assert any(group.correct for group in item.answer_groups), item.id
        assert any(not group.correct for group in item.answer_groups), item.id
        for group in item.answer_groups:
            assert group.feedback.strip(), item.id
            if group.correct:
                assert group.misconception is None, item.id
            else:
                assert group.misconception, item.id


def test_item_destinations_route_to_easier_items(module: Module) -> None:
    routed = 0
    for item in module.items:
        for group in item.answer_groups:
            if group.destination.kind == "item":
                target = module.item(group.destination.target)
                assert not group.correct, item.id
                assert target.primary_skill == item.primary_skill, item.id
                assert target.difficulty < item.difficulty, item.id
                routed += 1
    assert routed >= 3


# ------------------------------------------------------------------------- grading


def test_every_group_grades_its_own_answer(module: Module) -> None:
    """Each group's rule is reachable (not shadowed) and grades as authored."""
    for item in module.items:
        for index, group in enumerate(item.answer_groups):
            answer = answer_for(item, group)
            result = evaluate_answer(item, answer)
            assert result.valid, (item.id, answer, result.error)
            assert result.group_index == index, (item.id, answer)
            assert result.correct is group.correct, (item.id, answer)
            assert result.misconception == group.misconception, (item.id, answer)
            assert result.feedback == group.feedback


def test_correct_numeric_answers_accept_typed_text(module: Module) -> None:
    for item in module.items:
        if item.type != ItemType.NUMERIC:
            continue
        for group in item.answer_groups:
            if group.correct and group.match.value is not None:
                value = group.match.value
                text = str(int(value)) if value == int(value) else f"{value:.3f}"
                assert evaluate_answer(item, text).correct, (item.id, text)


# ------------------------------------------------------------------ fractions maths

F = Fraction

# The exact value each fractions item asks for, worked out independently.
FRACTION_ANSWERS: dict[str, Fraction] = {
    "eq-2": F(3, 4) * 20,  # numerator over 20
    "eq-6": F(12, 28) * 7,  # numerator over 7
    "si-3": F(36, gcd(24, 36)),  # denominator of 24/36 in lowest terms
    "si-6": F(45, gcd(45, 60)),  # numerator of 45/60 in lowest terms
    "cd-1": F(lcm(4, 6)),
    "cd-6": F(lcm(10, 15)),
    "cd-8": F(lcm(8, 12, 6)),
    "as-2": F(1, 3) + F(1, 4),
    "as-4": F(3, 8) + F(2, 8),
    "as-7": F(3, 4) - F(2, 3),
}

FRACTION_TEXT_ANSWERS: dict[str, Fraction] = {
    "eq-5": F(2, 5),
    "si-1": F(6, 8),
    "as-3": F(5, 6) - F(1, 4),
}


def _correct_group(item: Item) -> AnswerGroup:
    return next(group for group in item.answer_groups if group.correct)


def test_fraction_numeric_answers_are_right() -> None:
    module = load_sample("fractions")
    for item_id, expected in FRACTION_ANSWERS.items():
        item = module.item(item_id)
        match = _correct_group(item).match
        assert match.value is not None
        assert abs(match.value - float(expected)) <= max(match.tolerance, 1e-6), item_id
        fraction_text = f"{expected.numerator}/{expected.denominator}"
        assert evaluate_answer(item, fraction_text).correct, (item_id, fraction_text)
        assert evaluate_answer(item, float(expected)).correct, item_id
        for group in item.answer_groups:
            if not group.correct and group.match.value is not None:
                assert abs(group.match.value - float(expected)) > match.tolerance, item_id


def test_fraction_text_answers_are_right_and_simplest() -> None:
    module = load_sample("fractions")
    for item_id, expected in FRACTION_TEXT_ANSWERS.items():
        item = module.item(item_id)
        text = answer_for(item, _correct_group(item))
        numerator, denominator = (int(part) for part in str(text).split("/"))
        assert F(numerator, denominator) == expected, item_id
        if item_id != "eq-5":  # eq-5 asks for a given denominator, not lowest terms
            assert gcd(numerator, denominator) == 1, item_id
        assert evaluate_answer(item, f" {numerator} / {denominator} ").correct, item_id


def test_fraction_choice_answers_are_right() -> None:
    module = load_sample("fractions")
    frac = re.compile(r"\\frac\{(\d+)\}\{(\d+)\}")

    def terms_of(item: Item, choice_id: str) -> tuple[int, int]:
        text = next(c.text for c in item.choices if c.id == choice_id)
        found = frac.search(text)
        assert found, (item.id, choice_id)
        return int(found.group(1)), int(found.group(2))

    def value_of(item: Item, choice_id: str) -> Fraction:
        return F(*terms_of(item, choice_id))

    # single choice: the correct choice's value
    singles = {
        "eq-1": F(2, 3),
        "si-2": F(3, 4),
        "as-1": F(1, 5) + F(2, 5),
        "as-8": F(2, 5) + F(3, 10) + F(1, 2),
    }
    for item_id, expected in singles.items():
        item = module.item(item_id)
        chosen = value_of(item, _correct_group(item).match.choice or "")
        assert chosen == expected, item_id
        others = [c.id for c in item.choices if c.id != _correct_group(item).match.choice]
        # si-2 asks for the simplest form: equal but unsimplified choices are wrong too.
        assert all(value_of(item, c) != expected or gcd(*terms_of(item, c)) > 1 for c in others), (
            item_id
        )
        if item_id == "si-2":
            assert gcd(*terms_of(item, _correct_group(item).match.choice or "")) == 1

    # select-all: exactly the choices equal to the target
    for item_id, target in {"eq-3": F(3, 5), "as-5": F(1, 2) + F(1, 3)}.items():
        item = module.item(item_id)
        equal = {c.id for c in item.choices if value_of(item, c.id) == target}
        assert equal == set(_correct_group(item).match.choices), item_id

    # greater than a half
    item = module.item("co-4")
    bigger = {c.id for c in item.choices if value_of(item, c.id) > F(1, 2)}
    assert bigger == set(_correct_group(item).match.choices)

    # orderings of fractions: smallest to largest
    for item_id in ("co-2", "co-7"):
        item = module.item(item_id)
        order = list(_correct_group(item).match.order)
        assert order == sorted(order, key=lambda c: value_of(item, c)), item_id


# ----------------------------------------------------------------- statistics maths


def _halves_iqr(values: list[float]) -> float:
    ordered = sorted(values)
    half = len(ordered) // 2
    lower, upper = ordered[:half], ordered[-half:]
    return statistics.median(upper) - statistics.median(lower)


def test_statistics_numeric_answers_are_right() -> None:
    module = load_sample("statistics-basics")
    pets = [0] * 5 + [1] * 8 + [2] * 4 + [3] * 3
    expected = {
        "ce-1": statistics.mean([3, 9, 4, 10, 4]),
        "ce-2": statistics.median([12, 5, 9, 20, 7, 15]),
        "ce-3": 4 * 7 - (4 + 5 + 9),
        "sp-1": max([14, 3, 22, 9, 17]) - min([14, 3, 22, 9, 17]),
        "sp-3": _halves_iqr([1, 3, 4, 6, 7, 9, 10, 12]),
        "so-2": statistics.mean([4, 5, 5, 6, 30]) - statistics.mean([4, 5, 5, 6]),
        "di-1": len(pets),
        "di-2": statistics.mean(pets),
        "cr-4": statistics.correlation([1, 2, 3, 4, 5], [3, 5, 7, 9, 11]),
    }
    for item_id, value in expected.items():
        item = module.item(item_id)
        assert evaluate_answer(item, value).correct, (item_id, value)


def test_statistics_choice_answers_are_right() -> None:
    module = load_sample("statistics-basics")
    salaries = [24, 26, 27, 29, 30, 31, 250]
    assert statistics.median(salaries) == 29
    assert round(statistics.mean(salaries), 1) == 59.6
    assert _correct_group(module.item("so-1")).match.choice == "a"

    data = [1, 2, 2, 4, 5, 22]
    measures = {
        "a": statistics.mean(data),
        "b": statistics.median(data),
        "c": statistics.mode(data),
        "d": max(data) - min(data),
    }
    order = list(_correct_group(module.item("so-7")).match.order)
    assert order == sorted(measures, key=measures.__getitem__)

    ranges = {"a": [20, 21, 22], "b": [50, 55, 60], "c": [0, 10, 20], "d": [30, 45, 60]}
    order = list(_correct_group(module.item("sp-6")).match.order)
    assert order == sorted(ranges, key=lambda c: max(ranges[c]) - min(ranges[c]))

    strengths = {"a": 0.1, "b": -0.45, "c": 0.6, "d": -0.9}
    order = list(_correct_group(module.item("cr-3")).match.order)
    assert order == sorted(strengths, key=lambda c: abs(strengths[c]))
