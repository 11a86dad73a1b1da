"""The teacher's Deep Linking pages (picker, preview, signed response, the picker's form
errors) follow the launch's ``launch_presentation.locale``, as the learner's pages do:
``es-MX`` → Spanish, ``fr-CA`` → French, anything else → English. Module texts come in
the teacher's language when the module is translated into it, else marked with their own.

The fixtures keep one app context (and so Babel's cache) around a whole test; the views
reset the language per request (``use_locale``), which one test relies on.
"""

from __future__ import annotations

import pytest

from lti_tool.deep_linking import authoring
from lti_tool.protocol import claims

from .conftest import LEARNER
from .test_views import _decode, _fields, _settings

# A custom module (English only) of one skill, one question and one minute: the singulars.
ONE = """\
schema_version: 1
id: one-skill
title: One skill
description: A module of one skill and one question.
estimated_minutes: 1
language: en
skills:
  - id: only
    title: The only skill
items:
  - id: q1
    type: single_choice
    skills: [only]
    prompt: Pick a.
    choices:
      - {id: a, text: A}
      - {id: b, text: B}
    answer_groups:
      - match: {choice: a}
        correct: true
"""


def _launch(dl, locale: str) -> str:
    return dl.launch(**{claims.LAUNCH_PRESENTATION: {"locale": locale,
                                                     "return_url": "https://lms.test/c"}})


def _picker(client, token: str) -> str:
    page = client.get("/lti/deep-link/picker", query_string={"t": token})
    assert page.status_code == 200
    return page.get_data(as_text=True)


PICKER = {
    "es-MX": ("es", ["Elige un módulo — Branchwise", "Saltar al contenido",
                     "Añadir una actividad de Branchwise", "Elige uno o varios módulos",
                     "Añadir al curso", "Cancelar", "5 habilidades", "47 preguntas",
                     "unos 30 minutos", "Umbral de dominio (0,5–0,99)", "Habilidades calificadas",
                     "Meta para todos en este enlace", "Sube o escribe tu propio módulo",
                     # the module's own Spanish translation
                     "Fracciones equivalentes", "Seguridad para el personal"]),
    "fr-CA": ("fr", ["Choisissez un module — Branchwise", "Aller au contenu",
                     "Ajouter une activité Branchwise", "Ajouter au cours", "Annuler",
                     "5 compétences", "47 questions", "environ 30 minutes",
                     "Seuil de maîtrise (0,5–0,99)", "Compétences notées",
                     "Aperçu en tant qu'apprenant",
                     "Fractions équivalentes",
                     "Sensibilisation à la sécurité pour le personnel"]),
}
GERMAN = ["Choose a module — Branchwise", "Skip to content", "Add a Branchwise activity",
          "Add to course", "5 skills", "47 questions", "about 30 minutes",
          "Mastery threshold (0.5–0.99)", "Equivalent fractions", "Security awareness for staff"]
ENGLISH = ["Add to course", "Choose one or more modules", "Mastery threshold",
           "Graded skills", "Preview as a learner", "Skip to content", "5 skills"]


@pytest.mark.parametrize("locale", PICKER)
def test_picker_follows_the_launch_locale(client, dl, locale):
    lang, texts = PICKER[locale]
    page = _picker(client, _launch(dl, locale))
    assert f'<html lang="{lang}">' in page
    for text in texts:
        assert text in page, text
    for english in ENGLISH:
        assert english not in page, english
    # The number fields keep the HTML number format whatever the language.
    assert 'value="0.95"' in page and 'step="0.01"' in page


PREVIEW = {
    "es-MX": ("es", ["Vista previa: Fracciones", "Volver a la biblioteca de módulos",
                     "Lo que encuentra un alumno", "5 habilidades", "Preguntas de muestra",
                     'aria-label="Pregunta de muestra 1"', "Lección:",
                     "Fracciones equivalentes", "se basa en"],
              ["Sample questions", "Back to the module library", "What a learner meets"]),
    "fr-CA": ("fr", ["Aperçu: Fractions", "Retour à la bibliothèque de modules",
                     "Ce que découvre un apprenant", "5 compétences", "Exemples de questions",
                     "Leçon:", "Fractions équivalentes", "repose sur"],
              ["Sample questions", "Back to the module library", "What a learner meets"]),
}


@pytest.mark.parametrize("locale", PREVIEW)
def test_preview_follows_the_launch_locale(client, dl, locale):
    lang, texts, absent = PREVIEW[locale]
    r = client.get("/lti/deep-link/preview/fractions", query_string={"t": _launch(dl, locale)})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    for text in texts:
        assert text in page, text
    for english in absent:
        assert english not in page, english


def test_another_language_is_english_even_after_a_spanish_launch(client, dl):
    """``de`` has no catalogue: English, also when the same process (here the same app
    context) has just served a Spanish teacher: the language is each launch's own."""
    spanish = _launch(dl, "es-MX")
    assert "Añadir al curso" in _picker(client, spanish)
    german = _launch(dl, "de")
    page = _picker(client, german)
    assert '<html lang="en">' in page
    for text in GERMAN:
        assert text in page, text
    assert "Añadir" not in page and "Fracciones" not in page
    preview = client.get("/lti/deep-link/preview/fractions",
                         query_string={"t": german}).get_data(as_text=True)
    for text in ("Preview: Fractions", "Back to the module library", "5 skills",
                 "Sample questions", "Equivalent fractions", "builds on"):
        assert text in preview, text
    # ... and the Spanish teacher's next page is still Spanish.
    assert "Preguntas de muestra" in client.get(
        "/lti/deep-link/preview/fractions", query_string={"t": spanish}).get_data(as_text=True)


@pytest.mark.parametrize(("locale", "texts"), [
    ("de", ["1 skill ·", "1 question", "about 1 minute"]),
    ("es-MX", ["1 habilidad ·", "1 pregunta", "alrededor de 1 minuto"]),
    ("fr-CA", ["1 compétence ·", "1 question", "environ 1 minute"]),
])
def test_one_skill_is_singular(client, dl, app, locale, texts):
    assert authoring.save_module(ONE, owner_user_pk=None).saved is not None
    token = _launch(dl, locale)
    preview = client.get("/lti/deep-link/preview/one-skill",
                         query_string={"t": token}).get_data(as_text=True)
    picker = _picker(client, token)
    card = picker[picker.index('id="module-one-skill"'):]
    for text in texts:
        assert text in preview, text
        assert text in card, text
    for wrong in ("1 skills", "1 questions", "1 minutes", "1 habilidades", "1 compétences"):
        assert wrong not in preview and wrong not in card


def test_an_untranslated_module_is_marked_with_its_language(client, dl, app):
    """An English-only module in the Spanish picker keeps English texts, marked lang="en"
    (WCAG 3.1.2); the translated samples need no mark."""
    assert authoring.save_module(ONE, owner_user_pk=None).saved is not None
    token = _launch(dl, "es-MX")
    picker = _picker(client, token)
    assert '<label for="pick-one-skill" lang="en"><strong>One skill</strong>' in picker
    assert '<p lang="en">A module of one skill and one question.</p>' in picker
    assert '<label for="pick-fractions"><strong>Fracciones</strong>' in picker
    preview = client.get("/lti/deep-link/preview/one-skill",
                         query_string={"t": token}).get_data(as_text=True)
    assert 'Vista previa: <span lang="en">One skill</span>' in preview


def test_form_errors_are_in_the_teachers_language(client, dl):
    token = _launch(dl, "fr-CA")
    data = {"t": token, "module": "fractions", "action": "add"}
    data.update(_settings("fractions", mastery_threshold="1.5", max_score="-1"))
    data["s.fractions.graded_skills"] = ["no-such-skill"]
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert '<html lang="fr">' in page
    for text in ("Le seuil de maîtrise doit être un nombre de 0,5 à 0,99.",
                 "La note maximale doit être un nombre supérieur à 0 et d&#39;au plus "
                 "10\u202f000.",
                 "Compétences inconnues: no-such-skill."):
        assert text in page, text
    assert "must be a number" not in page
    nothing = client.post("/lti/deep-link/respond", data={"t": token, "action": "add"})
    assert "Choisissez d&#39;abord un module." in nothing.get_data(as_text=True)


def test_the_response_page_and_its_message_in_spanish(client, dl):
    token = _launch(dl, "es-MX")
    data = {"t": token, "module": "fractions", "action": "add",
            "s.fractions.graded_skills": ["equivalent"], **_settings("fractions")}
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 200, resp.get_data(True)[:2000]
    page = resp.get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Añadiendo a tu curso…" in page and "Continuar al LMS" in page
    assert "Continue to the LMS" not in page
    body = _decode(_fields(page)["JWT"])
    assert body[claims.DL_MSG] == "Se añadió 1 actividad de Branchwise."
    # The link the LMS creates keeps the module's own title (its gradebook column).
    assert body[claims.DL_CONTENT_ITEMS][0]["title"] == "Fractions"


def test_a_learner_is_refused_in_their_language(client, lms):
    resp = lms.launch(client, path="/lti/deep-link", message_type=claims.DEEP_LINKING_REQUEST,
                      roles=[LEARNER],
                      **{claims.LAUNCH_PRESENTATION: {"locale": "es-ES"}})
    landing = client.get(resp.headers["Location"])
    page = client.get(landing.headers["Location"])
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert '<html lang="es"' in text
    assert "Solo el profesorado puede elegir actividades" in text
    assert "<code>not_instructor</code>" in text
