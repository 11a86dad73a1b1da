"""Send a learner's pending statements to their deployment's LRS, in order, durably.

One job per (deployment, learner) at a time sends that learner's oldest pending
statements as one ``POST <endpoint>statements`` (xAPI 1.0.3 §7.2.2), so statements
reach the LRS in the order they happened:

1. if another job holds the learner's statements (``sending`` with a live lease),
   or the oldest one is not due yet (a retry is scheduled), do nothing;
2. claim up to ``BATCH`` rows (``pending`` -> ``sending``, a conditional UPDATE);
3. POST them; on 200/204 mark them ``sent`` and go on with the next batch;
4. when the LRS is down, slow (timeout), rate-limiting (429), failing (5xx) or
   refusing the credentials (401/403): put them back to ``pending`` with a later
   ``next_try_at`` (exponential backoff, ``Retry-After`` wins) — nothing is dropped,
   and nothing newer overtakes them;
5. any other 4xx means the LRS rejects a statement: the batch is retried one by one
   and only the statement the LRS refuses is marked ``failed`` (with its error), so
   one bad statement does not block the learner's later ones.

Replays are safe: statement ids are derived from the event, and an LRS that already
has a statement id answers 200/204 without storing it twice.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import requests
from sqlalchemy import CursorResult, and_, exists, func, or_, select, update

from lti_tool import outbound
from lti_tool.extensions import db
from lti_tool.models.base import utcnow
from lti_tool.settings import Settings
from lti_tool.xapi.models import XapiLrs, XapiStatement
from lti_tool.xapi.statements import XAPI_VERSION

log = logging.getLogger("branchwise.xapi")

BATCH = 50
LEASE = timedelta(seconds=120)  # a job that died while sending frees the learner after this
OVERDUE_GRACE = timedelta(seconds=60)  # the sweep re-enqueues rows this late
_TRANSIENT = {401, 403, 408, 425, 429}


@dataclass(frozen=True)
class Outcome:
    """What one run did: ``retry_in`` seconds when to run again, ``more`` to go on now."""

    status: str  # sent | retry | busy | idle | no-lrs | rejected
    sent: int = 0
    retry_in: float | None = None
    more: bool = False
    batch: int = BATCH


def backoff(tries: int, settings: Settings, retry_after: float | None = None) -> float:
    """Seconds before the next try after ``tries`` failed ones (10% jitter)."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), settings.xapi_retry_cap_seconds)
    raw = settings.xapi_retry_base_seconds * 2 ** max(tries - 1, 0)
    return min(raw, settings.xapi_retry_cap_seconds) * (1 - 0.1 * random.random())


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _statements_url(endpoint: str) -> str:
    return endpoint.rstrip("/") + "/statements"


def _learner(deployment_pk: int, user_pk: int):
    return and_(XapiStatement.deployment_pk == deployment_pk,
                XapiStatement.user_pk == user_pk)


def deliver_learner(deployment_pk: int, user_pk: int, settings: Settings,
                    batch: int = BATCH) -> Outcome:
    """One delivery run for one learner (see the module docstring)."""
    now = utcnow()
    lrs = db.session.scalars(select(XapiLrs).where(XapiLrs.deployment_pk == deployment_pk,
                                                   XapiLrs.enabled.is_(True))).one_or_none()
    if lrs is None:  # rows wait, pending, until an LRS is configured again
        db.session.commit()
        return Outcome("no-lrs")
    learner = _learner(deployment_pk, user_pk)
    busy = db.session.execute(select(exists().where(
        learner, XapiStatement.status == "sending",
        XapiStatement.claimed_at > now - LEASE))).scalar()
    if busy:
        db.session.commit()
        return Outcome("busy", retry_in=5.0)
    rows = db.session.execute(
        select(XapiStatement.id, XapiStatement.next_try_at, XapiStatement.tries)
        .where(learner, XapiStatement.status.in_(("pending", "sending")))
        .order_by(XapiStatement.id).limit(batch)).all()
    if not rows:
        db.session.commit()
        return Outcome("idle")
    if rows[0].next_try_at > now + timedelta(seconds=1):
        db.session.commit()  # a retry is already scheduled for the oldest one
        return Outcome("idle")
    ids = [r.id for r in rows]
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    claimed = cast("CursorResult[Any]", db.session.execute(
        update(XapiStatement)
        .where(XapiStatement.id.in_(ids),
               or_(XapiStatement.status == "pending",
                   and_(XapiStatement.status == "sending",
                        XapiStatement.claimed_at <= now - LEASE)))
        .values(status="sending", claimed_at=now)
        .execution_options(synchronize_session=False))).rowcount
    if claimed != len(ids):  # another job got some of them first: let it send
        db.session.rollback()
        return Outcome("busy", retry_in=5.0)
    db.session.commit()
    statements = [s for (s,) in db.session.execute(
        select(XapiStatement.statement).where(XapiStatement.id.in_(ids))
        .order_by(XapiStatement.id)).all()]
    tries = max(r.tries for r in rows) + 1
    try:
        # The guarded client (docs/security.md): no redirect elsewhere, a size cap, a total
        # deadline; an LRS on a private network needs outbound_allow_private.
        guarded = outbound.session(settings, max_bytes=outbound.MAX_SERVICE_BYTES)
        response = guarded.post(
            _statements_url(lrs.endpoint), json=statements,
            auth=(lrs.username, lrs.password) if lrs.username else None,
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=settings.http_timeout)
    except requests.RequestException as exc:
        return _later(ids, tries, settings, f"{type(exc).__name__}: {exc}"[:500])
    if response.status_code in (200, 204):
        db.session.execute(update(XapiStatement).where(XapiStatement.id.in_(ids))
                           .values(status="sent", sent_at=utcnow(), claimed_at=None,
                                   tries=tries, last_error=None)
                           .execution_options(synchronize_session=False))
        more = db.session.execute(select(exists().where(
            learner, XapiStatement.status == "pending"))).scalar()
        db.session.commit()
        return Outcome("sent", sent=len(ids), more=bool(more))
    error = f"HTTP {response.status_code}: {response.text[:300]}"
    if response.status_code >= 500 or response.status_code in _TRANSIENT:
        return _later(ids, tries, settings, error, _retry_after(response))
    if len(ids) > 1:  # find the statement the LRS refuses: one at a time
        _release(ids)
        return Outcome("rejected", retry_in=0.0, batch=1)
    db.session.execute(update(XapiStatement).where(XapiStatement.id.in_(ids))
                       .values(status="failed", claimed_at=None, tries=tries,
                               last_error=error)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    log.warning("LRS refused xAPI statement %s: %s", ids[0], error)
    return Outcome("rejected", retry_in=0.0, batch=BATCH)


def _release(ids: list[int]) -> None:
    db.session.execute(update(XapiStatement).where(XapiStatement.id.in_(ids))
                       .values(status="pending", claimed_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _later(ids: list[int], tries: int, settings: Settings, error: str,
           retry_after: float | None = None) -> Outcome:
    delay = backoff(tries, settings, retry_after)
    db.session.execute(update(XapiStatement).where(XapiStatement.id.in_(ids))
                       .values(status="pending", claimed_at=None, tries=tries,
                               next_try_at=utcnow() + timedelta(seconds=delay),
                               last_error=error)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    log.info("LRS unavailable for %d statement(s) (%s); retry in %.1fs", len(ids), error, delay)
    return Outcome("retry", retry_in=delay)


def due_learners(*, overdue_only: bool = True) -> list[tuple[int, int]]:
    """(deployment, learner) pairs whose statements wait longer than they should.

    ``overdue_only``: only those whose oldest pending statement is past due by
    ``OVERDUE_GRACE`` (a lost job) or whose lease expired (a worker died sending).
    """
    now = utcnow()
    cutoff = now - OVERDUE_GRACE if overdue_only else now + timedelta(days=3650)
    query = (select(XapiStatement.deployment_pk, XapiStatement.user_pk)
             .where(or_(and_(XapiStatement.status == "pending",
                             XapiStatement.next_try_at <= cutoff),
                        and_(XapiStatement.status == "sending",
                             XapiStatement.claimed_at <= now - LEASE)))
             .group_by(XapiStatement.deployment_pk, XapiStatement.user_pk)
             .order_by(func.min(XapiStatement.id)))
    pairs = [(r.deployment_pk, r.user_pk) for r in db.session.execute(query).all()]
    db.session.commit()
    return pairs
