"""``step_write``: a step's attempt update, event and score go in together or not at all.

Run on SQLite (three statements in a transaction) and, in CI's second pass, on
PostgreSQL (one statement, outside a transaction after ``StepWriter.begin``). The writer
commits and says what it wrote; it enqueues nothing (the runner does, after the commit).
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from lti_tool.ags.passback import score_row
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, PageEvent, ScoreSubmission
from lti_tool.models.base import utcnow
from lti_tool.runner.step_write import StepConflict, StepWrite, StepWriter, Written

from .conftest import Learner, launch_token
from .test_activity import AGS

_EVENTS = AnswerEvent.__table__
_PAGES = PageEvent.__table__


@pytest.fixture
def attempt(client, lms) -> Attempt:
    """A learner's attempt (launched with a line item, so scores are recorded)."""
    Learner(client, launch_token(client, lms, **AGS)).open()
    db.session.remove()  # a fresh session, as each request of the running tool has
    return db.session.scalars(select(Attempt)).one()


def _event(attempt: Attempt, seq: int) -> dict:
    return dict(user_pk=attempt.user_pk, resource_link_pk=attempt.resource_link_pk,
                module_id=attempt.module_id, item_id="eq-1", skill_ids=["equivalent"],
                phase="diagnostic", seq=seq, response={"answer": "1/2"},
                normalised={"value": "1/2"}, correct=True, valid=True, group_index=0,
                misconception=None, hints_used=0, seconds=4.5,
                mastery_before={"equivalent": 0.5}, mastery_after={"equivalent": 0.8},
                created_at=utcnow())


def _step(attempt: Attempt, expected_seq: int, event_seq: int | None = None) -> StepWrite:
    state = {**attempt.state, "seq": expected_seq + 1, "marker": "written"}
    return StepWrite(
        attempt.id, expected_seq,
        {"state": state, "seq": expected_seq + 1, "score": 0.4, "updated_at": utcnow()},
        _EVENTS, _event(attempt, expected_seq if event_seq is None else event_seq),
        score_row(attempt, score=0.4, score_maximum=10.0, comment="Fractions: practising",
                  completed=False))


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(AnswerEvent)),
            db.session.scalar(select(func.count()).select_from(ScoreSubmission)))


def _reread(attempt_id: int) -> Attempt:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def test_a_step_writes_the_attempt_its_event_and_its_score(attempt):
    events, scores = _counts()
    written = StepWriter().write(_step(attempt, attempt.seq))
    assert not db.session().in_transaction()  # committed by the writer
    saved = _reread(attempt.id)
    assert saved.seq == 1 and saved.score == 0.4 and saved.state["marker"] == "written"
    event = db.session.scalars(select(AnswerEvent)).one()
    score_id = db.session.scalars(select(ScoreSubmission.id).order_by(
        ScoreSubmission.id.desc())).first()
    assert written == Written(seq=1, event_id=event.id, score_id=score_id)
    assert (event.attempt_pk, event.seq, event.response, event.seconds) == (
        attempt.id, 0, {"answer": "1/2"}, 4.5)
    score = db.session.get(ScoreSubmission, score_id)
    assert score.attempt_pk == attempt.id and score.score_given == 4.0
    assert score.activity_progress == "InProgress" and score.status == "pending"
    assert _counts() == (events + 1, scores + 1)


def test_a_lost_compare_and_set_writes_nothing(attempt):
    before = _counts()
    with pytest.raises(StepConflict):
        StepWriter().write(_step(attempt, attempt.seq + 1))  # another tab moved it on
    saved = _reread(attempt.id)
    assert saved.seq == 0 and "marker" not in saved.state
    assert _counts() == before


def test_a_step_already_recorded_changes_nothing(attempt):
    """The event of this seq exists (a double submit): the UPDATE that matched is undone
    and no score is added."""
    db.session.execute(_EVENTS.insert(), {**_event(attempt, 0), "attempt_pk": attempt.id})
    db.session.commit()
    before = _counts()
    with pytest.raises(StepConflict):
        StepWriter().write(_step(attempt, attempt.seq))
    saved = _reread(attempt.id)
    assert saved.seq == 0 and "marker" not in saved.state and saved.score is None
    assert _counts() == before


def test_a_page_step_without_a_score(attempt):
    state = {**attempt.state, "seq": 1}
    written = StepWriter().write(StepWrite(attempt.id, 0, {"state": state, "seq": 1}, _PAGES,
                                           dict(page_id="intro", reason="lesson", seq=0,
                                                seconds=2.0, created_at=utcnow())))
    assert _reread(attempt.id).seq == 1
    page = db.session.scalars(select(PageEvent)).one()
    assert written == Written(seq=1, event_id=page.id, score_id=None)
    assert (page.attempt_pk, page.page_id, page.seq) == (attempt.id, "intro", 0)


def test_a_hint_is_a_compare_and_set_alone(attempt):
    state = {**attempt.state, "runner": {**attempt.state["runner"], "hints": 1}}
    assert StepWriter().write(StepWrite(attempt.id, 0, {"state": state})) == Written(seq=0)
    assert _reread(attempt.id).state["runner"]["hints"] == 1
    with pytest.raises(StepConflict):
        StepWriter().write(StepWrite(attempt.id, 5, {"state": attempt.state}))


def test_outside_a_transaction_only_where_a_step_is_one_statement(attempt, database_url):
    """After ``StepWriter.begin`` PostgreSQL has the step durable before the writer's
    COMMIT (it was one atomic statement); SQLite keeps its transaction until then."""
    step = _step(attempt, attempt.seq)
    db.session.remove()
    writer = StepWriter.begin()
    seen: list[int] = []

    def look(session) -> None:  # what another connection sees just before the COMMIT
        other = create_engine(database_url)
        try:
            with other.connect() as conn:
                seen.append(conn.execute(text("SELECT seq FROM attempts WHERE id = :id"),
                                         {"id": attempt.id}).scalar_one())
        finally:
            other.dispose()

    session = db.session()
    event.listen(session, "before_commit", look)  # this session only, removed below
    try:
        writer.write(step)
    finally:
        event.remove(session, "before_commit", look)
    one_statement = db.engine.dialect.name == "postgresql"
    assert seen == [1 if one_statement else 0]
    assert _reread(attempt.id).seq == 1


def test_a_lost_connection_is_an_error_not_a_conflict(attempt, database_url):
    """On PostgreSQL a failed write (here: the server ended our connection) must not be
    shown to the learner as "another tab moved on"; nothing is written either way."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's (SQLite runs it in-process)")
    step = _step(attempt, attempt.seq)
    db.session.remove()
    writer = StepWriter.begin()
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(database_url)
    try:
        with other.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()
    with pytest.raises(OperationalError):
        writer.write(step)
    db.session.remove()
    assert _reread(attempt.id).seq == 0 and _counts()[0] == 0


def test_an_unreachable_database_gets_a_clear_503(tmp_path):
    """A learner's step while the database is down: a page saying nothing was saved and
    that sending again is safe (503 + Retry-After), not a bare "Internal Server Error"."""
    from lti_tool.launch import tokens
    from tests.conftest import make_app

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none", tmp_path / "down")
    token = tokens.issue("test-secret", "some-launch")
    response = app.test_client().post("/activity/answer", data={
        "t": token, "seq": "0", "item": "eq-1", "answer": "2/4"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page and "Nothing was saved" in page
    assert "database_unavailable" in page
