"""A Spanish or French learner sees an item's drawn numbers written their way, and the
number typed as the question writes it is taken as right (Flask test client, real SQLite).

One launch per test: the fixtures' app context (Babel's cached locale) spans one test.
"""

from __future__ import annotations

import html
import re

import pytest

from lti_tool.deep_linking import authoring
from lti_tool.protocol import claims

from .conftest import Learner, launch_token

NNBSP = "\u202f"

# A teacher's module written in the learner's language (LANGUAGE), one item with variants:
# 12 000,5 on the first showing, other numbers on each later one.
MODULE = r"""
schema_version: 1
id: big-LANGUAGE
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
        b: {values: [3, 5, 7], default: 5}
      derived: {x: "a + b / 10"}
    prompt: "Copy the number {{x}}."
    answer_groups:
      - match: {value: "x", tolerance: 0}
        correct: true
        feedback: "Yes: $x = {{x}}$."
    default_feedback: "Copy it digit by digit."
"""
SHOWN = re.compile(rf"Copy the number (\d\d{NNBSP}000,\d)\.")


def _launch(client, lms, language: str) -> Learner:
    text = MODULE.replace("LANGUAGE", language)
    saved = authoring.save_module(text, owner_user_pk=None, filename="big.yaml")
    assert saved.saved is not None, (saved.error, saved.problems)
    presentation = {"locale": language, "return_url": "https://lms.test/course"}
    token = launch_token(client, lms, module=f"big-{language}",
                         **{claims.LAUNCH_PRESENTATION: presentation})
    return Learner(client, token).open()


def _shown(learner: Learner) -> str:
    found = SHOWN.search(html.unescape(learner.html))
    assert found, re.findall(r"Copy the number[^<]*", learner.html)
    return found.group(1)


@pytest.mark.parametrize("language", ["es", "fr"])
def test_drawn_numbers_are_written_and_read_the_learners_way(client, lms, language):
    learner = _launch(client, lms, language)
    assert learner.kind == "item"
    assert _shown(learner) == f"12{NNBSP}000,5"  # not "12000.5"
    learner.answer({"answer": ["1"]})  # wrong: the skill is practised, the item drawn anew
    assert learner.kind == "feedback"
    learner.next()
    assert learner.kind == "item" and learner.item_id == "copy"
    again = _shown(learner)
    assert again != f"12{NNBSP}000,5"
    # Typed as shown, with the space a keyboard gives: right, and the feedback's formula
    # shows the same number, one MathML number with its groups and decimal comma.
    learner.answer({"answer": [again.replace(NNBSP, " ")]})
    assert learner.kind == "feedback"
    assert "Yes:" in learner.html, learner.html[-3000:]
    formula = learner.html[learner.html.index("Yes:"):]
    assert f"<mn>{again}</mn>" in formula, formula[:600]
