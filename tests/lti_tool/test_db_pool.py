"""PostgreSQL connections are checked before use after sitting idle, not on every request.

A pooled connection whose server process was terminated (a database restart, a proxy's
idle timeout) is replaced at checkout once it has been idle ``database_ping_idle_seconds``;
one used a moment before is trusted, and a dead one then fails a single request.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from lti_tool.extensions import db
from tests.conftest import make_app

pytestmark = pytest.mark.postgres


def _app(tmp_path, idle_seconds: float):
    url = os.environ["BRANCHWISE_TEST_POSTGRES_URL"]
    return make_app(url, tmp_path / "instance", database_ping_idle_seconds=idle_seconds)


def _backend_pid() -> int:
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    db.session.remove()  # back to the pool, as at the end of a request
    return pid


def _terminate(pid: int) -> None:
    admin = create_engine(os.environ["BRANCHWISE_TEST_POSTGRES_URL"])
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"),
                                {"pid": pid}).scalar_one()
    finally:
        admin.dispose()
    time.sleep(0.2)  # let the server close the socket


def test_an_idle_connection_that_died_is_replaced(tmp_path):
    app = _app(tmp_path, idle_seconds=0.1)
    with app.app_context():
        first = _backend_pid()
        _terminate(first)  # sat idle longer than 0.1 s meanwhile
        second = _backend_pid()  # no error: checked at checkout, replaced
        assert second != first
        db.engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(tmp_path):
    app = _app(tmp_path, idle_seconds=60)
    with app.app_context():
        first = _backend_pid()
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cur, stmt, *a: statements.append(stmt))
        pinged: list[str] = []
        original = db.engine.dialect.do_ping
        db.engine.dialect.do_ping = lambda dbapi_conn: pinged.append("ping") or original(
            dbapi_conn)
        try:
            assert _backend_pid() == first
            assert pinged == [] and statements == ["SELECT pg_backend_pid()"]
            # The trade-off: a connection killed right after use fails one request...
            _terminate(first)
            with pytest.raises(OperationalError):
                _backend_pid()
            db.session.remove()
            # ...and the pool is replaced, so the next one works.
            assert _backend_pid() != first
        finally:
            db.engine.dialect.do_ping = original
            db.engine.dispose()


def test_zero_checks_every_checkout(tmp_path):
    app = _app(tmp_path, idle_seconds=0)
    with app.app_context():
        pinged: list[str] = []
        original = db.engine.dialect.do_ping
        db.engine.dialect.do_ping = lambda dbapi_conn: pinged.append("ping") or original(
            dbapi_conn)
        try:
            _backend_pid()
            _backend_pid()
            _backend_pid()
            assert len(pinged) == 2  # not the new connection, every reuse
        finally:
            db.engine.dialect.do_ping = original
            db.engine.dispose()
