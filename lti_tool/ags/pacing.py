"""When a score may leave: one learner at a time, at the platform's pace and resolution.

Three rules keep every grade on a real LMS (issue 20):

* **One sender per learner and link** (:func:`acquire_slot`): a conditional UPDATE on
  ``score_delivery_slots`` lets one worker (thread, process or host) send that
  learner's scores; so an older score can never overtake a newer one on the wire.
* **Timestamps strictly increase at the platform's resolution** (:func:`fresh_stamp`):
  a score is stamped when it leaves, after the moment the platform answered the
  previous one. Moodle compares whole seconds and stores its own processing time for
  in-progress scores, so the next score waits for the next second; others get 1 ms.
* **A per-platform budget** (:func:`reserve_send` / :func:`note_rate_limited`): a 429
  (or Canvas's rate-limit 403) pushes the platform's next sending time past its
  Retry-After (with jitter) and widens the spacing between scores; each success
  narrows it again. Every worker reads the same row, so the whole deployment slows
  down together instead of each score retrying on its own.

Times here are epoch seconds (floats): the same arithmetic works in SQLite and
PostgreSQL, and every host reads them with its own clock (NTP is assumed).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lti_tool.extensions import db
from lti_tool.models import DeliverySlot, Platform, PlatformBudget

# Platforms whose score timestamps are compared in whole seconds (guide lti.md §6).
SECOND_RESOLUTION_PRODUCTS = frozenset({"moodle"})
MILLISECOND = 0.001
# Spacing after the first rate-limit answer, and the widest it grows (seconds per score).
FIRST_INTERVAL = 0.1
MAX_INTERVAL = 10.0
GROW = 2.0  # on a 429 outside a block already in force
SHRINK = 0.98  # on each accepted score; below MIN_INTERVAL spacing stops
MIN_INTERVAL = 0.002
# A 429 without Retry-After blocks the platform this long.
DEFAULT_RETRY_AFTER = 1.0
# Spread of a Retry-After block, so workers do not all fire at the same instant.
JITTER = 0.2
# A worker waits in its thread for a sending time at most this long; later ones are
# rescheduled (huey's scheduler ticks once a second).
MAX_WAIT = 3.0


def _upsert_ignore(model, **values) -> None:
    """INSERT a row unless its primary key exists (one statement on both databases)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(model.__table__).values(**values).on_conflict_do_nothing())


# -- one learner at a time --------------------------------------------------------------
def acquire_slot(user_pk: int, link_pk: int, holder: int, lease: float) -> DeliverySlot | None:
    """Take the learner's sending slot for ``lease`` seconds; None when another holds it."""
    now = time.time()
    _upsert_ignore(DeliverySlot, user_pk=user_pk, resource_link_pk=link_pk, holder=None,
                   lease_until=0.0, last_sent_at=0.0, last_stamp=0.0)
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    taken = cast("CursorResult[Any]", db.session.execute(
        update(DeliverySlot)
        .where(DeliverySlot.user_pk == user_pk, DeliverySlot.resource_link_pk == link_pk,
               # Not re-entrant: two jobs for the same score (a deferred one and a
               # retry) must not both send it.
               (DeliverySlot.holder.is_(None)) | (DeliverySlot.lease_until < now))
        .values(holder=holder, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )).rowcount
    db.session.commit()
    if not taken:
        return None
    return db.session.get(DeliverySlot, (user_pk, link_pk), populate_existing=True)


def release_slot(user_pk: int, link_pk: int, holder: int, *, answered_at: float | None = None,
                 stamp: float | None = None) -> None:
    """Free the slot; ``answered_at``: when the platform answered a POST (it may have
    stored a time up to then), ``stamp``: the timestamp that POST carried."""
    values: dict = {"holder": None, "lease_until": 0.0}
    if answered_at is not None:
        values["last_sent_at"] = answered_at
    if stamp is not None:
        values["last_stamp"] = stamp
    db.session.execute(
        update(DeliverySlot)
        .where(DeliverySlot.user_pk == user_pk, DeliverySlot.resource_link_pk == link_pk,
               DeliverySlot.holder == holder)
        .values(**values)
        .execution_options(synchronize_session=False))
    db.session.commit()


# -- timestamps ------------------------------------------------------------------------------
def resolution_for(platform: Platform, budget: PlatformBudget | None) -> float:
    """Seconds: 1 for Moodle (or a platform that refused an equal timestamp), else 1 ms."""
    learned = budget.resolution if budget is not None else 0.0
    if platform.product in SECOND_RESOLUTION_PRODUCTS:
        return max(1.0, learned)
    return max(MILLISECOND, learned)


def earliest_stamp(slot: DeliverySlot, resolution: float, recorded: float) -> float:
    """The first timestamp the platform will see as newer than anything it holds.

    After the last answer (not just the last stamp: Moodle keeps its own processing
    time), in the next tick of its resolution; never before the score was recorded.
    """
    last = max(slot.last_sent_at, slot.last_stamp)
    if last <= 0:
        return recorded
    if resolution >= 1.0:
        boundary = math.floor(last / resolution) * resolution + resolution
    else:
        boundary = math.ceil((last + resolution) * 1000) / 1000
    return max(boundary, recorded)


def fresh_stamp(earliest: float) -> float:
    """Now, rounded up to the millisecond the score carries, and not before ``earliest``."""
    return max(math.ceil(time.time() * 1000) / 1000, earliest)


# -- the platform's budget -------------------------------------------------------------------
def budget_for(platform_id: int) -> PlatformBudget:
    """The platform's budget row (created on first use)."""
    _upsert_ignore(PlatformBudget, platform_id=platform_id, next_slot_at=0.0, interval=0.0,
                   resolution=0.0, rate_limited=0)
    db.session.commit()
    budget = db.session.get(PlatformBudget, platform_id, populate_existing=True)
    assert budget is not None
    return budget


@dataclass(frozen=True)
class Booking:
    """A sending time booked with :func:`reserve_send`.

    ``rate_limited`` is the platform's count of rate-limit answers when it was booked:
    :func:`refused_since` tells from it whether a 429 came in for another worker while
    this one waited. (``next_slot_at`` cannot tell: every booking moves it on by the
    spacing, so once the spacing is wide, or others booked after us, it always lies
    past our own time; that was read as a block and no score ever left: issue 20.)
    """

    send_at: float
    rate_limited: int


def reserve_send(platform_id: int) -> Booking:
    """Book the platform's next sending time (epoch seconds) and move it on by the spacing.

    One UPDATE ... RETURNING: two workers never book the same time.
    """
    now = time.time()
    next_at = PlatformBudget.next_slot_at
    row = db.session.execute(
        update(PlatformBudget)
        .where(PlatformBudget.platform_id == platform_id)
        .values(next_slot_at=case((next_at < now, now), else_=next_at)
                + PlatformBudget.interval)
        .returning(PlatformBudget.next_slot_at, PlatformBudget.interval,
                   PlatformBudget.rate_limited)
        .execution_options(synchronize_session=False)
    ).one()
    db.session.commit()
    return Booking(send_at=float(row.next_slot_at - row.interval),
                   rate_limited=int(row.rate_limited))


def refused_since(platform_id: int, booking: Booking) -> float | None:
    """If a rate-limit answer came after ``booking`` was made: when the platform may be
    tried again (its block, and the bookings made since); else None."""
    row = db.session.execute(
        select(PlatformBudget.next_slot_at, PlatformBudget.rate_limited)
        .where(PlatformBudget.platform_id == platform_id)).one()
    db.session.commit()
    if int(row.rate_limited) <= booking.rate_limited:
        return None
    return float(row.next_slot_at)


def blocked_until(platform_id: int) -> float:
    """When the platform accepts the next score (a Retry-After in force, and the
    sending times already booked, push it out)."""
    return float(db.session.scalar(
        select(PlatformBudget.next_slot_at).where(PlatformBudget.platform_id == platform_id))
        or 0.0)


def note_rate_limited(platform_id: int, retry_after: float | None,
                      rng: random.Random | None = None) -> float:
    """A 429: block the platform past Retry-After (+ jitter) and widen its spacing.

    The spacing grows only when no block was in force: the other workers' scores that
    were already on the wire when the first 429 came are the same overload, not a
    new one. Returns when the platform may be tried again.
    """
    now = time.time()
    wait = retry_after if retry_after is not None else DEFAULT_RETRY_AFTER
    until = now + wait * (1 + JITTER * (rng or random).random())
    next_at, interval = PlatformBudget.next_slot_at, PlatformBudget.interval
    in_force = next_at > now + 0.5 * wait
    blocked = db.session.execute(
        update(PlatformBudget)
        .where(PlatformBudget.platform_id == platform_id)
        .values(
            next_slot_at=case((next_at < until, until), else_=next_at),
            interval=case(
                (in_force, interval),
                (interval < FIRST_INTERVAL, FIRST_INTERVAL),
                (interval * GROW > MAX_INTERVAL, MAX_INTERVAL),
                else_=interval * GROW),
            rate_limited=PlatformBudget.rate_limited + 1)
        .returning(PlatformBudget.next_slot_at)  # max(until, bookings): no second read
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    db.session.commit()
    return max(until, float(blocked or 0.0))


def note_accepted(platform_id: int) -> None:
    """An accepted score: narrow the spacing a little (probing for the platform's rate)."""
    interval = PlatformBudget.interval
    db.session.execute(
        update(PlatformBudget)
        .where(PlatformBudget.platform_id == platform_id, interval > 0)
        .values(interval=case((interval * SHRINK < MIN_INTERVAL, 0.0),
                              else_=interval * SHRINK))
        .execution_options(synchronize_session=False))
    db.session.commit()


def learn_second_resolution(platform_id: int) -> None:
    """A platform refused a timestamp as not newer: compare in whole seconds from now on."""
    db.session.execute(
        update(PlatformBudget)
        .where(PlatformBudget.platform_id == platform_id, PlatformBudget.resolution < 1.0)
        .values(resolution=1.0)
        .execution_options(synchronize_session=False))
    db.session.commit()
