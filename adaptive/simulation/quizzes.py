"""Quizzes as teachers import them, for measuring the engine on modules unlike the samples.

The shipped samples mix choice items with typed answers and set each skill's guess at or
above its items' chance rates. A quiz imported from Moodle (GIFT) is often all choice items,
true/false among them, under the importer's default parameters: the case the guessing-learner
benchmark (``bench/guessing_learner.py``) and the grade tests check as well.
"""

from __future__ import annotations

from adaptive.importers import import_source
from adaptive.modules.format import Module
from adaptive.modules.loader import build_module

CATEGORIES = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta")


def gift_quiz_text(choices: int, items: int = 8, skills: int = 3) -> str:
    """GIFT source of ``skills`` categories of ``items`` single-choice questions with
    ``choices`` answers each (2: true/false questions, half of them true)."""
    if not 2 <= choices <= 10 or not 1 <= skills <= len(CATEGORIES) or items < 1:
        raise ValueError("choices 2-10, skills 1-6, items >= 1")
    out = []
    for cat in CATEGORIES[:skills]:
        out.append(f"$CATEGORY: {cat}\n\n")
        for k in range(items):
            if choices == 2:
                body = "{T}" if k % 2 else "{F}"
            else:
                body = "{=right " + " ".join(f"~wrong{j}" for j in range(choices - 1)) + "}"
            out.append(f"::{cat} {k}:: Statement {k} of {cat}. {body}\n\n")
    return "".join(out)


def imported_quiz(choices: int, items: int = 8, skills: int = 3) -> Module:
    """The module Branchwise's importer makes of :func:`gift_quiz_text`."""
    result = import_source(gift_quiz_text(choices, items, skills).encode(), "quiz.gift")
    if not result.ok:
        raise ValueError(f"the importer refused the quiz: {result.problems}")
    return build_module(result.data)
