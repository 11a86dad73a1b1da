"""Numbers drawn for item variants are written the learner's way, and read back that way.

A Spanish or French learner is asked with a decimal comma ("7,4") and sees large numbers in
groups ("12 000,5", a narrow no-break space), in sentences and in formulas alike; a number
typed the way the question writes it is accepted. English keeps the author's digits.
"""

from __future__ import annotations

import re

import pytest

from adaptive.engine import AskItem, item_for_step, start
from adaptive.grading.answers import evaluate_answer
from adaptive.modules.loader import parse_module
from adaptive.modules.math_spans import math_spans
from adaptive.modules.translations import localise
from adaptive.modules.variants import format_value, variant_item, with_values
from adaptive.samples import load_sample

NNBSP = "\u202f"

MODULE = r"""
schema_version: 1
id: big
title: Big numbers
language: LANGUAGE
skills:
  - {id: s, title: S}
items:
  - id: copy
    type: numeric
    skills: [s]
    diagnostic: true
    variants:
      params:
        a: {values: [12000, 15000, 21000], default: 12000}
        b: {values: [5, 7], default: 5}
      derived: {x: "a + b / 10", half: "b / 2"}
    prompt: 'Copy {{x}}; then $\frac{{{b}}}{2} = {{half}}$.'
    answer_groups:
      - match: {value: "x", tolerance: 0}
        correct: true
        feedback: "Yes: $x = {{x}}$."
  - id: word
    type: short_text
    skills: [s]
    variants:
      params:
        b: {values: [5, 7], default: 5}
      derived: {half: "b / 2"}
    prompt: "Half of {{b}}?"
    answer_groups:
      - match: {text: "{{half}}", mode: normalised}
        correct: true
"""


def module_in(language: str):
    module, problems = parse_module(MODULE.replace("LANGUAGE", language), "big.yaml")
    assert module is not None, [str(p) for p in problems]
    return module


@pytest.mark.parametrize(("value", "language", "in_math", "text"), [
    (7.4, None, False, "7.4"),
    (7.4, "en", True, "7.4"),
    (17576, "en", False, "17576"),  # no thousands comma: English answers refuse "17,576"
    (7.4, "es", False, "7,4"),
    (7.4, "fr-CA", True, "7{,}4"),
    (-0.95, "es", True, "-0{,}95"),
    (1000, "es", False, "1000"),  # four digits stay together (SI, Spanish typography)
    (12000.5, "es", False, f"12{NNBSP}000,5"),
    (12000.5, "fr", True, "12\\,000{,}5"),
    (1234567, "fr", False, f"1{NNBSP}234{NNBSP}567"),
    (3.0, "fr", False, "3"),
    (True, "fr", False, "true"),
])
def test_format_value(value, language, in_math, text):
    assert format_value(value, language, in_math=in_math) == text


def test_math_spans_are_the_renderers():
    text = r"Copy 12; then $\frac{5}{2} = 2.5$ and $$x = 1$$ but not $5 or $6."
    found = [text[a:b] for a, b in math_spans(text)]
    assert found == [r"$\frac{5}{2} = 2.5$", "$$x = 1$$"]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_module_in_a_comma_language_shows_its_numbers_that_way(language):
    module = module_in(language)
    item = module.item("copy")  # the author's instance, as loaded
    assert item.prompt == f"Copy 12{NNBSP}000,5; then $\\frac{{5}}{{2}} = 2{{,}}5$."
    assert item.answer_groups[0].feedback == "Yes: $x = 12\\,000{,}5$."
    # Later showings (new numbers) are written the same way.
    state = start(module, seed=3).state
    shown = item_for_step(module, state, AskItem("copy", "s", "practice", variant=1))
    assert re.fullmatch(rf"Copy \d\d{NNBSP}000,\d; then \$\\frac\{{\d\}}\{{2\}} = \d\{{,\}}5\$\.",
                        shown.prompt), shown.prompt


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_number_typed_as_the_question_writes_it_is_accepted(language):
    module = module_in(language)
    for k in range(4):
        item = variant_item(module.item("copy"), 11, k, language)
        written = re.search(r"Copy (.+?);", item.prompt).group(1)  # "12 000,5", NNBSP
        for typed in (written, written.replace(NNBSP, " "), written.replace(NNBSP, "")):
            result = evaluate_answer(item, typed, language)
            assert result.valid and result.correct, (typed, result)


def test_a_short_text_answer_is_accepted_written_either_way():
    module = module_in("fr")
    item = module.item("word")
    assert item.answer_groups[0].match.text == "2,5"
    for typed in ("2,5", "2.5"):
        assert evaluate_answer(item, typed, "fr").correct, typed
    english = module_in("en").item("word")
    assert english.answer_groups[0].match.also == ()  # nothing added where nothing differs


def test_english_is_as_the_author_wrote_it():
    item = module_in("en").item("copy")
    assert item.prompt == "Copy 12000.5; then $\\frac{5}{2} = 2.5$."
    assert evaluate_answer(item, "12000.5", "en").correct


def test_the_spanish_and_french_samples_write_drawn_decimals_with_a_comma():
    """The shipped statistics sample: a mean of 7.4 is 7,4 in the Spanish and French
    solution (a formula) and feedback; English keeps 7.4."""
    sample = load_sample("statistics-basics")
    values = {"a": 8, "b": 10, "c": 9, "d": 5, "e": 5, "s": 37, "m": 7.4, "s4": 9.25}
    for language, mean in (("es", "7{,}4"), ("fr", "7{,}4"), ("en", "7.4")):
        module = localise(sample, language)
        item = with_values(module.item("ce-v1"), values, module.language)
        assert item.solution.endswith(f"= {mean}$."), item.solution
        assert f"{mean}$" in item.answer_groups[0].feedback
    security = localise(load_sample("security-awareness"), "es")
    item = with_values(security.item("pw-4"), {"L": 11, "e": 3, "n": 14, "ratio": 17576,
                                                "add": 78, "lin": 14 / 11}, "es")
    assert "= 17\\,576$" in item.solution
