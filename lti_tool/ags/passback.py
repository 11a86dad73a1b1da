"""Turn an attempt's grade into a ScoreSubmission row, inside the learner's transaction.

The learner's request never talks to the LMS: it only records what must be
sent. Delivery (token, line item, POST, retries) runs in the job queue after
the commit (``lti_tool.ags.delivery``), so an LMS that is down costs the
learner nothing and loses no grade.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, cast

from sqlalchemy import Table, func, insert, select

from lti_tool.extensions import db
from lti_tool.models import ScoreSubmission
from lti_tool.models.base import utcnow


class _LinkLike(Protocol):
    @property
    def lineitem_url(self) -> str | None: ...
    @property
    def lineitems_url(self) -> str | None: ...


class AttemptLike(Protocol):
    """What :func:`score_row` reads of an attempt: an ``Attempt`` row, or the runner's
    ``AttemptRow`` (read at the start of the request)."""

    @property
    def id(self) -> int: ...
    @property
    def user_pk(self) -> int: ...
    @property
    def resource_link_pk(self) -> int: ...
    @property
    def resource_link(self) -> _LinkLike: ...


def next_timestamp(user_pk: int, resource_link_pk: int):
    """Now, or 1 ms after the newest score already recorded for this learner and link.

    AGS platforms must ignore a score older than the one they hold, so the
    timestamps of one learner's scores must strictly increase even when two
    are recorded within the clock's resolution.
    """
    last = db.session.scalar(
        select(func.max(ScoreSubmission.timestamp)).where(
            ScoreSubmission.user_pk == user_pk,
            ScoreSubmission.resource_link_pk == resource_link_pk,
        )
    )
    return timestamp_after(last)


def timestamp_after(last: datetime | None) -> datetime:
    """Now, or 1 ms after ``last`` (the newest score timestamp) if the clock has not passed it.

    For callers that already know ``last`` (the runner keeps it with the attempt) and so
    can skip :func:`next_timestamp`'s query.
    """
    now = utcnow()
    if last is not None and now <= last:
        return last + timedelta(milliseconds=1)
    return now


# Built once: the values go in as parameters, so SQLAlchemy reuses the compiled statement.
_SCORES = cast(Table, ScoreSubmission.__table__)  # a mapped class's table (typed FromClause)
_INSERT_SCORE = insert(_SCORES).returning(_SCORES.c.id)


def progress_values(*, completed: bool, started: bool = False,
                    unresolved: bool = False) -> tuple[str, str]:
    """(activityProgress, gradingProgress) of a score, told honestly (docs/grades.md).

    - first launch: ``Started`` / ``NotReady`` (no score yet);
    - while the learner works: ``InProgress`` / ``Pending``;
    - the learner has done all they can, but some skill is unresolved (flagged for the
      teacher, or not reached because a prerequisite is flagged): ``Submitted`` /
      ``PendingManual``: the grade is not final and needs a person;
    - every skill resolved (mastered or known): ``Completed`` / ``FullyGraded``, the only
      pair an LMS treats as final (Moodle shows only those in its gradebook).
    """
    if started:
        return "Started", "NotReady"
    if completed and unresolved:
        return "Submitted", "PendingManual"
    if completed:
        return "Completed", "FullyGraded"
    return "InProgress", "Pending"


def score_row(attempt: AttemptLike, *, score: float | None, score_maximum: float, comment: str,
              completed: bool, started: bool = False,
              timestamp: datetime | None = None, unresolved: bool = False) -> dict | None:
    """The ScoreSubmission columns (but ``attempt_pk``) of the attempt's current grade.

    None when the resource link has no line item to send to. ``started`` marks the
    first launch (activityProgress Started, no score yet). ``unresolved``: the finished
    attempt left skills flagged or blocked (see :func:`progress_values`). ``timestamp``:
    one the caller already made with :func:`timestamp_after` (it must be later than every
    score recorded for this learner and link); default :func:`next_timestamp`.
    """
    link = attempt.resource_link
    if not (link.lineitem_url or link.lineitems_url):
        return None
    activity, grading = progress_values(completed=completed, started=started,
                                        unresolved=unresolved)
    given = None if started else score
    return dict(
        user_pk=attempt.user_pk, resource_link_pk=attempt.resource_link_pk,
        score_given=None if given is None else round(given * score_maximum, 4),
        score_maximum=score_maximum, activity_progress=activity, grading_progress=grading,
        comment=comment[:1000] if comment else None,
        timestamp=timestamp or next_timestamp(attempt.user_pk, attempt.resource_link_pk),
        status="pending", tries=0, created_at=utcnow(),
    )


def submit_progress(attempt: AttemptLike, *, score: float | None, score_maximum: float,
                    comment: str, completed: bool, started: bool = False,
                    timestamp: datetime | None = None, unresolved: bool = False) -> int | None:
    """Record the attempt's current grade for delivery; the caller commits, then enqueues
    the returned id (``delivery.enqueue_committed``).

    Arguments as :func:`score_row`. Returns the new row's id, or None when the resource
    link has no line item to send to.

    A Core INSERT ... RETURNING id (one round trip, as the ORM's flush was) rather than an
    ORM object: nothing reads the row back in the learner's request, and the unit of work
    for it cost about as much as the statement on every answer. The id is all the
    enqueue needs.
    """
    row = score_row(attempt, score=score, score_maximum=score_maximum, comment=comment,
                    completed=completed, started=started, timestamp=timestamp,
                    unresolved=unresolved)
    if row is None:
        return None
    return db.session.execute(_INSERT_SCORE, {**row, "attempt_pk": attempt.id}).scalar_one()
