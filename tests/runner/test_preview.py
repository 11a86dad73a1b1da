"""Teacher preview (issue 14): linked from the dashboard; a preview attempt never shows
in the dashboard, its CSV exports, model fits or grades, and can be started again."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from lti_tool.dashboard import fitting
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, ResourceLink, ScoreSubmission, User
from lti_tool.modules.library import get_module
from lti_tool.protocol import claims

from .conftest import INSTRUCTOR, Learner, launch_token

AGS = {claims.AGS_ENDPOINT: {"scope": [claims.SCOPE_SCORE], "lineitem": "https://lms.test/li/1"}}


def _teacher(client, lms) -> str:
    return launch_token(client, lms, sub="teacher-1", name="Tess Teacher",
                        **{claims.ROLES: [INSTRUCTOR]}, **AGS)


def _play(learner: Learner, answers: int) -> Learner:
    module = get_module("fractions")
    done = 0
    while done < answers and learner.kind != "finish":
        if learner.kind == "feedback":
            learner.next()
        elif learner.kind == "page":
            learner.continue_page()
        else:
            learner.answer_correctly(module)
            done += 1
    return learner


def test_preview_is_linked_from_the_dashboard_and_never_counts(client, lms):
    student = _play(Learner(client, launch_token(client, lms, sub="alice", name="Alice A",
                                                 **AGS)).open(), 2)
    assert student.status == 200
    token = _teacher(client, lms)
    dash = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    link = re.search(r'href="(/activity\?t=[^"]+)"[^>]*>Preview the activity', dash)
    assert link, dash[:2000]
    teacher = Learner(client, "")
    teacher._take(client.get(link.group(1).replace("&amp;", "&")))
    assert "Preview: you are trying this activity as a teacher" in teacher.html
    _play(teacher, 3)

    attempts = {a.user.sub: a for a in db.session.scalars(select(Attempt))}
    assert attempts["teacher-1"].preview and not attempts["alice"].preview
    # No answer events (so no fits) and no score for the preview.
    teacher_pk = db.session.scalar(select(User.id).where(User.sub == "teacher-1"))
    assert db.session.scalar(select(func.count()).select_from(AnswerEvent).where(
        AnswerEvent.attempt_pk == attempts["teacher-1"].id)) == 0
    assert db.session.scalar(select(func.count()).select_from(ScoreSubmission).where(
        ScoreSubmission.user_pk == teacher_pk)) == 0
    context_pk = db.session.scalar(select(ResourceLink.context_pk))
    assert fitting.fit_module("fractions", context_pk).n_rows == db.session.scalar(
        select(func.count()).select_from(AnswerEvent))

    dash = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    assert "Alice A" in dash and "Tess Teacher" not in dash and "teacher-1" not in dash
    heat = list(csv.DictReader(io.StringIO(client.get(
        "/dashboard/export/heatmap.csv", query_string={"t": token}).get_data(as_text=True))))
    assert {r["learner_id"] for r in heat} == {"alice"}
    drill = client.get("/dashboard/learner", query_string={"t": token, "id": "teacher-1"})
    assert drill.status_code == 404


def test_preview_can_start_again_and_learners_cannot_reset(client, lms):
    token = _teacher(client, lms)
    teacher = _play(Learner(client, token).open(), 2)
    seq = db.session.scalars(select(Attempt)).one().seq
    assert seq > 0 and "Start the preview again" in teacher.html
    resp = client.post("/activity/preview/restart", data={"t": teacher.token})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    again = Learner(client, teacher.token).open()
    assert again.status == 200 and db.session.scalars(select(Attempt)).one().seq == 0

    learner = _play(Learner(client, launch_token(client, lms, sub="alice")).open(), 1)
    assert "Start the preview again" not in learner.html
    client.post("/activity/preview/restart", data={"t": learner.token})
    db.session.expire_all()
    alice = db.session.scalars(select(Attempt).join(User).where(User.sub == "alice")).one()
    assert alice.seq > 0
