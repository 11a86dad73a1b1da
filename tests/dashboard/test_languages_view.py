"""Issue 16 on the teacher's dashboard in each interface language: the goal filter and the
goals compared (item 1) and the class by kind of thinking (item 3), overview and learner
drill-down, from one class that went through the runner over HTTP. The interface is
translated; the figures are the same in every language (module texts stay in the module's
default language on the dashboard: docs/module-format.md, "Translations")."""

from __future__ import annotations

import re

from adaptive.analytics.kinds import MIN_FIRST_TRIES
from adaptive.samples import load_sample
from lti_tool.protocol import claims
from tests.runner.conftest import Learner
from tests.runner.test_kinds_finish import run_learner

from .conftest import INSTRUCTOR, LEARNER, token_of

SAMPLE = "security-awareness"
WHERE = {claims.CONTEXT: {"id": "course-l", "title": "Staff training"},
         claims.RESOURCE_LINK: {"id": "rl-l", "title": "Security"}}
# Written here, not read from the catalogues under test.
WORDS = {
    "en": ["Goals", "Show", "Every learner, every skill", "Reached the goal",
           "Answers per learner", "Kinds of thinking", "First tries right", "Applying"],
    "es": ["Objetivos", "Mostrar", "Todos los estudiantes, todas las habilidades",
           "Alcanzaron el objetivo", "Respuestas por estudiante", "Tipos de pensamiento",
           "Primeros intentos correctos", "Aplicar"],
    "fr": ["Objectifs", "Afficher", "Tous les apprenants, toutes les compétences",
           "Ont atteint l'objectif", "Réponses par apprenant", "Types de réflexion",
           "Justes du premier coup", "Application"],
}
OF = {"en": "of", "es": "de", "fr": "sur"}
FILTERED = {"en": "Filtered to the goal", "es": "Filtrado por el objetivo",
            "fr": "Filtré sur l'objectif"}


def _launch(client, lms, sub: str, role: str, custom: dict, locale: str = "en") -> str:
    resp = lms.launch(client, roles=[role], sub=sub, name=sub.title(),
                      **{claims.CUSTOM: {"module": SAMPLE, **custom},
                         claims.LAUNCH_PRESENTATION: {"locale": locale}, **WHERE})
    landing = client.get(resp.headers["Location"]) if resp.status_code == 303 else resp
    return token_of(landing)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _section(html: str, sid: str) -> str:
    part = html[html.index(f'<section id="{sid}"'):]
    return part[:part.index("</section>")]


def _figures(section: str) -> list[str]:
    """The numbers of a section in order: the same class shows the same in any language."""
    return re.findall(r"\d+(?:\.\d+)?", _text(section))


def test_goals_and_kinds_on_the_dashboard_in_each_language(client, lms):
    module = load_sample(SAMPLE)
    tallies: dict[str, list[bool]] = {}
    for sub, goal in [("ann", "sales"), ("bo", "engineering"), ("cy", "all-staff")]:
        learner = Learner(client, _launch(client, lms, sub, LEARNER, {"goal": goal})).open()
        for kind, tries in run_learner(learner, module, wrong_kinds=("reason",)).items():
            tallies.setdefault(kind, []).extend(tries)
    assert len(tallies.get("apply", [])) >= MIN_FIRST_TRIES  # a kind the class reports

    pages: dict[str, dict[str, str]] = {}
    for locale in ("en", "es", "fr"):
        teacher = _launch(client, lms, f"teacher-{locale}", INSTRUCTOR, {}, locale)
        pages[locale] = {
            "all": client.get("/dashboard", query_string={"t": teacher}).get_data(True),
            "sales": client.get("/dashboard", query_string={"t": teacher, "goal": "sales"})
            .get_data(True),
            "ann": client.get("/dashboard/learner", query_string={"t": teacher, "id": "ann"})
            .get_data(True),
        }
    for locale, page in pages.items():
        html = page["all"]
        # The page is English with its translated sections marked (language of parts).
        assert '<html lang="en">' in html
        assert f'<section id="goals" aria-labelledby="goals-h" lang="{locale}">' in html
        assert f'<section id="kinds" aria-labelledby="kinds-h" lang="{locale}">' in html
        goals, kinds = _section(html, "goals"), _section(html, "kinds")
        text = _text(goals + kinds)
        for word in WORDS[locale]:
            assert word in text, (locale, word)
        applied = tallies["apply"]
        assert f"{sum(applied)} {OF[locale]} {len(applied)}" in _text(kinds), locale
        # Goal titles stay in the module's default language (documented) and the figures
        # are the same as in English.
        assert "Sales and customer-facing staff" in goals
        assert ('<th scope="row" lang="en">Sales and' in goals) == (locale != "en")
        assert _figures(goals) == _figures(_section(pages["en"]["all"], "goals"))
        assert _figures(kinds) == _figures(_section(pages["en"]["all"], "kinds"))
        if locale != "en":
            for word in ("Reached the goal", "Every learner, every skill", "First tries right",
                         "Too few first tries"):
                assert word not in text, (locale, word)
        assert FILTERED[locale] in _text(page["sales"])
        drill = page["ann"]
        assert WORDS[locale][5] in _text(drill) and f'<div id="kinds" lang="{locale}">' in drill
