"""Issue 16, items 1-3 together in each interface language (en, es, fr): a learner launched
with that locale on security-awareness, where the teacher lets learners pick their goal,
gets the goal picker in their language (the goal titles translated), picks "sales", is
planned only that goal's skills, and finishes with the goal and the kinds-of-thinking
report in their language. The browser version: tests/browser/test_goals_languages_browser.py."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from adaptive.goals import relevant_skills
from adaptive.modules.translations import localise
from adaptive.samples import load_sample
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent
from lti_tool.protocol import claims
from lti_tool.runner.answers import correct_form
from tests.dashboard.seeded import _shown_item, wrong_form

from .conftest import Learner, hidden, launch_token

SAMPLE = "security-awareness"
# The interface's words per language, written here (not read from the catalogues under test).
WORDS = {
    "en": {"choose": "Choose your goal", "goal": "Your goal: ", "kinds": "Kinds of thinking",
           "first": "first tries right", "of": " of "},
    "es": {"choose": "Elige tu objetivo", "goal": "Tu objetivo: ", "kinds": "Tipos de pensamiento",
           "first": "primeros intentos correctos", "of": " de "},
    "fr": {"choose": "Choisissez votre objectif", "goal": "Votre objectif: ",
           "kinds": "Types de réflexion", "first": "justes du premier coup", "of": " sur "},
}


def play_to_finish(learner: Learner, module, sub: str, limit: int = 300) -> None:
    """Answer every question like a learner who gets each skill wrong twice, then right."""
    rng = random.Random(16)
    per_skill: dict[str, int] = {}
    for _ in range(limit):
        if learner.kind == "finish":
            return
        if learner.kind == "page":
            learner.continue_page()
        elif learner.kind == "feedback":
            learner.next()
        else:
            item = _shown_item(module, sub, learner.item_id)
            n = per_skill[item.skills[0]] = per_skill.get(item.skills[0], 0) + 1
            learner.answer(correct_form(item) if n > 2 else wrong_form(item, rng))
        assert learner.status == 200, learner.html[:1000]
    raise AssertionError("the activity did not finish")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.mark.parametrize("locale", ["en", "es", "fr"])
def test_goal_choice_path_and_kinds_in_each_language(client, lms, locale):
    words = WORDS[locale]
    module = load_sample(SAMPLE)
    shown = localise(module, locale)
    token = launch_token(client, lms, **{
        claims.CUSTOM: {"module": SAMPLE, "goal_choice": "learner"},
        claims.LAUNCH_PRESENTATION: {"locale": locale}, "sub": f"learner-{locale}"})
    learner = Learner(client, token).open()
    assert learner.status == 200 and f'lang="{locale}"' in learner.html
    page = _text(learner.html)
    assert words["choose"] in page
    for goal in module.goals:  # every goal offered, each titled in the learner's language
        assert f'value="{goal.id}"' in learner.html
        assert shown.goal(goal.id).title in page
    if locale != "en":  # ("Managers" is French too; the sales goal's title differs)
        assert shown.goal("sales").title != module.goal("sales").title
    learner._take(client.post("/activity/goal",
                              data={"t": hidden(learner.html, "t"), "goal": "sales"}))
    assert learner.status == 200 and learner.kind in ("page", "item")
    assert words["goal"] + shown.goal("sales").title in _text(learner.html)
    # Two wrong answers per skill, then right: a pre-test alone is too few first tries to
    # report a kind (MIN_FIRST_TRIES); this learner needs the lessons and practice.
    play_to_finish(learner, module, f"learner-{locale}")

    planned = relevant_skills(module, "sales")
    answered = {module.item(e.item_id).primary_skill
                for e in db.session.scalars(select(AnswerEvent))}
    assert answered and answered <= planned
    page = _text(learner.html)
    for skill in module.skills:  # the finish page lists the goal's skills only
        assert (shown.skill(skill.id).title in page) == (skill.id in planned), skill.id
    # Kinds of thinking, in the learner's language, with the evidence count.
    assert words["kinds"] in page
    assert re.search(rf"\d+{words['of']}\d+ {words['first']}", page), page[-1500:]
