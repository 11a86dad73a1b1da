"""What the tool reads from and advertises in the LMS's line item (gradebook column).

* **The maximum.** A teacher may make the column by hand in the LMS (out of 40, say)
  and link the activity to it; the score we send carries our own maximum and the LMS
  scales it, but the learner should see the grade on the gradebook's scale too. So
  the line item is read once (AGS GET, with the ``lineitem`` or ``lineitem.readonly``
  scope) and its ``scoreMaximum`` kept on the resource link (``lineitem_max``); it is
  read again after ``LINEITEM_MAX_TTL`` because teachers change columns. The read runs
  as a job, never inside a learner's page: an LMS that is slow or down costs nothing.
* **Submission review.** The line items we create (by deep linking or AGS) carry a
  ``submissionReview`` object (LTI Submission Review 1.0), so the LMS's "view
  submission" launches an ``LtiSubmissionReviewRequest`` that opens the learner's
  attempt report (``launch.views._submission_review``).
"""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime, timedelta

import requests

from lti_tool.ags import client as ags
from lti_tool.ags.review import submission_review
from lti_tool.extensions import db
from lti_tool.models import Platform, ResourceLink
from lti_tool.models.base import utcnow
from lti_tool.settings import Settings

__all__ = ["LINEITEM_MAX_TTL", "needs_read", "read_line_item_max", "submission_review"]

log = logging.getLogger("branchwise.ags")

LINEITEM_MAX_TTL = timedelta(hours=6)
REQUEST_EVERY = 60.0  # seconds between two queued reads of one link's line item
_asked: dict[int, float] = {}  # link pk -> when this process last queued a read


def needs_read(lineitem_url: str | None, checked_at: datetime | None,
               now: datetime | None = None) -> bool:
    """Whether the link's line item maximum should be (re)read from the LMS."""
    if not lineitem_url:
        return False
    return checked_at is None or checked_at < (now or utcnow()) - LINEITEM_MAX_TTL


def read_line_item_max(link_pk: int, settings: Settings,
                       http: requests.Session | None = None) -> float | None:
    """Read the link's line item from the LMS and keep its ``scoreMaximum``; returns it.

    Without a line item scope, or when the LMS fails, the check time is still stored (no
    retry storm) and the maximum already known is kept: the grade is then shown on the
    activity's own scale, as before.
    """
    from lti_tool.ags.delivery import client_for

    link = db.session.get(ResourceLink, link_pk)
    if link is None or not link.lineitem_url:
        return None
    link.lineitem_checked_at = utcnow()
    platform = db.session.get(Platform, link.context.platform_id)
    client = client_for(platform, link, settings, http) if platform is not None else None
    if client is None or not set(client.scopes) & {ags.SCOPE_LINEITEM,
                                                   ags.SCOPE_LINEITEM_READONLY}:
        db.session.commit()
        return link.lineitem_max
    try:
        item = client.line_item(link.lineitem_url)
        maximum = float(item["scoreMaximum"])
        # Python's JSON reads Infinity and 1e999 as inf: a grade scaled by it is no grade.
        if not (maximum > 0 and math.isfinite(maximum)):
            raise ValueError(f"scoreMaximum must be a finite number > 0, not {maximum!r}")
    except (ags.AgsError, KeyError, TypeError, ValueError) as exc:
        log.info("line item maximum not read link=%s: %s", link_pk, exc)
        db.session.commit()
        return link.lineitem_max
    link.lineitem_max = maximum
    db.session.commit()
    return maximum


def request_read(link_pk: int, lineitem_url: str | None,
                 checked_at: datetime | None) -> bool:
    """Queue a read of the link's line item when it is due; True when one was queued.

    Called from the learner's pages with what the launch row already holds (no query);
    a short cache lock keeps the pages of a whole class from queueing it many times."""
    from lti_tool.ags.handles import get_tasks
    from lti_tool.extensions import cache

    if not needs_read(lineitem_url, checked_at):
        return False
    # Until the job has run the row still says "due": ask the shared cache at most once a
    # minute per process, so the answer step's pages pay a dict lookup, not a cache call.
    now = time.monotonic()
    if now - _asked.get(link_pk, -REQUEST_EVERY) < REQUEST_EVERY:
        return False
    _asked[link_pk] = now
    # add_lock, not cache.add: the file cache's add never frees an expired key, and the
    # column would then never be read again on the embedded default.
    if not ags.add_lock(cache, f"ags-lineitem-read:{link_pk}", timeout=int(REQUEST_EVERY)):
        return False
    task = get_tasks().read_line_item
    if task is None:  # pragma: no cover - registered with the app's jobs
        return False
    task(link_pk)
    return True
