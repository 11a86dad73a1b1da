"""Every reason an answer is refused, as a learner can meet it, reads in Spanish and French.

The engine's reasons are English sentences the interface looks up in its catalogues by
their text; one that carried the learner's answer ("cannot read 'abc' as a number") was
never found there, so a French learner read it in English.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from adaptive.grading.answers import evaluate_answer
from adaptive.modules.loader import parse_module
from lti_tool.deep_linking import authoring
from lti_tool.protocol import claims
from lti_tool.runner.answers import AnswerFormError, parse_answer

from .conftest import Learner, launch_token

ROOT = Path(__file__).resolve().parents[2]

MODULE = """
schema_version: 1
id: refusals
title: Refusals
skills:
  - {id: s, title: S}
items:
  - id: num
    type: numeric
    skills: [s]
    diagnostic: true
    prompt: How much is half of 3?
    answer_groups:
      - {match: {value: 1.5, tolerance: 0}, correct: true}
  - id: text
    type: short_text
    skills: [s]
    prompt: Name it.
    answer_groups:
      - {match: {text: half}, correct: true}
  - id: one
    type: single_choice
    skills: [s]
    prompt: Pick.
    choices: [{id: a, text: A}, {id: b, text: B}]
    answer_groups:
      - {match: {choice: a}, correct: true}
  - id: many
    type: multiple_choice
    skills: [s]
    prompt: Pick some.
    choices: [{id: a, text: A}, {id: b, text: B}]
    answer_groups:
      - {match: {choices: [a]}, correct: true}
  - id: order
    type: ordering
    skills: [s]
    prompt: Order.
    choices: [{id: a, text: A}, {id: b, text: B}]
    answer_groups:
      - {match: {order: [a, b]}, correct: true}
"""
# What a learner can type into the answer box, or send with the page's own controls.
TYPED = {
    "num": ["abc", "3/x", "1/0", "1.000", "17,576", "1,2,3", "1e999", "9" * 101, "½x", " "],
    "text": [" ", "x" * 1001],
}
FORMS = {"one": {}, "many": {}, "order": {"pos-a": ["1"]}, "text": {"answer": [" "]}}


def _catalogue(lang: str) -> dict[str, str]:
    path = ROOT / f"lti_tool/translations/{lang}/LC_MESSAGES/messages.po"
    with open(path, "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def refusals() -> set[str]:
    module, problems = parse_module(MODULE, "refusals.yaml")
    assert module is not None, problems
    found = set()
    for item_id, answers in TYPED.items():
        for answer in answers:
            for language in ("en", "es", "fr"):
                result = evaluate_answer(module.item(item_id), answer, language)
                if not result.valid:
                    found.add(result.error)
    forms = {**FORMS, "order-same": {"pos-a": ["1"], "pos-b": ["1"]}}
    for key, form in forms.items():
        try:
            parse_answer(module.item(key.removesuffix("-same")), form)
        except AnswerFormError as exc:
            found.add(str(exc))
    return found


def test_the_refusals_are_found():
    found = refusals()
    assert "write 1000 for a thousand, or 1,5 for one and a half" in found
    assert "give each entry a different position" in found
    assert len(found) >= 12, found


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_every_refusal_of_an_answer_is_translated(lang):
    catalogue = _catalogue(lang)
    assert sorted(r for r in refusals() if not catalogue.get(r)) == []


def test_a_french_learner_reads_why_a_number_was_refused_in_french(client, lms):
    saved = authoring.save_module(MODULE, owner_user_pk=None, filename="refusals.yaml")
    assert saved.saved is not None, (saved.error, saved.problems)
    presentation = {"locale": "fr", "return_url": "https://lms.test/course"}
    learner = Learner(client, launch_token(client, lms, module="refusals",
                                           **{claims.LAUNCH_PRESENTATION: presentation}))
    learner.open()
    assert learner.item_id == "num"
    learner.answer({"answer": ["abc"]})
    page = html.unescape(learner.html)
    assert "impossible de lire cela comme un nombre" in page
    assert "cannot read" not in page
    assert 'value="abc"' in page  # what was typed stays in the box
