"""Issue 12.1/12.2 over HTTP: an all-wrong learner earns 0, is told what is left and why, and
the LMS is told the grade is not final (Submitted / PendingManual)."""

from __future__ import annotations

from sqlalchemy import select

from adaptive.engine import current_step, item_for_step
from lti_tool.extensions import db
from lti_tool.models import Attempt, ScoreSubmission
from lti_tool.modules.library import get_module
from lti_tool.runner.answers import correct_form

from .conftest import Learner, launch_token
from .test_activity import AGS


def _text(html: str) -> str:
    """Digits only: the drawn numbers, in order, whatever the markup (MathML) around them."""
    return "".join(ch for ch in html if ch.isdigit())


def always_wrong_form(item) -> dict:
    """A readable answer that no correct group accepts."""
    right = correct_form(item)
    kind = item.type.value
    if kind == "single_choice":
        return {"answer": [next(c.id for c in item.choices if c.id != right["answer"][0])]}
    if kind == "multiple_choice":
        wrong = [c.id for c in item.choices if c.id not in right["answer"]][:1]
        return {"answer": wrong or [item.choices[0].id]}
    if kind == "ordering":
        order = [cid for cid, _ in sorted(right.items(), key=lambda kv: kv[1][0])]
        order.reverse()
        return {k: [str(i + 1)] for i, k in enumerate(order)}
    if kind == "numeric":
        return {"answer": ["987654"]}
    return {"answer": ["zzz no such answer"]}


def play(learner: Learner, form_for=None, *, check_shown: bool = True
         ) -> list[tuple[str, int]]:
    """Play the fractions module to its finish (pages read, feedback left with "Next"),
    answering each item with ``form_for(item)`` (default: always wrong); returns the
    (item, showing) pairs asked. ``check_shown``: a variant item's drawn numbers must be
    the ones on the (English) page."""
    module = get_module("fractions")
    form_for = form_for or always_wrong_form
    shown = []
    for _ in range(300):
        if learner.kind == "finish":
            break
        if learner.kind == "page":
            learner.continue_page()
        elif learner.kind == "feedback":
            learner.next()
        else:
            state = db.session.scalars(select(Attempt)).one().state
            step = current_step(module, state)
            item = item_for_step(module, state, step)  # the numbers on the page
            shown.append((step.item_id, step.variant))
            if step.variant and check_shown:
                assert _text(item.prompt) in _text(learner.html)
            learner.answer(form_for(item))
            db.session.expire_all()
        assert learner.status == 200
    assert learner.kind == "finish"
    return shown


def test_all_wrong_learner_finish_page_and_honest_progress(client, lms):
    learner = Learner(client, launch_token(client, lms, **AGS)).open()
    shown = play(learner)
    assert len(set(shown)) == len(shown) and any(v for _, v in shown)  # variants were shown
    html = learner.html
    assert "You have finished what you can do for now" in html
    assert "Not reached yet" in html and "needs Equivalent fractions first" in html
    assert "Flagged for your teacher" in html
    assert "only as far as your own recent answers show more than guessing" in html
    assert html.index("This grade is sent to your course") < html.index(
        "your course's gradebook is told that this grade is not final yet")
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.score == 0.0
    state = attempt.state
    assert state["skills"]["equivalent"]["flag_reason"] == "practice cap"
    # the dependents were measured (their diagnostic), never taught
    assert state["skills"]["simplifying"]["status"] == "blocked"
    assert state["skills"]["simplifying"]["diag"], "its diagnostic was offered"
    final = db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)).all()[-1]
    assert (final.activity_progress, final.grading_progress) == ("Submitted", "PendingManual")
    assert final.score_given == 0.0
    assert "not reached" in final.comment


def test_unresolved_finish_without_a_gradebook_column_tells_no_gradebook(client, lms):
    """The same learner on a link with no AGS line item: no grade goes anywhere, so the
    page must not say the gradebook is told the grade is not final (it did)."""
    learner = Learner(client, launch_token(client, lms)).open()
    play(learner)
    html = learner.html
    assert "You have finished what you can do for now" in html
    assert "This activity has no gradebook column, so no grade is sent." in html
    assert "gradebook is told" not in html


def test_the_gradebook_comment_is_in_the_learners_language(client, lms):
    """A Spanish learner's comment in Moodle's gradebook read "Mastered 0/5 skills:
    Reconocer el phishing ⚑ needs the teacher, ...": Spanish titles, English words
    (seen in the twelfth session's walk through the demo)."""
    from lti_tool.protocol import claims

    learner = Learner(client, launch_token(
        client, lms, **AGS, **{claims.LAUNCH_PRESENTATION: {"locale": "es-MX"}})).open()
    play(learner)
    final = db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)).all()[-1]
    assert final.comment.startswith("0 de 5 habilidades dominadas: "), final.comment
    assert "⚑ necesita al profesor" in final.comment and "no alcanzada" in final.comment
    assert "needs the teacher" not in final.comment and "not reached" not in final.comment
