"""Write one activity step: compare-and-set the attempt, record its event and its score.

Everything a step writes goes in together or not at all, and only if the attempt is
still at the step the learner answered (``UPDATE attempts ... WHERE id=? AND seq=?``):

* on PostgreSQL as **one statement** — the UPDATE in a data-modifying ``WITH``, the
  event and the score ``INSERT ... SELECT ... FROM`` it, so a lost compare-and-set
  inserts nothing. One statement is atomic on its own, which lets the runner's POSTs
  run without ``BEGIN``/``COMMIT`` (``autocommit_steps``): three round trips a step
  (pool ping, the read, this write) instead of seven;
* elsewhere (SQLite has no data-modifying ``WITH``) as an UPDATE and INSERTs in the
  caller's transaction, which the caller commits.

Either way a lost compare-and-set or a duplicate event (UNIQUE(attempt_pk, seq): a
double-clicked submit) raises :class:`StepConflict` and leaves nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import CursorResult, Table, Update, bindparam, cast, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lti_tool.extensions import db
from lti_tool.models import Attempt, ScoreSubmission

__all__ = ["StepConflict", "StepWrite", "autocommit_steps", "write_step"]

_ATTEMPTS: Table = Attempt.__table__  # type: ignore[assignment]
_SCORES: Table = ScoreSubmission.__table__  # type: ignore[assignment]


class StepConflict(Exception):
    """Another request moved the attempt on first (or this step is already recorded)."""


@dataclass(frozen=True)
class StepWrite:
    """What one step writes. ``event`` and ``score`` rows leave out ``attempt_pk``."""

    attempt_id: int
    expected_seq: int
    attempt: Mapping[str, Any]  # attempt columns to SET
    event_table: Table | None = None
    event: Mapping[str, Any] | None = None
    score: Mapping[str, Any] | None = None


def _one_statement() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def autocommit_steps() -> None:
    """Run this request's SQL outside a transaction when each step is one statement.

    Call before the request's first query. Only where :func:`write_step` writes a step
    in one (atomic) statement; elsewhere, or when the session is already in a
    transaction (tests that share one across requests), the request keeps its
    transaction.
    """
    if _one_statement() and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def write_step(step: StepWrite) -> int | None:
    """Write ``step``; the id of its score row (None without one). Raises StepConflict.

    In a transaction the caller commits; in autocommit mode it is already durable.
    """
    one_statement = _one_statement()
    try:
        if one_statement:
            return _write_in_one_statement(step)
        return _write_in_transaction(step)
    except IntegrityError as exc:  # the event of this seq exists: a double submit
        db.session.rollback()
        raise StepConflict() from exc
    except OperationalError as exc:
        db.session.rollback()
        if one_statement:  # the server or the connection failed: an error, not a conflict
            raise
        # SQLite: another writer held the lock too long; that request got there first.
        raise StepConflict() from exc


# -- SQLite and other engines: three statements in the caller's transaction ------------

_CAS = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("cas_id"),
                               _ATTEMPTS.c.seq == bindparam("cas_seq"))
_SCORE_INSERT = insert(_SCORES).returning(_SCORES.c.id)
_EVENT_INSERTS: dict[str, Any] = {}


def _write_in_transaction(step: StepWrite) -> int | None:
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    result = typing_cast("CursorResult[Any]", db.session.execute(
        _CAS, {"cas_id": step.attempt_id, "cas_seq": step.expected_seq, **step.attempt}))
    if result.rowcount != 1:
        db.session.rollback()
        raise StepConflict()
    if step.event_table is not None and step.event is not None:
        statement = _EVENT_INSERTS.get(step.event_table.name)
        if statement is None:
            statement = _EVENT_INSERTS[step.event_table.name] = insert(step.event_table)
        db.session.execute(statement, {"attempt_pk": step.attempt_id, **step.event})
    if step.score is None:
        return None
    return db.session.execute(
        _SCORE_INSERT, {"attempt_pk": step.attempt_id, **step.score}).scalar_one()


# -- PostgreSQL: one statement ---------------------------------------------------------

# Built once per shape (which attempt columns, which event table, with a score or not):
# the values are parameters, so SQLAlchemy and psycopg reuse the compiled and the
# server-side prepared statement.
_STATEMENTS: dict[tuple, Any] = {}


def _params(table: Table, names: tuple[str, ...], prefix: str) -> list:
    # INSERT ... SELECT types its select list on its own: cast every parameter to its
    # column's type (a None would otherwise be text and not fit an integer column).
    return [cast(bindparam(prefix + name, type_=table.c[name].type), table.c[name].type)
            for name in names]


def _insert_from(cas, table: Table, names: tuple[str, ...], prefix: str):
    rows = select(*_params(table, names, prefix), cas.c.id).select_from(cas)
    return insert(table).from_select([*names, "attempt_pk"], rows, include_defaults=False)


def _statement(step: StepWrite):
    attempt_cols = tuple(sorted(step.attempt))
    event_cols = tuple(sorted(step.event)) if step.event is not None else ()
    score_cols = tuple(sorted(step.score)) if step.score is not None else ()
    event_table = step.event_table if step.event is not None else None
    key = (attempt_cols, event_table.name if event_table is not None else None, event_cols,
           score_cols)
    statement = _STATEMENTS.get(key)
    if statement is not None:
        return statement
    cas_update: Update = update(_ATTEMPTS).where(
        _ATTEMPTS.c.id == bindparam("cas_id"), _ATTEMPTS.c.seq == bindparam("cas_seq"),
    ).values({name: bindparam("a_" + name, type_=_ATTEMPTS.c[name].type)
              for name in attempt_cols}).returning(_ATTEMPTS.c.id)
    if event_table is None and not score_cols:
        statement = cas_update  # nothing to insert: the UPDATE's RETURNING tells the CAS
    else:
        cas = cas_update.cte("cas")
        parts = []
        if event_table is not None:
            parts.append(_insert_from(cas, event_table, event_cols, "e_")
                         .returning(event_table.c.id))
        if score_cols:
            parts.append(_insert_from(cas, _SCORES, score_cols, "s_").returning(_SCORES.c.id))
        statement = parts[-1]  # its RETURNING: the score id (or the event's), none if lost
        for n, other in enumerate(parts[:-1]):
            statement = statement.add_cte(other.cte(f"ins{n}"))
    _STATEMENTS[key] = statement
    return statement


def _write_in_one_statement(step: StepWrite) -> int | None:
    params: dict[str, Any] = {"cas_id": step.attempt_id, "cas_seq": step.expected_seq}
    params.update({"a_" + k: v for k, v in step.attempt.items()})
    if step.event is not None:
        params.update({"e_" + k: v for k, v in step.event.items()})
    if step.score is not None:
        params.update({"s_" + k: v for k, v in step.score.items()})
    returned = db.session.execute(_statement(step), params).scalar_one_or_none()
    if returned is None:
        db.session.rollback()
        raise StepConflict()
    return returned if step.score is not None else None
