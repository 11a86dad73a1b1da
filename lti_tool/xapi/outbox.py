"""Write statements to the outbox and wake the delivery job.

Called by the hooks in ``events`` after the learning event itself is committed.
One INSERT of all the event's statements, ``ON CONFLICT DO NOTHING`` on the
statement id, so an event recorded twice (a retried request) is stored once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.models.base import utcnow
from lti_tool.xapi.models import XapiStatement

log = logging.getLogger("branchwise.xapi")

_TABLE: Table = XapiStatement.__table__  # type: ignore[assignment]


def _verb_name(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[-1][:40]


def store(deployment_pk: int, user_pk: int, statements: Sequence[dict]) -> int:
    """Add ``statements`` (in order) to the outbox, commit, and enqueue their delivery."""
    if not statements:
        return 0
    now = utcnow()
    rows = [dict(statement_id=s["id"], deployment_pk=deployment_pk, user_pk=user_pk,
                 verb=_verb_name(s), statement=s, status="pending", tries=0,
                 next_try_at=now, created_at=now) for s in statements]
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(_TABLE).values(rows).on_conflict_do_nothing(
            index_elements=["statement_id"])
        # Typed Result; a DML statement gives a CursorResult, which has rowcount.
        added = int(cast("CursorResult[Any]", db.session.execute(stmt)).rowcount or 0)
    else:  # other databases: one savepoint per row, a duplicate id is skipped
        added = 0
        for row in rows:
            try:
                with db.session.begin_nested():
                    db.session.execute(_TABLE.insert().values(**row))
                added += 1
            except IntegrityError:
                continue
    db.session.commit()
    from lti_tool.xapi.tasks import enqueue

    enqueue(current_app._get_current_object(), deployment_pk, user_pk)  # type: ignore[attr-defined]
    return added
