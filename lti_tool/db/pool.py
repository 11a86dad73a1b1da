"""Check a pooled PostgreSQL connection before use only when it has been idle a while.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: one more round
trip on every request. A connection returned to the pool moments ago by a request that
used it is alive as far as anyone can know; one idle for longer (a quiet night, a
database restart or failover, a proxy's idle timeout) is checked first, and replaced
if dead, as ``pool_pre_ping`` would. What is given up: when the database restarts
under load, each worker's next request may still fail once on a connection it used
moments before; SQLAlchemy then discards that worker's whole pool. The learner's
step is not recorded (it is one atomic write) and can be sent again.
"""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

_IDLE_SINCE = "branchwise_idle_since"


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a connection at checkout if it sat in the pool ``idle_seconds`` or more."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just opened, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool discards it and checks out another (up to three times).
                raise DisconnectionError(str(exc)) from exc
            raise
