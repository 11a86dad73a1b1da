"""Item variants (issue 12.6): format, safe expressions, validation, engine, samples."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    current_step,
    item_for_step,
    next_step,
    start,
    step_from_dict,
    step_to_dict,
)
from adaptive.grading.answers import evaluate_answer
from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.modules.variants import (
    VariantError,
    draw,
    evaluate,
    shown_values,
    variant_item,
    with_values,
)
from adaptive.samples import load_sample
from adaptive.simulation.runner import answer_matching, wrong_answer

MODULE = """
schema_version: 1
id: v
title: Variants
skills:
  - {id: add, title: Adding}
items:
  - id: plus
    type: numeric
    skills: [add]
    variants:
      params:
        a: {min: 1, max: 9, default: 2}
        b: {values: [10, 20, 30]}
      derived: {s: "a + b"}
      where: ["a != 5"]
    prompt: "What is {{a}} + {{b}}?"
    answer_groups:
      - match: {value: "s", tolerance: 0}
        correct: true
        feedback: "Yes: {{s}}."
      - match: {value: "a * b"}
        correct: false
        feedback: "You multiplied."
        misconception: times
    hints: ["Count on {{a}} from {{b}}."]
  - id: plain
    type: single_choice
    skills: [add]
    prompt: Pick a.
    choices: [{id: a, text: A}, {id: b, text: B}]
    answer_groups:
      - {match: {choice: a}, correct: true}
      - {match: {choice: b}, correct: false}
"""


def load(text: str = MODULE):
    module, problems = parse_module(text, "v.yaml")
    assert module is not None, [str(p) for p in problems]
    # Only the variant checks are under test here; the test module is one choice item.
    noise = {"few-diagnostic-items", "bkt-guess-below-chance"}
    return module, [p for p in problems if p.code not in noise]


def codes(text: str) -> set[str]:
    return {p.code for p in parse_module(text, "v.yaml")[1]}


def test_loaded_item_is_the_authors_instance_and_round_trips():
    module, problems = load()
    assert problems == []
    item = module.item("plus")
    assert item.prompt == "What is 2 + 10?"
    assert item.answer_groups[0].match.value == 12.0
    assert item.answer_groups[1].match.value == 20.0
    assert item.hints == ("Count on 2 from 10.",)
    data = module_to_dict(module)
    written = next(i for i in data["items"] if i["id"] == "plus")
    assert written["prompt"] == "What is {{a}} + {{b}}?"
    assert written["answer_groups"][0]["match"]["value"] == "s"
    assert written["variants"]["where"] == ["a != 5"]
    import yaml

    again, problems = parse_module(yaml.safe_dump(data), "again.yaml")
    assert again is not None and not [p for p in problems if p.is_error]
    assert again.item("plus").prompt == item.prompt


def test_draws_are_deterministic_distinct_and_respect_where():
    module, _ = load()
    variants = module.item("plus").variants
    seq = [draw(variants, 7, "plus", k) for k in range(12)]
    assert seq == [draw(variants, 7, "plus", k) for k in range(12)]
    keys = [(e["a"], e["b"]) for e in seq]
    assert len(set(keys)) == 12  # 8 × 3 = 24 valid combinations: no repeat before 24
    assert all(e["a"] != 5 and e["s"] == e["a"] + e["b"] for e in seq)
    other = [draw(variants, 8, "plus", k) for k in range(12)]
    assert other[0] == seq[0] and other[1:] != seq[1:]  # showing 0 is the author's


def test_small_space_cycles_instead_of_failing():
    text = MODULE.replace("a: {min: 1, max: 9, default: 2}", "a: {values: [1, 2], default: 2}")
    module, problems = load(text)
    assert {p.code for p in problems} == {"variant-few"}
    variants = module.item("plus").variants
    keys = [(e["a"], e["b"]) for e in (draw(variants, 0, "plus", k) for k in range(12))]
    assert len(set(keys[:6])) == 6 and set(keys) == set(keys[:6])


@pytest.mark.parametrize("expr", [
    "__import__('os')", "a.__class__", "open('x')", "[1, 2]", "lambda: 1", "'text'",
    "2 ** 100000", "a[0]",
])
def test_unsafe_or_runaway_expressions_are_refused(expr):
    with pytest.raises(VariantError):
        evaluate(expr, {"a": 3})


def test_expressions():
    env = {"a": 6, "b": 4}
    assert evaluate("gcd(a, b) + lcm(a, b)", env) == 14
    assert evaluate("a / b", env) == 1.5
    assert evaluate("a if a > b else b", env) == 6
    assert evaluate("median(1, 9, 3)", {}) == 3
    with pytest.raises(VariantError):
        evaluate("a / (b - 4)", env)
    with pytest.raises(VariantError):
        evaluate("c + 1", env)


@pytest.mark.parametrize(("change", "code"), [
    (("{{a}} + {{b}}?", "{{a}} + {{z}}?"), "variant-placeholder"),
    (('derived: {s: "a + b"}', 'derived: {s: "a + q"}'), "variant-expression"),
    (('derived: {s: "a + b"}', 'derived: {s: "a +"}'), "variant-expression"),
    (("a: {min: 1, max: 9, default: 2}", "a: {min: 9, max: 1}"), "variant-param"),
    # NaN and infinity (YAML's .nan / .inf, or an editor field): an error, not a crash.
    (("a: {min: 1, max: 9, default: 2}", "a: {min: .nan, max: 9}"), "variant-param"),
    (("a: {min: 1, max: 9, default: 2}", "a: {min: 1, max: .inf}"), "variant-param"),
    (("a: {min: 1, max: 9, default: 2}", "a: {min: 1, max: 9, step: .nan}"), "variant-param"),
    (("a: {min: 1, max: 9, default: 2}", "a: {values: [1, .nan, 3]}"), "variant-param"),
    (("a: {min: 1, max: 9, default: 2}", "a: {min: 1, max: 9, default: 42}"), "variant-param"),
    (('where: ["a != 5"]', 'where: ["a > 100"]'), "variant-invalid"),
    (('prompt: "What is {{a}} + {{b}}?"', 'prompt: "What is the sum?"'), "variant-prompt"),
    (('value: "a * b"', 'value: "a + b"'), "variant-ambiguous"),
])
def test_validator_checks_variants(change, code):
    old, new = change
    assert old in MODULE
    assert code in codes(MODULE.replace(old, new))


def test_variant_syntax_without_variants_is_reported():
    text = MODULE.replace("""    variants:
      params:
        a: {min: 1, max: 9, default: 2}
        b: {values: [10, 20, 30]}
      derived: {s: "a + b"}
      where: ["a != 5"]
""", "")
    found = codes(text)
    assert "variant-expression" in found and "variant-placeholder" in found


def test_duplicate_choice_texts_in_a_draw_are_an_error():
    text = MODULE + """
  - id: pick
    type: single_choice
    skills: [add]
    variants:
      params: {x: {min: 1, max: 3}, y: {min: 1, max: 3, default: 2}}
    prompt: "Pick {{x}}."
    choices: [{id: a, text: "{{x}}"}, {id: b, text: "{{y}}"}]
    answer_groups:
      - {match: {choice: a}, correct: true}
      - {match: {choice: b}, correct: false}
"""
    assert "variant-choices" in codes(text)


def test_engine_shows_new_numbers_and_grades_them():
    """Asked again, an item with variants has new numbers, and the old answer is wrong."""
    module, _ = load()
    settings = ActivitySettings(diagnostic_items=0, practice_cap=6, mastery_threshold=0.99)
    result = start(module, settings, seed=3)
    shown: dict[str, list] = {}
    for _ in range(6):
        step = result.step
        if isinstance(step, Finish):
            break
        assert isinstance(step, AskItem)
        item = item_for_step(module, result.state, step)
        assert step_from_dict(step_to_dict(step)) == step
        assert item_for_step(module, result.state, current_step(module, result.state)) == item
        shown.setdefault(step.item_id, []).append((step.variant, item))
        if step.item_id == "plus" and step.variant > 0:
            old = shown["plus"][0][1].answer_groups[0].match.value
            assert item.answer_groups[0].match.value != old
            graded = next_step(module, result.state, ItemAnswer("plus", old))
            assert graded.evaluation.correct is False
        answer = "b" if step.item_id == "plain" else item.answer_groups[1].match.value
        result = next_step(module, result.state, ItemAnswer(step.item_id, answer))
    variants = [v for v, _ in shown["plus"]]
    assert variants == list(range(len(variants))) and len(variants) >= 2
    prompts = [i.prompt for _, i in shown["plus"]]
    assert len(set(prompts)) == len(prompts)


# --------------------------------------------------------------------------- samples

def _answer_for(item, group):
    match = group.match
    if match.mode == "regex" and match.pattern:
        return re.sub(r"\\s[*+?]", "", match.pattern)
    return answer_matching(item, match)


@pytest.mark.parametrize("sample", ["fractions", "statistics-basics"])
def test_sample_variants_grade_every_group_in_every_draw(sample):
    module = load_sample(sample)
    varied = [i for i in module.items if i.variants is not None]
    assert len({i.primary_skill for i in varied}) == len(module.skills)  # every skill has some
    for item in varied:
        for seed in range(3):
            for k in range(16):
                shown = variant_item(item, seed, k)
                assert "{{" not in shown.prompt and all("{{" not in c.text for c in shown.choices)
                for index, group in enumerate(shown.answer_groups):
                    result = evaluate_answer(shown, _answer_for(shown, group))
                    assert result.group_index == index, (item.id, seed, k, index)


def _question(item) -> tuple:
    return (item.prompt, tuple(sorted(c.text for c in item.choices)))


@pytest.mark.parametrize("sample", ["fractions", "statistics-basics"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_learner_at_the_practice_cap_never_sees_the_same_question_twice(sample, seed):
    """An all-wrong learner takes every skill's diagnostic and the whole practice cap (and
    the remediation pages, at most twice per skill): no question is ever shown twice."""
    module = load_sample(sample)
    rng = np.random.default_rng(seed)
    result = start(module, seed=seed)
    asked: list[tuple] = []
    remediation: dict[str, int] = {}
    while not isinstance(result.step, Finish):
        step = result.step
        if isinstance(step, ShowPage):
            if step.reason == "remediation":
                remediation[step.skill] = remediation.get(step.skill, 0) + 1
            response = PageSeen(step.page_id)
        else:
            item = item_for_step(module, result.state, step)
            asked.append(_question(item))
            response = ItemAnswer(step.item_id, wrong_answer(item, rng))
        result = next_step(module, result.state, response)
    practice = result.state["skills"][module.skills[0].id]["practice"]
    assert practice == module.settings.practice_cap  # the cap was reached
    assert len(asked) > module.settings.practice_cap + 2
    assert len(set(asked)) == len(asked)
    assert remediation and max(remediation.values()) <= 2


def test_recorded_values_re_create_each_showing():
    """What an answer event keeps (shown_values) gives back the item as shown (with_values),
    also when the learner's seed or the draw is no longer at hand; values that no longer fit
    the item are an error, not a silently wrong question."""
    module, _ = load()
    item = module.item("plus")
    prompts = set()
    for k in range(5):
        values = shown_values(item, 11, k)
        assert values == draw(item.variants, 11, "plus", k)
        shown = with_values(item, values)
        assert shown == variant_item(item, 11, k) if k else shown.prompt == item.prompt
        prompts.add(shown.prompt)
    assert len(prompts) == 5
    assert shown_values(replace(item, variants=None), 11, 2) is None
    with pytest.raises(VariantError):
        with_values(item, {"zz": 1})
