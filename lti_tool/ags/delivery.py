"""Deliver ScoreSubmission rows to the platform's gradebook, durably.

The learner's request only writes a ``ScoreSubmission`` (``passback.submit_progress``,
or with an activity step, ``runner.step_write``). After its transaction commits, the
code that wrote it enqueues one delivery job per new row (:func:`enqueue_committed`;
no commit listener does it behind its back); the job (``lti_tool.ags.tasks``) calls
:func:`deliver`, which

1. takes the learner's sending slot (``pacing.acquire_slot``: one sender per learner
   and link, in every process), and marks every older pending score of that learner
   ``superseded``: only the newest is ever sent;
2. finds or creates the line item once and stores it on the resource link,
3. waits for the platform's budget (a 429 or Canvas's rate-limit 403 slows the whole
   platform down, past its Retry-After, and costs the score no try),
4. stamps the score as it leaves, after anything the platform holds at its resolution
   (whole seconds for Moodle), and posts it with a token cached in the shared cache,
5. records ``sent``; ``pending`` with ``next_try_at`` for 5xx / timeouts / rate limits;
   on an "older timestamp" refusal (409, Canvas's 400) re-sends the newest state with
   a fresh stamp, or records ``superseded`` when a newer score replaces it; ``failed``
   with ``last_error`` for any other 4xx (an admin replays it, with a fresh stamp).

The database row is the source of truth, not the queue: a worker that starts
re-enqueues every row still pending (``sweep``), so even a lost enqueue is
recovered.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import requests
from flask import Flask
from sqlalchemy import CursorResult, or_, select, update

from lti_tool.ags import client as ags
from lti_tool.ags import pacing
from lti_tool.ags.review import submission_review
from lti_tool.extensions import cache, db
from lti_tool.models import Context, Platform, ResourceLink, ScoreSubmission, User
from lti_tool.models.base import utcnow
from lti_tool.registration.hosts import service_url
from lti_tool.settings import Settings
from lti_tool.tool_urls import tool_urls

log = logging.getLogger("branchwise.ags")

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
LINEITEM_TAG = "branchwise-mastery"
# Scheduled retries may fire a little early on another host's clock.
CLAIM_TOLERANCE = timedelta(seconds=1)
# A pending row whose due time passed this long ago has lost its job (periodic sweep).
OVERDUE_GRACE = timedelta(minutes=5)
# Seconds before a job tries again for a learner slot another worker holds.
SLOT_RETRY = 1.0


# -- retry policy ---------------------------------------------------------------
@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; the platform's Retry-After wins when given."""

    max_tries: int = 10
    base_seconds: float = 5.0
    cap_seconds: float = 3600.0
    jitter: float = 0.1  # spreads retries of many scores after one outage

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(max_tries=settings.grade_retry_max,
                   base_seconds=settings.grade_retry_base_seconds,
                   cap_seconds=settings.grade_retry_cap_seconds)

    def delay(self, tries: int, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds before try number ``tries + 1``; ``tries`` counts the ones made."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap_seconds)
        raw = self.base_seconds * 2 ** max(tries - 1, 0)
        spread = 1 - self.jitter * (rng or random).random()
        return min(raw, self.cap_seconds) * spread

    def gives_up(self, tries: int) -> bool:
        return tries >= self.max_tries


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did; ``delay`` is set when ``status == 'retry'``."""

    status: str  # sent | superseded | retry | deferred | failed | skipped
    delay: float = 0.0
    error: str = ""
    # The row the attempt ended on: a newer one of the same learner when it took over.
    submission_id: int | None = None


# -- building requests ------------------------------------------------------------
def score_json(sub: ScoreSubmission, user_sub: str, product: str = "generic", *,
               stamp: float | None = None) -> dict[str, Any]:
    """The AGS score (§3.4) for a submission, with Canvas's submission extension.

    ``stamp`` (epoch seconds) is the time the score leaves (``pacing.fresh_stamp``); the
    recorded time is used only without it.
    """
    sent_at = ags.format_timestamp(sub.timestamp if stamp is None else stamp)
    body: dict[str, Any] = {
        "userId": user_sub,
        "activityProgress": sub.activity_progress,
        "gradingProgress": sub.grading_progress,
        "timestamp": sent_at,
    }
    if sub.score_given is not None:
        # scoreMaximum travels with every scoreGiven: the platform scales to its line item.
        body["scoreGiven"] = max(0.0, min(sub.score_given, sub.score_maximum))
        body["scoreMaximum"] = sub.score_maximum
    if sub.comment:
        body["comment"] = sub.comment
    if product == "canvas":
        # Without it Canvas records every progress update as a new submission attempt.
        body[CANVAS_SUBMISSION] = {
            "new_submission": sub.activity_progress in ("Submitted", "Completed"),
            "submitted_at": sent_at,
        }
    return body


def credentials_for(platform: Platform) -> ags.ToolCredentials:
    """Our identity towards one platform, signed with the current key."""
    from lti_tool.keys.services import signing_key

    key = signing_key()
    return ags.ToolCredentials(client_id=platform.client_id, token_url=platform.auth_token_url,
                               private_key_pem=key.private_pem, kid=key.kid,
                               audience=platform.token_audience or None)


def scopes_for(link: ResourceLink) -> list[str]:
    """The AGS scopes the launch granted (one token serves every link of the platform)."""
    granted = [s for s in (link.ags_scopes or []) if s in ags.AGS_SCOPES]
    return sorted(set(granted)) or [ags.SCOPE_SCORE]


def client_for(platform: Platform, link: ResourceLink, settings: Settings,
               http: requests.Session | None = None) -> ags.AgsClient:
    return ags.AgsClient(credentials_for(platform), scopes_for(link), cache=cache,
                         timeout=settings.http_timeout, http=http)


def ensure_line_item(link: ResourceLink, client: ags.AgsClient, score_maximum: float,
                     settings: Settings, platform: Platform | None = None) -> str:
    """The link's line item URL: from the launch, found by resource link, or created once.

    A cache lock keeps two workers from creating two columns for one link; the
    loser waits for a retry and then reads the stored URL.
    """
    if link.lineitem_url:
        return link.lineitem_url
    if not link.lineitems_url:
        raise ags.AgsError("the launch carried no AGS line item or line items URL", status=400)
    if not (set(client.scopes) & {ags.SCOPE_LINEITEM, ags.SCOPE_LINEITEM_READONLY}):
        raise ags.AgsError("no lineitem scope granted: cannot find or create a line item",
                           status=403)
    lock = f"ags-lineitem-lock:{link.id}"
    if not ags.add_lock(cache, lock, timeout=int(2 * settings.http_timeout + 5)):
        raise ags.AgsError("another worker is creating this line item", retry_after=1.0)
    try:
        db.session.refresh(link)
        if link.lineitem_url:
            return link.lineitem_url
        found = client.find_line_items(link.lineitems_url,
                                       resource_link_id=link.resource_link_id)
        ours = [i for i in found if i.get("tag") == LINEITEM_TAG] or found
        if ours:
            url = str(ours[0]["id"])
        else:
            if ags.SCOPE_LINEITEM not in client.scopes:
                raise ags.AgsError("no line item for this link and no scope to create one",
                                   status=403)
            created = client.create_line_item(link.lineitems_url, {
                "scoreMaximum": score_maximum,
                "label": link.title or "Branchwise activity",
                "resourceId": link.module_id or f"branchwise-{link.resource_link_id}",
                "resourceLinkId": link.resource_link_id,
                "tag": LINEITEM_TAG,
                "submissionReview": submission_review(tool_urls(settings.base_url)["launch_url"]),
            })
            url = str(created["id"])
        if platform is not None and service_url(url, platform, "lineitem id") is None:
            # A line item id from the platform's answer is called with its access token, like
            # one from a launch: it must be on the platform's hosts (docs/security.md).
            raise ags.AgsError("the platform answered with a line item off its hosts",
                               status=400, url=url[:200])
        link.lineitem_url = url
        db.session.commit()
        return url
    finally:
        cache.delete(lock)


# -- one delivery -------------------------------------------------------------------
def _due(sub: ScoreSubmission) -> bool:
    return sub.next_try_at is None or sub.next_try_at <= utcnow() + CLAIM_TOLERANCE


def _newest_pending(user_pk: int, link_pk: int) -> int | None:
    """The learner's newest score still to send for this link (the only one worth sending)."""
    return db.session.scalar(
        select(ScoreSubmission.id)
        .where(ScoreSubmission.user_pk == user_pk, ScoreSubmission.resource_link_pk == link_pk,
               ScoreSubmission.status == "pending")
        .order_by(ScoreSubmission.timestamp.desc(), ScoreSubmission.id.desc()).limit(1))


def _supersede_older(sub: ScoreSubmission) -> int:
    """Mark the learner's pending scores older than ``sub`` superseded (never newer ones:
    a score recorded while ``sub`` is on the wire must still go)."""
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    count = cast("CursorResult[Any]", db.session.execute(
        update(ScoreSubmission)
        .where(ScoreSubmission.user_pk == sub.user_pk,
               ScoreSubmission.resource_link_pk == sub.resource_link_pk,
               ScoreSubmission.status == "pending", ScoreSubmission.id != sub.id,
               or_(ScoreSubmission.timestamp < sub.timestamp,
                   (ScoreSubmission.timestamp == sub.timestamp)
                   & (ScoreSubmission.id < sub.id)))
        .values(status="superseded", next_try_at=None)
        .execution_options(synchronize_session=False))).rowcount
    db.session.commit()
    return count


def _newer_sent(sub: ScoreSubmission) -> bool:
    return db.session.scalar(
        select(ScoreSubmission.id).where(
            ScoreSubmission.user_pk == sub.user_pk,
            ScoreSubmission.resource_link_pk == sub.resource_link_pk,
            ScoreSubmission.status == "sent",
            ScoreSubmission.timestamp > sub.timestamp,
        ).limit(1)
    ) is not None


def _defer(sub: ScoreSubmission, until: float, why: str) -> Outcome:
    """Wait without using a try (a busy learner slot, a platform's rate limit)."""
    delay = max(0.0, until - time.time())
    sub.next_try_at = utcnow() + timedelta(seconds=delay)
    db.session.commit()
    log.debug("score %s deferred %.2fs: %s", sub.id, delay, why)
    return Outcome("deferred", delay=delay, error=why, submission_id=sub.id)


def deliver(submission_id: int, settings: Settings, *,
            http: requests.Session | None = None, policy: RetryPolicy | None = None) -> Outcome:
    """One delivery attempt for a learner's newest score; records the result on its row.

    Holding the learner's slot (``pacing.acquire_slot``) it supersedes every older
    pending score of that learner and link, waits for the platform's budget and for a
    timestamp the platform will see as newer, stamps the score as it leaves, and posts.
    """
    policy = policy or RetryPolicy.from_settings(settings)
    sub = db.session.get(ScoreSubmission, submission_id, populate_existing=True)
    if sub is None or sub.status != "pending" or not _due(sub):
        db.session.rollback()
        return Outcome("skipped")  # done, deleted with its link, or due later (own job)
    user_pk, link_pk = sub.user_pk, sub.resource_link_pk
    lease = 3 * settings.http_timeout + pacing.MAX_WAIT + 10
    slot = pacing.acquire_slot(user_pk, link_pk, submission_id, lease)
    if slot is None:
        if _newest_pending(user_pk, link_pk) != submission_id:
            return Outcome("skipped")  # the newest one's job supersedes this one
        return _defer(sub, time.time() + SLOT_RETRY * (1 + random.random() * 0.5),
                      "another worker is sending this learner's score")
    answered_at: float | None = None
    stamp: float | None = None
    try:
        outcome, answered_at, stamp = _deliver_holding_slot(sub, settings, http, policy, slot)
        return outcome
    finally:
        pacing.release_slot(user_pk, link_pk, submission_id, answered_at=answered_at,
                            stamp=stamp)


def _deliver_holding_slot(sub: ScoreSubmission, settings: Settings,
                          http: requests.Session | None, policy: RetryPolicy,
                          slot) -> tuple[Outcome, float | None, float | None]:
    user_pk, link_pk = sub.user_pk, sub.resource_link_pk
    newest = _newest_pending(user_pk, link_pk)
    if newest is None:
        return Outcome("skipped"), None, None  # sent or replaced meanwhile
    if newest != sub.id:
        newer = db.session.get(ScoreSubmission, newest)
        if newer is not None:
            _supersede_older(newer)  # this one and any other between them
        log.info("score %s superseded by newer score %s before sending", sub.id, newest)
        return Outcome("superseded"), None, None
    _supersede_older(sub)
    if _newer_sent(sub):
        sub.status, sub.next_try_at = "superseded", None
        db.session.commit()
        log.info("score %s superseded by a newer one already sent", sub.id)
        return Outcome("superseded"), None, None
    answered_at = stamp = None
    platform = None
    try:
        link = sub.resource_link
        user = db.session.get(User, user_pk)
        platform = db.session.get(Platform, user.platform_id) if user else None
        if platform is None:
            raise ags.AgsError("the learner's platform is no longer registered", status=410)
        assert user is not None  # no user, no platform: raised above
        scopes = scopes_for(link)
        if link.ags_scopes and ags.SCOPE_SCORE not in scopes:
            raise ags.AgsError("the platform did not grant the AGS score scope", status=403)
        client = client_for(platform, link, settings, http)
        lineitem_url = ensure_line_item(link, client, sub.score_maximum, settings, platform)

        # The platform's budget: wait here for a sending time that is near, else come back.
        budget = pacing.budget_for(platform.id)
        if budget.next_slot_at - time.time() > pacing.MAX_WAIT:
            return _defer(sub, _spread(budget.next_slot_at, budget.interval),
                          "platform rate limit"), None, None
        booking = pacing.reserve_send(platform.id)
        if booking.send_at - time.time() > 3 * pacing.MAX_WAIT:
            return _defer(sub, booking.send_at, "platform rate limit"), None, None
        _sleep_until(booking.send_at)
        blocked = pacing.refused_since(platform.id, booking)
        if blocked is not None and blocked > time.time():
            # A 429 came for another worker while we waited: join the queue again.
            return _defer(sub, _spread(blocked, budget.interval),
                          "platform rate limit"), None, None

        # A timestamp the platform sees as newer than all it holds for this learner.
        resolution = pacing.resolution_for(platform, budget)
        recorded = sub.timestamp.replace(tzinfo=UTC).timestamp()
        earliest = pacing.earliest_stamp(slot, resolution, recorded)
        if earliest - time.time() <= resolution + 0.05:
            _sleep_until(earliest)
        # A newer score may have come in while we waited: send that one instead.
        newest = _newest_pending(user_pk, link_pk)
        if newest is not None and newest != sub.id:
            sub.status, sub.next_try_at = "superseded", None
            db.session.commit()
            switched = db.session.get(ScoreSubmission, newest, populate_existing=True)
            if switched is None or switched.status != "pending":
                return Outcome("superseded"), None, None
            _supersede_older(switched)
            log.info("score %s superseded by %s while waiting; sending that", sub.id, newest)
            sub = switched
        stamp = pacing.fresh_stamp(earliest)
        sub.tries += 1
        sub.next_try_at = utcnow() + timedelta(seconds=3 * settings.http_timeout + 5)
        db.session.commit()
        try:
            client.post_score(lineitem_url, score_json(sub, user.sub, platform.product,
                                                       stamp=stamp))
        finally:
            answered_at = time.time()
    except ags.AgsError as exc:
        return _record_failure(sub, exc, policy, platform), answered_at, stamp
    except Exception as exc:  # a bug or a database hiccup must not lose the grade either
        log.exception("score %s: unexpected error", sub.id)
        db.session.rollback()
        again = db.session.get(ScoreSubmission, sub.id, populate_existing=True)
        if again is None:
            return Outcome("skipped"), answered_at, stamp
        return (_record_failure(again, ags.AgsError(f"{exc.__class__.__name__}: {exc}"),
                                policy, None), answered_at, stamp)
    sub.status, sub.sent_at = "sent", utcnow()
    sub.next_try_at, sub.last_error = None, None
    db.session.commit()
    _supersede_older(sub)  # an older one replayed or re-enqueued meanwhile
    pacing.note_accepted(platform.id)
    log.info("score %s sent (%s, try %s)", sub.id, sub.activity_progress, sub.tries)
    return Outcome("sent"), answered_at, stamp


def _sleep_until(when: float) -> None:
    delay = when - time.time()
    if delay > 0:
        time.sleep(delay)


def _spread(until: float, interval: float) -> float:
    """A time just after ``until``: waiting scores come back spread, not all at once."""
    return until + random.random() * max(1.0, 20 * interval)


def _record_failure(sub: ScoreSubmission, exc: ags.AgsError, policy: RetryPolicy,
                    platform: Platform | None) -> Outcome:
    error = str(exc)[:1000]
    sub.last_error = error
    if exc.rate_limited and platform is not None:
        # Not the score's fault: the try is given back and the whole platform slows down.
        sub.tries = max(0, sub.tries - 1)
        db.session.commit()
        until = pacing.note_rate_limited(platform.id, exc.retry_after)
        outcome = _defer(sub, _spread(until, 0.0), error)
        log.info("score %s: platform rate limit, back at %.1fs", sub.id, outcome.delay)
        return Outcome("retry", delay=outcome.delay, error=error, submission_id=sub.id)
    if exc.timestamp_conflict:
        newer = _newest_pending(sub.user_pk, sub.resource_link_pk)
        if (newer is not None and newer != sub.id) or _newer_sent(sub):
            sub.status, sub.next_try_at = "superseded", None
            db.session.commit()
            log.info("score %s refused as older; a newer score replaces it", sub.id)
            return Outcome("superseded", error=error)
        if platform is not None:
            pacing.learn_second_resolution(platform.id)
        if not policy.gives_up(sub.tries):
            # The newest state again, with a fresh timestamp after the platform's one.
            delay = 1.0 + random.random() * 0.5
            sub.next_try_at = utcnow() + timedelta(seconds=delay)
            db.session.commit()
            log.warning("score %s: timestamp refused (%s); re-stamped retry in %.1fs",
                        sub.id, exc.status, delay)
            return Outcome("retry", delay=delay, error=error, submission_id=sub.id)
        error = f"gave up after {sub.tries} tries: {error}"[:1000]
        sub.last_error = error
        sub.status, sub.next_try_at = "failed", None
        db.session.commit()
        log.error("score %s failed: %s", sub.id, error)
        return Outcome("failed", error=error)
    if exc.retryable and not policy.gives_up(sub.tries):
        delay = policy.delay(sub.tries, exc.retry_after)
        sub.next_try_at = utcnow() + timedelta(seconds=delay)
        db.session.commit()
        log.warning("score %s: try %s failed, retry in %.1fs: %s", sub.id, sub.tries, delay, error)
        return Outcome("retry", delay=delay, error=error, submission_id=sub.id)
    if exc.retryable:
        error = f"gave up after {sub.tries} tries: {error}"[:1000]
        sub.last_error = error
    sub.status, sub.next_try_at = "failed", None
    db.session.commit()
    log.error("score %s failed: %s", sub.id, error)
    return Outcome("failed", error=error)


# -- queue side -----------------------------------------------------------------------
def enqueue(submission_ids: Iterable[int], app: Flask | None = None,
            eta: dict[int, datetime] | None = None) -> int:
    """Queue delivery jobs (at ``eta[id]`` when given); returns how many were queued."""
    from lti_tool.ags.handles import get_tasks

    tasks = get_tasks(app)
    count = 0
    for sid in submission_ids:
        when = (eta or {}).get(sid)
        if when is not None and when > utcnow():
            tasks.deliver_score.schedule((sid,), delay=(when - utcnow()).total_seconds())
        else:
            tasks.deliver_score(sid)
        count += 1
    return count


def enqueue_committed(submission_ids: Iterable[int | None], app: Flask | None = None) -> int:
    """Queue the delivery of scores their writer has just committed (None ids skipped).

    Called after the commit, never before: a job must not look for a row that is not
    there yet. Returns how many were queued. A queue that cannot be reached loses
    nothing: the rows are committed and pending, and the worker's sweep queues them.
    """
    ids = [sid for sid in submission_ids if sid is not None]
    if not ids:
        return 0
    try:
        return enqueue(ids, app)
    except Exception:
        log.exception("could not enqueue scores %s; the sweep will", ids)
        return 0


def sweep(app: Flask | None = None, *, overdue_only: bool = False) -> int:
    """Re-enqueue every pending row (worker start) or only overdue ones (periodic).

    A row whose job is still queued gets a second job; the claim makes the
    extra one a no-op, so recovering a lost enqueue costs nothing else.
    """
    now = utcnow()
    query = select(ScoreSubmission.id, ScoreSubmission.next_try_at).where(
        ScoreSubmission.status == "pending")
    if overdue_only:
        cutoff = now - OVERDUE_GRACE
        query = query.where(or_(ScoreSubmission.next_try_at <= cutoff,
                                (ScoreSubmission.next_try_at.is_(None))
                                & (ScoreSubmission.created_at <= cutoff)))
    rows = db.session.execute(query.order_by(ScoreSubmission.id)).all()
    db.session.commit()
    return enqueue([r.id for r in rows], app,
                   eta={r.id: r.next_try_at for r in rows if r.next_try_at})


def replay(ids: Iterable[int] | None = None, *, all_failed: bool = False,
           app: Flask | None = None) -> list[int]:
    """Put failed (or given) rows back to pending with fresh tries and enqueue them."""
    query = select(ScoreSubmission)
    if all_failed:
        query = query.where(ScoreSubmission.status == "failed")
    else:
        query = query.where(ScoreSubmission.id.in_(list(ids or [])))
    subs = list(db.session.scalars(query.order_by(ScoreSubmission.id)))
    replayed = []
    for sub in subs:
        if sub.status == "sent":
            continue  # already in the gradebook; sending it again could only go backwards
        sub.status, sub.tries, sub.next_try_at = "pending", 0, None
        replayed.append(sub.id)
    db.session.commit()
    enqueue(replayed, app)
    return replayed


def statuses(ids: Iterable[int]) -> dict[int, str]:
    """The status of each of these score ids that exists (unknown ids are absent)."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = db.session.execute(select(ScoreSubmission.id, ScoreSubmission.status)
                              .where(ScoreSubmission.id.in_(wanted))).all()
    return {row_id: status for row_id, status in rows}


def list_submissions(*, failed_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first, as plain dicts for the CLI and the admin console."""
    query = (select(ScoreSubmission, User, ResourceLink, Context)
             .join(User, User.id == ScoreSubmission.user_pk)
             .join(ResourceLink, ResourceLink.id == ScoreSubmission.resource_link_pk)
             .join(Context, Context.id == ResourceLink.context_pk))
    if failed_only:
        query = query.where(ScoreSubmission.status == "failed")
    rows = db.session.execute(query.order_by(ScoreSubmission.id.desc()).limit(limit)).all()
    return [{
        "id": s.id, "status": s.status, "user": u.sub, "user_name": u.name,
        "context": c.context_id, "resource_link": rl.resource_link_id,
        "activity_progress": s.activity_progress, "grading_progress": s.grading_progress,
        "score_given": s.score_given, "score_maximum": s.score_maximum,
        "timestamp": ags.format_timestamp(s.timestamp), "tries": s.tries,
        "last_error": s.last_error,
        "next_try_at": s.next_try_at.isoformat() if s.next_try_at else None,
        "sent_at": s.sent_at.isoformat() if s.sent_at else None,
    } for s, u, rl, c in rows]


def read_results(link: ResourceLink, settings: Settings, *, user_sub: str | None = None,
                 http: requests.Session | None = None) -> list[dict]:
    """The platform's results for a link's line item (AGS §3.5), e.g. for a dashboard."""
    platform = db.session.get(Platform, link.context.platform_id)
    if platform is None or not link.lineitem_url:
        return []
    return client_for(platform, link, settings, http).results(link.lineitem_url,
                                                               user_id=user_sub)


def init_app(app: Flask) -> None:
    """Create the app's queue and tasks."""
    from lti_tool.jobs import queue, tasks

    queue.init_app(app)
    tasks.init_app(app)
