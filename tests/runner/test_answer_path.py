"""The answer step's database work: what bench/answer_step.py measures must stay cheap.

The hot path reads the launch, its link and the attempt in one query, writes in one
transaction (one statement on PostgreSQL) and renders the next page without reading
anything again; the AGS score timestamp comes from the attempt's state instead of a
``MAX()`` query on every answer.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from lti_tool.extensions import db
from lti_tool.models import Attempt, ScoreSubmission
from lti_tool.models.base import utcnow
from lti_tool.modules.library import get_module
from lti_tool.xapi import events as xapi_events

from .conftest import Learner, launch_token
from .test_activity import AGS, _to_item


class _Statements:
    """The SQL statements (and COMMITs) the engine runs while active."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._statement)
        event.remove(db.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.log.append(" ".join(statement.split()))

    def _commit(self, conn) -> None:
        self.log.append("COMMIT")


def _scores() -> list[ScoreSubmission]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)))


def test_answer_reads_once_and_renders_without_sql(client, lms):
    """One SELECT (launch + link + attempt), the writes, one COMMIT, then no SQL at all."""
    learner = _to_item(Learner(client, launch_token(client, lms, **AGS)).open())
    # The "any LRS configured?" answer is memoised for 10 s per process; on a slow machine
    # the launch above can outlast it, so ask it now rather than inside the measured step.
    xapi_events._any_lrs()
    with _Statements() as sql:
        learner.answer_correctly(get_module("fractions"))
    assert learner.status == 200 and "Correct!" in learner.html
    reads = [s for s in sql.log if s.startswith("SELECT")]
    assert len(reads) == 1 and "FROM launch_sessions" in reads[0]
    assert "attempts" in reads[0] and "resource_links" in reads[0]
    assert not any("max(" in s.lower() for s in sql.log)
    assert sql.log.count("COMMIT") == 1 and sql.log[-1] == "COMMIT", sql.log
    writes = [s for s in sql.log if not s.startswith(("SELECT", "COMMIT"))]
    if db.engine.dialect.name == "postgresql":
        # One statement: the CAS UPDATE in a WITH, both INSERTs selecting from it.
        assert len(writes) == 1 and writes[0].startswith("WITH cas AS (UPDATE attempts")
        assert "INSERT INTO answer_events" in writes[0]
        assert "INSERT INTO score_submissions" in writes[0]
    else:
        assert sorted(s.split()[0] + " " + s.split()[2 if s.startswith("INSERT") else 1]
                      for s in writes) == ["INSERT answer_events", "INSERT score_submissions",
                                           "UPDATE attempts"]


def test_score_timestamps_increase_and_are_kept_with_the_attempt(client, lms):
    """Every score is later than the last one recorded, also for an attempt whose state
    predates ``score_ts`` (the table is asked once) and when the clock is behind."""
    learner = _to_item(Learner(client, launch_token(client, lms, **AGS)).open())
    module = get_module("fractions")
    learner.answer_correctly(module)
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.state["runner"]["score_ts"] == _scores()[-1].timestamp.isoformat()

    # An attempt saved before the state kept the timestamp, with a newer score in the
    # table (e.g. written on a host whose clock ran ahead).
    ahead = utcnow() + timedelta(hours=1)
    last = _scores()[-1]
    db.session.add(ScoreSubmission(
        user_pk=last.user_pk, resource_link_pk=last.resource_link_pk, attempt_pk=attempt.id,
        score_given=0.0, score_maximum=1.0, activity_progress="InProgress",
        grading_progress="Pending", timestamp=ahead, status="sent"))
    state = dict(attempt.state)
    state["runner"] = {k: v for k, v in state["runner"].items() if k != "score_ts"}
    attempt.state = state
    db.session.commit()

    for _ in range(3):
        _to_item(learner).answer_correctly(module)
        assert learner.status == 200
    stamps = [s.timestamp for s in _scores()]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert stamps[-3] == ahead + timedelta(milliseconds=1)
    assert stamps[-1] == ahead + timedelta(milliseconds=3)
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.state["runner"]["score_ts"] == stamps[-1].isoformat()
