"""Pruning what logins and launches leave behind, as a periodic job on the app's huey.

Every OIDC login writes a LoginState row, every launch a UsedNonce and a
LaunchSession. Nothing else ever deletes them, and ``/lti/login`` is public, so
without pruning the database grows with every request anyone sends (a rate
limit in ``launch.views`` bounds the pace; this bounds the total):

* login states: once expired (``login_state_ttl``), used or not; a late launch
  is refused as "unknown state" exactly as it was refused as "expired";
* used nonces: once expired (a day after use; the id_token's own ``exp`` and
  the consumed login state refuse a replay long before that);
* launch sessions: ``launch_retention_days`` after they expired (their token no
  longer works long before; the console's usage counts cover that window).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask
from huey import Huey, crontab
from sqlalchemy import CursorResult, delete

from lti_tool.extensions import db
from lti_tool.models import LaunchSession, LoginState, UsedNonce
from lti_tool.models.base import utcnow
from lti_tool.settings import Settings

log = logging.getLogger("branchwise.jobs")


def prune(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Delete expired login states, used nonces and old launch sessions; counts per kind."""
    now = now or utcnow()
    done = {}
    for name, statement in (
        ("login_states", delete(LoginState).where(LoginState.expires_at < now)),
        ("used_nonces", delete(UsedNonce).where(UsedNonce.expires_at < now)),
        ("launch_sessions", delete(LaunchSession).where(
            LaunchSession.expires_at < now - timedelta(days=settings.launch_retention_days))),
    ):
        # Typed Result; a DML statement gives a CursorResult, which has rowcount.
        done[name] = cast("CursorResult[Any]", db.session.execute(statement)).rowcount or 0
        db.session.commit()  # one short transaction each: no long lock on busy tables
    if any(done.values()):
        log.info("housekeeping pruned %s", " ".join(f"{k}={v}" for k, v in done.items()))
    return done


def register(huey: Huey, app: Flask):
    """Add the periodic pruning task (every 10 minutes) to the app's huey."""

    @huey.periodic_task(crontab(minute="*/10"), name="prune_housekeeping")
    def prune_housekeeping() -> None:
        with app.app_context():
            prune(app.config["BRANCHWISE"])

    return prune_housekeeping
