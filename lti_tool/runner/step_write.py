"""Write one activity step: compare-and-set the attempt, record its event and its score.

One object, :class:`StepWriter`, owns a step's database work from the start of the
request to its commit, on every engine, and returns what it wrote (:class:`Written`).
Everything a step writes goes in together or not at all, and only if the attempt is
still at the step the learner answered (``UPDATE attempts ... WHERE id=? AND seq=?``):

* on PostgreSQL as **one statement** — the UPDATE in a data-modifying ``WITH``, the
  event and the score ``INSERT ... SELECT ... FROM`` it, so a lost compare-and-set
  inserts nothing. One statement is atomic on its own, which lets a step's request run
  without ``BEGIN``/``COMMIT`` (:meth:`StepWriter.begin`, before the request's first
  query): three round trips a step (pool ping, the read, this write) instead of seven;
* elsewhere (SQLite has no data-modifying ``WITH``) as an UPDATE and INSERTs in one
  transaction, which the writer commits.

Either way a lost compare-and-set or a duplicate event (UNIQUE(attempt_pk, seq): a
double-clicked submit) raises :class:`StepConflict` and leaves nothing written.

The writer does not enqueue anything: the caller (``runner.services``) hands the score
id of the :class:`Written` it got back to grade delivery after the commit. No commit
listener, no flag in the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import CursorResult, Table, Update, bindparam, cast, insert, select, true, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lti_tool.extensions import db
from lti_tool.models import Attempt, ScoreSubmission

__all__ = ["StepConflict", "StepWrite", "StepWriter", "Written"]

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


@dataclass(frozen=True)
class Written:
    """What a step wrote (all of it committed): the attempt's new ``seq``, the id of its
    event row and of its score row (None when the step had none)."""

    seq: int
    event_id: int | None = None
    score_id: int | None = None


def _one_statement() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


class StepWriter:
    """Owns an activity step's write: begin, compare-and-set, commit.

    ``StepWriter.begin()`` before the request's first query (the step's POST views);
    ``StepWriter()`` where a request has already read (the step then goes in the
    request's transaction, e.g. a resumed sitting saved while a page is opened). Then
    :meth:`write` once per step.
    """

    def __init__(self) -> None:
        self.one_statement = _one_statement()

    @classmethod
    def begin(cls) -> StepWriter:
        """A writer whose request runs its SQL outside a transaction where a step is one
        (atomic) statement (PostgreSQL): no BEGIN and COMMIT round trips. Elsewhere, or
        when the session is already in a transaction (tests that share one across
        requests), the request keeps its transaction."""
        writer = cls()
        if writer.one_statement and not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return writer

    def write(self, step: StepWrite) -> Written:
        """Compare-and-set ``step`` in with its event and score, and commit.

        Raises :class:`StepConflict` (nothing written, the session rolled back) when the
        attempt is no longer at ``step.expected_seq`` or the step is already recorded.
        """
        try:
            if self.one_statement:
                event_id, score_id = _write_in_one_statement(step)
            else:
                event_id, score_id = _write_in_transaction(step)
        except IntegrityError as exc:  # the event of this seq exists: a double submit
            db.session.rollback()
            raise StepConflict() from exc
        except OperationalError as exc:
            db.session.rollback()
            if self.one_statement:  # the server or the connection failed: an error
                raise
            # SQLite: another writer held the lock too long; that request got there first.
            raise StepConflict() from exc
        # The runner holds no ORM objects (``launches``): nothing to expire or reload. In
        # autocommit mode the step is already durable and this costs no round trip.
        db.session.commit()
        return Written(int(step.attempt.get("seq", step.expected_seq)), event_id, score_id)


# -- SQLite and other engines: three statements in one transaction -------------------

_CAS = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("cas_id"),
                               _ATTEMPTS.c.seq == bindparam("cas_seq"))
_SCORE_INSERT = insert(_SCORES).returning(_SCORES.c.id)
_EVENT_INSERTS: dict[str, Any] = {}


def _write_in_transaction(step: StepWrite) -> tuple[int | None, int | None]:
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    result = typing_cast("CursorResult[Any]", db.session.execute(
        _CAS, {"cas_id": step.attempt_id, "cas_seq": step.expected_seq, **step.attempt}))
    if result.rowcount != 1:
        db.session.rollback()
        raise StepConflict()
    event_id = score_id = None
    if step.event_table is not None and step.event is not None:
        statement = _EVENT_INSERTS.get(step.event_table.name)
        if statement is None:
            statement = _EVENT_INSERTS[step.event_table.name] = insert(
                step.event_table).returning(step.event_table.c.id)
        event_id = db.session.execute(
            statement, {"attempt_pk": step.attempt_id, **step.event}).scalar_one()
    if step.score is not None:
        score_id = db.session.execute(
            _SCORE_INSERT, {"attempt_pk": step.attempt_id, **step.score}).scalar_one()
    return event_id, score_id


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
        # The inserts select from the CAS, and the statement selects what they returned
        # (the ids of what was written): no row when the compare-and-set lost.
        cas = cas_update.cte("cas")
        event = score = None
        if event_table is not None:
            event = _insert_from(cas, event_table, event_cols, "e_").returning(
                event_table.c.id).cte("ev")
        if score_cols:
            score = _insert_from(cas, _SCORES, score_cols, "s_").returning(
                _SCORES.c.id).cte("sc")
        written = [part for part in (event, score) if part is not None]
        source = written[0] if len(written) == 1 else written[0].join(written[1], true())
        statement = select(*(part.c.id for part in written)).select_from(source)
    _STATEMENTS[key] = statement
    return statement


def _write_in_one_statement(step: StepWrite) -> tuple[int | None, int | None]:
    params: dict[str, Any] = {"cas_id": step.attempt_id, "cas_seq": step.expected_seq}
    params.update({"a_" + k: v for k, v in step.attempt.items()})
    with_event = False
    if step.event_table is not None and step.event is not None:
        with_event = True
        params.update({"e_" + k: v for k, v in step.event.items()})
    if step.score is not None:
        params.update({"s_" + k: v for k, v in step.score.items()})
    returned = db.session.execute(_statement(step), params).first()
    if returned is None:
        db.session.rollback()
        raise StepConflict()
    ids = list(returned) if (with_event or step.score is not None) else []
    event_id = ids.pop(0) if with_event else None
    score_id = ids.pop(0) if step.score is not None else None
    return event_id, score_id
