"""The assistant retrieves from the module in the learner's language (issue 16, item 2)."""

from __future__ import annotations

from tests.assistant.test_views import _ask, _learner


def test_a_spanish_learner_gets_spanish_passages(client, lms):
    learner = _learner(client, lms, locale="es-MX", sub="lucia")
    data = _ask(learner, "¿Qué significa que dos fracciones sean equivalentes?").get_json()
    assert data["status"] == "answer" and data["cited"]
    html = data["html"]
    # Cited from the Spanish lesson, and nothing of the English text.
    assert "¿Qué hace que dos fracciones sean iguales?" in html and "equivalentes" in html
    assert "equivalent when they describe" not in html and "What makes two" not in html


def test_an_english_learner_still_gets_english_passages(client, lms):
    learner = _learner(client, lms, locale="en", sub="liam")
    data = _ask(learner, "What does it mean for two fractions to be equivalent?").get_json()
    assert data["status"] == "answer" and data["cited"]
    assert "equivalent" in data["html"] and "equivalentes" not in data["html"]
