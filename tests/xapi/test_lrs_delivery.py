"""Learning events reach a real LRS (ralph's, file-system backend) through the job queue:
in order per learner, nothing lost while it is down, slow or refusing one statement, and
replays are idempotent. Every stored statement is validated with ralph's xAPI models."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime

from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.jobs.worker import start_embedded_consumer
from lti_tool.modules.library import get_module
from lti_tool.xapi.delivery import deliver_learner
from lti_tool.xapi.models import XapiStatement
from lti_tool.xapi.services import LrsInput, replay, set_lrs
from tests.runner.conftest import Learner, launch_token
from tests.support.fake_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

from .conftest import PASSWORD, USER
from .test_statements import validate_with_ralph


def _outbox() -> list[XapiStatement]:
    db.session.expire_all()
    rows = list(db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)))
    db.session.commit()
    return rows


def _wait(predicate, timeout: float = 40.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: "
                         f"{[(r.id, r.verb, r.status, r.last_error) for r in _outbox()][-5:]}")


def _all_sent() -> bool:
    rows = _outbox()
    return bool(rows) and all(r.status == "sent" for r in rows)


def _steps(learner: Learner, module, n: int) -> None:
    for _ in range(n):
        if learner.kind == "finish":
            return
        if learner.kind == "page":
            learner.continue_page()
        elif learner.kind == "feedback":
            learner.next()
        else:
            learner.answer_correctly(module)
        assert learner.status == 200, learner.html[:500]


def test_events_reach_the_lrs_in_order_through_an_outage(app, client, lms, ralph_lrs):
    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, ralph_lrs.endpoint, USER, PASSWORD))
    stop = start_embedded_consumer(app, workers=2, max_delay=0.2)
    try:
        module = get_module("fractions")
        learner = Learner(client, launch_token(client, lms)).open()
        while learner.kind == "page":
            learner.continue_page()
        learner.hint()  # every fractions item has hints
        _steps(learner, module, 4)
        _wait(_all_sent, what="the first statements to be sent")

        ralph_lrs.stop()  # the outage: events keep coming, nothing may be lost
        _steps(learner, module, 4)
        # One read per check: a waiting row is "sending" while a worker retries it, so a
        # second read could catch every row in flight and see none pending.
        waiting: list = []

        def failed_try() -> bool:
            waiting[:] = [r for r in _outbox() if r.status in ("pending", "sending")]
            return any(r.status == "pending" and r.tries >= 1 for r in waiting)

        _wait(failed_try, what="a failed try while the LRS is down")
        assert waiting and all("ConnectionError" in (r.last_error or "") or r.tries == 0
                               for r in waiting)

        ralph_lrs.start()
        learner.run_to_finish(module)
        _wait(_all_sent, what="every statement to be sent after the outage")
    finally:
        stop()

    outbox = _outbox()
    stored = ralph_lrs.statements()
    # Nothing lost, nothing twice, and in the order the events happened.
    assert [s["id"] for s in stored] == [r.statement_id for r in outbox]
    verbs = [s["verb"]["display"]["en-US"] for s in stored]
    assert verbs[0] == "launched"
    assert verbs[-1] == "completed"
    for needed in ("experienced", "answered", "requested a hint", "mastered"):
        assert needed in verbs, needed
    timestamps = [s["timestamp"] for s in stored]
    assert timestamps == sorted(timestamps)
    for statement in stored:
        validate_with_ralph(statement)
    answered = next(s for s in stored if s["verb"]["display"]["en-US"] == "answered")
    ext = answered["result"]["extensions"]
    assert ext["https://w3id.org/xapi/branchwise/extensions/skills"]
    assert answered["actor"]["account"] == {"homePage": ISSUER, "name": answered["actor"]
                                            ["account"]["name"]}

    # A replay of everything sends each statement again; the LRS keeps one per id.
    assert replay(app, since=datetime(2000, 1, 1)) == len(outbox)
    assert {r.status for r in _outbox()} == {"pending"}
    stop = start_embedded_consumer(app, workers=1, max_delay=0.2)
    try:
        _wait(_all_sent, what="the replay")
    finally:
        stop()
    assert [s["id"] for s in ralph_lrs.statements()] == [s["id"] for s in stored]


def _seed_outbox(app, client, lms, endpoint: str, n_steps: int = 3) -> None:
    """A learner's events in the outbox, with an LRS set but no consumer running."""
    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, endpoint, USER, PASSWORD))
    learner = Learner(client, launch_token(client, lms)).open()
    _steps(learner, get_module("fractions"), n_steps)


def test_a_slow_lrs_times_out_and_loses_nothing(app, client, lms):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections and never answers
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    try:
        _seed_outbox(app, client, lms, f"http://127.0.0.1:{silent.getsockname()[1]}/xAPI/")
        rows = _outbox()
        assert rows and {r.status for r in rows} == {"pending"}
        settings = app.config["BRANCHWISE"].__class__(
            **{**app.config["BRANCHWISE"].__dict__, "http_timeout": 0.5})
        outcome = deliver_learner(rows[0].deployment_pk, rows[0].user_pk, settings)
        assert outcome.status == "retry" and outcome.retry_in and outcome.retry_in > 0
        after = _outbox()
        assert [r.statement_id for r in after] == [r.statement_id for r in rows]
        assert all(r.status == "pending" for r in after)
        assert "Deadline" in (after[0].last_error or "")  # the guarded client's total deadline
    finally:
        silent.close()
        for conn in accepted:
            conn.close()


def test_a_refused_statement_is_failed_alone_and_the_rest_are_sent(app, client, lms,
                                                                   ralph_lrs):
    _seed_outbox(app, client, lms, "http://127.0.0.1:9/unused/")  # nothing can be sent yet
    rows = _outbox()
    assert len(rows) >= 3
    bad = rows[1]
    broken = {k: v for k, v in bad.statement.items() if k != "actor"}  # invalid xAPI
    db.session.execute(update(XapiStatement).where(XapiStatement.id == bad.id)
                       .values(statement=broken, next_try_at=datetime(2000, 1, 1)))
    db.session.execute(update(XapiStatement).values(next_try_at=datetime(2000, 1, 1)))
    db.session.commit()
    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, ralph_lrs.endpoint, USER, PASSWORD))
    tasks = app.extensions["branchwise_xapi_tasks"]
    tasks.deliver.call_local(rows[0].deployment_pk, rows[0].user_pk)
    after = {r.id: r for r in _outbox()}
    assert after[bad.id].status == "failed"
    assert after[bad.id].last_error.startswith(("HTTP 400", "HTTP 422"))
    assert all(r.status == "sent" for i, r in after.items() if i != bad.id)
    stored = [s["id"] for s in ralph_lrs.statements()]
    assert stored == [r.statement_id for r in rows if r.id != bad.id]


def test_wrong_lrs_password_waits_instead_of_failing(app, client, lms, ralph_lrs):
    _seed_outbox(app, client, lms, "http://127.0.0.1:9/unused/")
    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, ralph_lrs.endpoint, USER, "wrong"))
    db.session.execute(update(XapiStatement).values(next_try_at=datetime(2000, 1, 1)))
    db.session.commit()
    row = _outbox()[0]
    outcome = deliver_learner(row.deployment_pk, row.user_pk, app.config["BRANCHWISE"])
    assert outcome.status == "retry"
    assert {r.status for r in _outbox()} == {"pending"}
    assert "HTTP 401" in _outbox()[0].last_error


def test_no_lrs_means_no_statements(app, client, lms):
    learner = Learner(client, launch_token(client, lms)).open()
    _steps(learner, get_module("fractions"), 3)
    assert _outbox() == []


def test_teachers_send_nothing(app, client, lms, ralph_lrs):
    from lti_tool.protocol import claims
    from tests.runner.conftest import INSTRUCTOR

    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, ralph_lrs.endpoint, USER, PASSWORD))
    launch_token(client, lms, sub="teacher-1", **{claims.ROLES: [INSTRUCTOR]})
    assert _outbox() == []
