"""Issue 16 in Chromium, in each interface language (en, es, fr): in the demo LMS, a learner
with that LMS locale opens security-awareness where the teacher lets learners pick their goal.
The goal picker is in their language (the goal titles translated), the learner picks "sales",
the activity plans only that goal's skills (the progress page lists only them), and the
finish page's kinds-of-thinking report is in their language with its evidence counts. Every
page axe-clean (WCAG 2.2 AA). One test, parametrised; the HTTP version with a longer path:
tests/runner/test_goals_languages.py."""

from __future__ import annotations

import re

import pytest

from adaptive.goals import relevant_skills
from adaptive.modules.translations import localise
from adaptive.samples import load_sample
from lti_tool.demo_platform.app import get_platform
from lti_tool.demo_platform.store import User
from lti_tool.runner.answers import correct_form

from .test_activity_browser import axe_violations, tool_frame

pytestmark = pytest.mark.browser

SAMPLE = load_sample("security-awareness")
LMS_LOCALE = {"en": "en-US", "es": "es", "fr": "fr-CA"}
# The interface's words, written here (not read from the catalogues under test).
WORDS = {
    "en": {"choose": "Choose your goal", "start": "Start", "continue": "Continue",
           "check": "Check answer", "next": "^(Next|See your results)$",
           "goal": "Your goal: ", "finished": "You have finished this activity",
           "kinds": "Kinds of thinking", "progress": "Your progress",
           "kind": {"recall": "Recall", "understand": "Understanding", "apply": "Applying",
                    "reason": "Reasoning"}},
    "es": {"choose": "Elige tu objetivo", "start": "Empezar", "continue": "Continuar",
           "check": "Comprobar respuesta", "next": "^(Siguiente|Ver tus resultados)$",
           "goal": "Tu objetivo: ", "finished": "Has terminado esta actividad",
           "kinds": "Tipos de pensamiento", "progress": "Tu progreso",
           "kind": {"recall": "Recordar", "understand": "Comprender", "apply": "Aplicar",
                    "reason": "Razonar"}},
    "fr": {"choose": "Choisissez votre objectif", "start": "Commencer", "continue": "Continuer",
           "check": "Vérifier la réponse", "next": "^(Suivant|Voir vos résultats)$",
           "goal": "Votre objectif: ", "finished": "Vous avez terminé cette activité",
           "kinds": "Types de réflexion", "progress": "Votre progression",
           "kind": {"recall": "Mémorisation", "understand": "Compréhension",
                    "apply": "Application", "reason": "Raisonnement"}},
}


@pytest.fixture(scope="module")
def goals_link(demo) -> str:
    """A link of the demo course to security-awareness where learners pick their goal."""
    store = get_platform(demo.platform_app).store
    link = store.add_resource_link(
        "Security awareness", get_platform(demo.platform_app).settings.tool.launch_url,
        custom={"module": "security-awareness", "goal_choice": "learner"},
        link_id="rl-goals")
    return link.id


def _learner(demo, locale: str) -> str:
    store = get_platform(demo.platform_app).store
    uid = f"goals-{locale}"
    with store.lock:
        store.users[uid] = User(uid, f"Gale {locale}", "Gale", locale, f"{uid}@example.edu",
                                "learner", LMS_LOCALE[locale])
    return uid


def _text(locator) -> str:
    return re.sub(r"\s+", " ", locator.inner_text())


def _tool(page, demo):
    frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
    frame.locator("main h1").wait_for()
    return frame


@pytest.mark.parametrize("locale", ["en", "es", "fr"])
def test_goal_picker_path_and_kinds_in_each_language(context, demo, axe_source, goals_link,
                                                     locale):
    words, shown = WORDS[locale], localise(SAMPLE, locale)
    page = context.new_page()
    page.goto(f"{demo.platform_url}/?as={_learner(demo, locale)}&link={goals_link}")
    frame = tool_frame(page, demo)
    assert frame.evaluate("document.documentElement.lang") == locale

    # The goal picker, in the learner's language.
    form = frame.locator("form.goal-form")
    assert words["choose"] in _text(form)
    for goal in SAMPLE.goals:
        label = frame.locator("label.choice", has=frame.locator(f"input[value='{goal.id}']"))
        assert shown.goal(goal.id).title in _text(label), goal.id
    if locale != "en":
        assert SAMPLE.goal("sales").title not in _text(form)
    assert axe_violations(frame, axe_source) == [], "goal picker"
    frame.locator("input[value='sales']").check()
    with frame.expect_navigation():
        frame.get_by_role("button", name=words["start"]).click()
    frame = _tool(page, demo)
    assert words["goal"] + shown.goal("sales").title in _text(frame.locator("main"))
    assert axe_violations(frame, axe_source) == [], "first step"

    # Through the activity, every answer right, in the learner's language.
    first_tries: dict[str, int] = {}
    for _ in range(60):
        if frame.locator("input[name=page]").count():
            with frame.expect_navigation():
                frame.get_by_role("button", name=words["continue"]).click()
        elif frame.locator("input[name=item]").count():
            item = shown.item(frame.locator("input[name=item]").get_attribute("value"))
            first_tries[item.kind] = first_tries.get(item.kind, 0) + 1
            answer = correct_form(item)
            if item.type.value in ("single_choice", "multiple_choice"):
                for cid in answer["answer"]:
                    frame.locator(f"#c-{cid}").check()
            elif item.type.value == "ordering":
                for name, (position,) in answer.items():
                    frame.locator(f"#{name}").select_option(position)
            else:
                value = answer["answer"][0]
                if item.type.value == "numeric" and locale != "en":
                    value = value.replace(".", ",")  # the decimal comma of es and fr
                frame.locator("#answer").fill(value)
            with frame.expect_navigation():
                frame.get_by_role("button", name=words["check"]).click()
            frame = _tool(page, demo)
            assert SAMPLE.item(item.id).primary_skill in relevant_skills(SAMPLE, "sales")
            with frame.expect_navigation():
                frame.get_by_role("button", name=re.compile(words["next"])).click()
        else:
            break
        frame = _tool(page, demo)
    main = _text(frame.locator("main"))
    assert words["finished"] in main and first_tries, main[:500]

    # The kinds of thinking, in the learner's language, with the counts of first tries.
    kinds = _text(frame.locator("section.kinds"))
    assert words["kinds"] in kinds
    for kind, n in first_tries.items():  # a short path: each kind below the minimum, named
        assert f"{words['kind'][kind]} ({n})" in kinds, kinds
    assert axe_violations(frame, axe_source) == [], "finish page"

    # The progress page lists the goal's skills only, titled in the learner's language.
    with frame.expect_navigation():
        frame.get_by_role("link", name=words["progress"]).click()
    frame = _tool(page, demo)
    table = _text(frame.locator("table.progress-table"))
    for skill in SAMPLE.skills:
        listed = shown.skill(skill.id).title in table
        assert listed == (skill.id in relevant_skills(SAMPLE, "sales")), skill.id
    assert axe_violations(frame, axe_source) == [], "progress"
    page.close()
