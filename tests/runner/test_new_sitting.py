"""Issue 12.7 over HTTP: a relaunch days later opens with a short review of decayed skills;
the grade already sent is not lowered (nor re-sent as "in progress") by the clock alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from adaptive.engine import current_step, item_for_step
from lti_tool.extensions import db
from lti_tool.models import Attempt, ScoreSubmission
from lti_tool.modules.library import get_module
from lti_tool.runner.answers import correct_form

from .conftest import Learner, launch_token
from .test_activity import AGS

DAY = 86400.0


def _attempt() -> Attempt:
    db.session.expire_all()
    return db.session.scalars(select(Attempt)).one()


def _scores() -> list[ScoreSubmission]:
    return db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)).all()


def test_relaunch_after_days_reviews_then_resends_the_same_final_grade(client, lms):
    module = get_module("fractions")
    learner = Learner(client, launch_token(client, lms, **AGS)).open()
    learner.run_to_finish(module)
    done = _attempt()
    assert done.status == "completed"
    final = _scores()[-1]
    assert (final.activity_progress, final.grading_progress) == ("Completed", "FullyGraded")
    sent, n_scores = final.score_given, len(_scores())
    # Five days pass (the stored clock is moved back: the app reads the real one).
    state = dict(done.state)
    state["clock"] = state["clock"] - 5 * DAY
    done.state = state
    flag_modified(done, "state")
    db.session.commit()

    again = Learner(client, launch_token(client, lms, **AGS)).open()
    assert again.kind == "item", again.html[:500]
    assert "Welcome back" in again.html
    reopened = _attempt()
    assert reopened.status == "in_progress" and reopened.state["sitting"] == 1
    assert current_step(module, reopened.state).phase == "review"
    assert len(_scores()) == n_scores  # opening records no score: time alone changes no grade
    while again.kind != "finish":
        if again.kind == "feedback":
            again.next()
            continue
        state = _attempt().state
        step = current_step(module, state)
        assert step.phase == "review"
        again.answer(correct_form(item_for_step(module, state, step)))
        assert again.status == 200
    after = _scores()[n_scores:]
    assert [s.activity_progress for s in after if s.score_given is not None] == ["Completed"]
    assert after[-1].score_given == sent and after[-1].grading_progress == "FullyGraded"
    assert _attempt().status == "completed"
