"""One module, several languages, in the activity: the launch locale picks the module's
language, every text falls back on its own, answers are read the learner's way, and an item
is the same item (same events, same analytics) in every language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from adaptive.modules.loader import load_module, module_to_dict
from lti_tool.deep_linking import authoring
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent
from lti_tool.modules.library import get_module, learner_module
from lti_tool.protocol import claims

from .conftest import Learner, launch_token

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "modules" / "translated" / "mini.yaml"


def _launch(client, lms, module: str, locale: str | None, sub: str) -> Learner:
    extra: dict = {claims.CUSTOM: {"module": module}, "sub": sub}
    if locale is not None:
        extra[claims.LAUNCH_PRESENTATION] = {"locale": locale,
                                             "return_url": "https://lms.test/course"}
    return Learner(client, launch_token(client, lms, **extra)).open()


def _halves_module() -> None:
    """The fixture module with its Spanish sibling folded into one text, as a teacher's
    module in the library is kept (translations in the file itself)."""
    text = json.dumps(module_to_dict(load_module(MINI)))
    result = authoring.save_module(text, owner_user_pk=None, filename="halves.json")
    assert result.saved is not None, (result.error, result.problems)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _wrong_form(item) -> dict:
    """A readable answer that no correct group takes (to be taught the lesson)."""
    right = {g.match.choice for g in item.answer_groups if g.correct}
    others = [c.id for c in item.choices if c.id not in right]
    if item.type == "single_choice":
        return {"answer": [others[0]]}
    if item.type == "multiple_choice":
        return {"answer": [others[0]] if others else []}
    if item.type == "ordering":
        return {f"pos-{c.id}": [str(len(item.choices) - i)] for i, c in enumerate(item.choices)}
    return {"answer": ["98765"]}


def test_a_spanish_locale_gets_the_spanish_sample(client, lms):
    learner = _launch(client, lms, "fractions", "es-MX", "ana")
    module = learner_module(get_module("fractions"), "es")
    assert module.language == "es" and learner.kind == "item"
    page = _text(learner.html)
    item = module.item(learner.item_id)
    assert " ".join(re.sub(r"[*_`]", "", item.prompt).split()[:2]) in page
    assert "Fracciones equivalentes" in page  # skill titles in the progress panel
    assert "Equivalent fractions" not in page
    assert "Volver al curso" in page  # and the interface in Spanish too
    # A skill not started yet: one skill, so no plural ("Todavía no alcanzadas" was shown
    # beside each one); the words also head the finish page's list of skills not reached.
    assert re.search(r"Simplificar fracciones\s*:\s*Todavía sin alcanzar", page), page
    assert "alcanzadas" not in page
    for _ in range(12):  # wrong diagnostic answers lead to the first lesson
        if learner.kind == "page":
            break
        if learner.kind == "feedback":
            learner.next()
            continue
        learner.answer(_wrong_form(module.item(learner.item_id)))
    assert learner.kind == "page"
    page = _text(learner.html)
    assert "¿Qué hace que dos fracciones sean iguales?" in page
    assert "What makes two fractions equal?" not in page
    # The figure's alt text is the Spanish one.
    assert 'alt="Dos barras de la misma longitud.' in learner.html


def test_an_english_learner_of_the_same_link_still_reads_english(client, lms):
    learner = _launch(client, lms, "fractions", "en-GB", "bob")
    page = _text(learner.html)
    assert "Equivalent fractions" in page and "Fracciones" not in page
    assert "Select **all**".replace("**", "") in page.replace("  ", " ")


def test_spanish_answers_feedback_hints_and_one_item_identity(client, lms):
    _halves_module()
    es = _launch(client, lms, "halves", "es-ES", "carmen")
    assert "Mitades" in _text(es.html)
    seen: dict[str, str] = {}
    for _ in range(10):
        if es.kind == "page":
            assert "¿Qué es una mitad?" in _text(es.html)
            es.continue_page()
            continue
        if es.kind != "item" or len(seen) == 3:
            break
        item_id = es.item_id
        page = _text(es.html)
        if item_id == "h-1":
            assert "¿Cuánto es la mitad de 1?" in page
            es.hint()
            assert "Corta un entero en dos partes iguales." in _text(es.html)
            es.answer({"answer": ["0,5"]})  # a decimal comma, read the Spanish way
            assert "Correcto, una mitad es 0,5." in _text(es.html)
        elif item_id == "h-2":
            es.answer({"answer": ["Mitad"]})  # the Spanish accepted answer, any case
            assert "Sí, una mitad." in _text(es.html)
        else:
            assert item_id == "h-3"
            # choice b has no Spanish translation: that one string stays English.
            assert "La mitad" in page and "A third" in page
            # ... and is marked as English inside the Spanish page (language of parts);
            # the translated choice is not.
            assert re.search(r'<span lang="en">\s*A third\s*</span>', es.html), es.html
            assert not re.search(r'<span lang="en">\s*La mitad', es.html)
            assert es.html.count('lang="en"') == 1
            es.answer({"answer": ["a"]})
            assert "Si se corta en menos trozos, cada trozo es más grande." in _text(es.html)
        seen[item_id] = "es"
        es.next()
    assert {"h-1", "h-2"} <= set(seen), seen  # the two diagnostic items
    # An English learner answers in English; "mitad" is not an English answer.
    en = _launch(client, lms, "halves", None, "dave")
    refused = False
    for _ in range(10):
        if en.kind == "page":
            en.continue_page()
        elif en.kind == "item" and en.item_id == "h-2":
            en.answer({"answer": ["mitad"]})
            assert 'It starts with "h".' in _text(en.html).replace("&quot;", '"')
            refused = True
            break
        elif en.kind == "item":
            en.answer({"answer": ["0.5"]} if en.item_id == "h-1" else {"answer": ["a"]})
        else:
            en.next()
    assert refused
    # Both languages' answers are events of the same items.
    events = db.session.scalars(select(AnswerEvent)).all()
    by_item: dict[str, set[int]] = {}
    for event in events:
        by_item.setdefault(event.item_id, set()).add(event.user_pk)
    assert set(by_item) <= {"h-1", "h-2", "h-3"}
    assert any(len(users) == 2 for users in by_item.values())
    correct_es = [e for e in events if e.item_id == "h-1" and e.response["answer"] == "0,5"]
    assert correct_es and correct_es[0].correct


def test_the_finish_page_is_in_the_learners_language(client, lms):
    learner = _launch(client, lms, "fractions", "es", "eva")
    module = learner_module(get_module("fractions"), "es")
    learner.run_to_finish(module)
    page = _text(learner.html)
    for skill in module.skills:
        assert skill.title in page
    assert "Equivalent fractions" not in page


def test_module_text_in_another_language_than_the_page_is_marked(client, lms):
    """An English-only module in the Spanish interface: its texts carry lang="en"."""
    text = MINI.read_text("utf-8").replace("\nid: halves\n", "\nid: halves-en\n")
    result = authoring.save_module(text, owner_user_pk=None, filename="halves-en.yaml")
    assert result.saved is not None, (result.error, result.problems)
    es = _launch(client, lms, "halves-en", "es", "fran")
    assert 'lang="es"' in es.html and "Volver al curso" in es.html
    assert re.search(r'id="prompt" class="md prompt"><div lang="en">', es.html)


def test_module_text_in_the_pages_language_is_not_marked(client, lms):
    # A test of its own: the fixture's app context (Babel's cached locale) spans one test.
    spanish = _launch(client, lms, "fractions", "es", "hugo")
    assert 'lang="es"' in spanish.html
    assert '<div lang=' not in spanish.html and '<span lang=' not in spanish.html
