"""A launch with locale fr / fr-CA shows the whole activity in French (Flask test client).

One test per launch: the app context of the fixtures (and so Babel's cached catalogue)
spans every request of a test.
"""

from __future__ import annotations

import re

import pytest

from lti_tool.modules.library import get_module
from lti_tool.protocol import claims

from .conftest import Learner, launch_token


def _french(client, lms, locale: str = "fr-CA", **overrides) -> Learner:
    presentation = {"locale": locale, "return_url": "https://lms.test/course"}
    return Learner(client, launch_token(
        client, lms, **{claims.LAUNCH_PRESENTATION: presentation}, **overrides)).open()


def _to_item(learner: Learner) -> Learner:
    while learner.kind in ("page", "feedback"):
        if learner.kind == "feedback":
            learner.next()
        else:
            learner.continue_page()
    return learner


@pytest.mark.parametrize("locale", ["fr", "fr-CA", "fr_FR"])
def test_french_launch_shows_the_french_interface(client, lms, locale):
    learner = _to_item(_french(client, lms, locale))
    html = learner.html
    assert 'lang="fr"' in html
    for text in ("Aller au contenu", "Retour au cours", "Votre progression",
                 "Vérifier la réponse", "Poser une question à ce sujet"):
        assert text in html, text
    for english in ("Skip to content", "Return to course", "Check answer", "Ask about this"):
        assert english not in html, english


def test_french_answer_errors_and_feedback(client, lms):
    """An unreadable answer is refused in French; a right one gets French feedback."""
    module = get_module("fractions")
    learner = _to_item(_french(client, lms))
    item = learner.item_id
    learner.answer({})
    assert learner.item_id == item
    errors = {"choisissez une réponse", "choisissez au moins une réponse",
              "saisissez une réponse", "choisissez une position pour chaque élément",
              "la réponse est vide"}
    shown = {e for e in errors if e in learner.html}
    assert shown, re.findall(r'class="error-text"[^<]*<?[^<]*', learner.html)
    learner.answer_correctly(module)
    assert learner.kind == "feedback"
    assert "Bonne réponse!" in learner.html and "Suivant" in learner.html


def test_french_finish_page(client, lms):
    module = get_module("fractions")
    learner = _french(client, lms, "fr")
    learner.run_to_finish(module)
    html = learner.html
    assert "Vous avez terminé cette activité" in html
    assert "Ce que vous maîtrisez" in html and "Votre note" in html
    assert "You have finished" not in html


def test_french_launch_shows_the_module_in_french(client, lms):
    """With the translation loader of issue 16.2 (branch j16), the sample's own texts are
    French too (adaptive/samples/fractions.fr.yaml); skipped until that loader is merged."""
    pytest.importorskip("adaptive.modules.translations", reason=(
        "needs the translation loader of issue 16.2 (branch j16)"))
    learner = _to_item(_french(client, lms))
    html = learner.html
    assert "Fractions équivalentes" in html  # the skill's title in the progress chips
    assert "Equivalent fractions" not in html
    item = get_module("fractions").item(learner.item_id)
    assert item.id == learner.item_id  # one identity in every language


def test_the_grade_is_written_with_a_decimal_comma(client, lms):
    """A grade of 1.4 points out of 7 was written "1.4" in the French sentence (Python's
    %g); it reads "1,4" there."""
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.models import Attempt
    from lti_tool.runner.answers import correct_form

    from .test_activity import AGS
    from .test_unresolved_finish import always_wrong_form, play

    first = get_module("fractions").skills[0].id
    learner = _french(client, lms, **{claims.CUSTOM: {"module": "fractions", "max_score": "7"}},
                      **AGS)
    # the first skill right, every other answer wrong
    play(learner, lambda item: correct_form(item) if item.primary_skill == first
         else always_wrong_form(item), check_shown=False)
    assert learner.kind == "finish"
    grade = re.search(r'<p class="grade">(.*?)</p>', learner.html, re.DOTALL).group(1)
    score = db.session.scalars(select(Attempt)).one().score
    assert 0 < score < 1 and round(7 * score, 2) != int(7 * score), grade
    points = f"{round(7 * score, 2):g}".replace(".", ",")
    assert f"{points} points sur 7" in grade, grade
    assert not re.search(r"\d\.\d", grade), grade


@pytest.mark.parametrize(("locale", "score", "shown"), [
    ("fr", 0.0001, "0,01"), ("es", 0.2, "20"), ("en", 0.004, "0.4"), ("en", 0.0, "0"),
    ("fr", 0.996, "100")])
def test_a_grade_under_one_percent_is_not_shown_as_zero(app, locale, score, shown):
    # The finish page said "0 % (0.01 of 100 points)" for a learner with a sliver of
    # partial credit: the percentage keeps its decimals below 1 %.
    from lti_tool.i18n import grade_percent, use_locale

    with app.test_request_context("/"):
        use_locale(locale)
        assert grade_percent(score) == shown
