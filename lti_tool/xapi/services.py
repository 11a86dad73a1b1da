"""Per-deployment LRS settings, the outbox's state, and replays (for the CLI and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import CursorResult, func, select, update

from lti_tool.extensions import db
from lti_tool.models import Deployment, Platform
from lti_tool.models.base import utcnow
from lti_tool.protocol.errors import InputError
from lti_tool.xapi import events
from lti_tool.xapi.models import XapiLrs, XapiStatement

__all__ = ["LrsError", "LrsInput", "list_lrs", "outbox_counts", "remove_lrs", "replay",
           "set_lrs"]


class LrsError(InputError):
    """Bad LRS settings (unknown deployment, endpoint that is not http(s))."""

    code = "bad_lrs_settings"


@dataclass(frozen=True)
class LrsInput:
    issuer: str
    client_id: str
    deployment_id: str
    endpoint: str
    username: str = ""
    password: str = ""
    enabled: bool = True


def _deployment(issuer: str, client_id: str, deployment_id: str) -> Deployment:
    found = db.session.scalars(
        select(Deployment).join(Platform).where(Platform.issuer == issuer,
                                                Platform.client_id == client_id,
                                                Deployment.deployment_id == deployment_id)
    ).one_or_none()
    if found is None:
        raise LrsError(f"no deployment {deployment_id!r} of {issuer} client_id={client_id}")
    return found


def set_lrs(data: LrsInput) -> XapiLrs:
    """Create or replace the LRS of one deployment."""
    parts = urlsplit(data.endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LrsError("the LRS endpoint must be an http(s) URL, e.g. https://lrs.example/xAPI/")
    deployment = _deployment(data.issuer, data.client_id, data.deployment_id)
    row = db.session.scalars(select(XapiLrs).where(
        XapiLrs.deployment_pk == deployment.id)).one_or_none()
    now = utcnow()
    if row is None:
        row = XapiLrs(deployment_pk=deployment.id, created_at=now)
        db.session.add(row)
    row.endpoint = data.endpoint if data.endpoint.endswith("/") else data.endpoint + "/"
    row.username = data.username
    row.password = data.password
    row.enabled = data.enabled
    row.updated_at = now
    db.session.commit()
    events.forget()
    return row


def remove_lrs(issuer: str, client_id: str, deployment_id: str) -> bool:
    """Stop sending statements for a deployment (pending ones wait, they are not deleted)."""
    deployment = _deployment(issuer, client_id, deployment_id)
    row = db.session.scalars(select(XapiLrs).where(
        XapiLrs.deployment_pk == deployment.id)).one_or_none()
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    events.forget()
    return True


def list_lrs() -> list[dict]:
    """Every configured LRS with its deployment and outbox counts (no passwords)."""
    rows = db.session.execute(
        select(XapiLrs, Deployment.deployment_id, Platform.issuer, Platform.client_id)
        .join(Deployment, Deployment.id == XapiLrs.deployment_pk)
        .join(Platform, Platform.id == Deployment.platform_id)
        .order_by(XapiLrs.id)).all()
    counts = outbox_counts(by_deployment=True)
    out = []
    for lrs, deployment_id, issuer, client_id in rows:
        out.append({"issuer": issuer, "client_id": client_id, "deployment_id": deployment_id,
                    "endpoint": lrs.endpoint, "username": lrs.username,
                    "enabled": lrs.enabled, "statements": counts.get(lrs.deployment_pk, {})})
    return out


def outbox_counts(*, by_deployment: bool = False) -> dict:
    """Statements per status (overall, or per deployment pk)."""
    if by_deployment:
        rows = db.session.execute(
            select(XapiStatement.deployment_pk, XapiStatement.status, func.count())
            .group_by(XapiStatement.deployment_pk, XapiStatement.status)).all()
        result: dict[int, dict[str, int]] = {}
        for dep, status, n in rows:
            result.setdefault(dep, {})[status] = n
        return result
    counts = db.session.execute(select(XapiStatement.status, func.count())
                                .group_by(XapiStatement.status)).all()
    return {status: n for status, n in counts}


def replay(app: Flask, *, since: datetime | None = None) -> int:
    """Send statements again: the failed ones, and with ``since`` also those sent since.

    Safe to repeat: each statement keeps its id, which the LRS stores once.
    """
    query = update(XapiStatement).where(XapiStatement.status == "failed")
    if since is not None:
        query = update(XapiStatement).where(
            (XapiStatement.status == "failed")
            | ((XapiStatement.status == "sent") & (XapiStatement.created_at >= since)))
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    count = cast("CursorResult[Any]", db.session.execute(
        query.values(status="pending", tries=0, next_try_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False))).rowcount
    db.session.commit()
    from lti_tool.xapi.tasks import sweep_now

    sweep_now(app, overdue_only=False)
    return int(count or 0)
