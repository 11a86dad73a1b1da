"""Single-use, expiring registration links: the admin's approval given in advance.

Dynamic registration through the public ``/lti/register`` waits for an admin
(``require_registration_approval``). For the common case an admin creates a link
in the console or with ``branchwise registration-link`` and pastes it into the
LMS: a registration through it is active at once, and the link is then spent.
The link is claimed atomically (one UPDATE) before any call to the LMS, so two
uses racing each other cannot both pass; a registration that fails gives the
link back so the admin can retry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from lti_tool.extensions import db
from lti_tool.models import RegistrationLink
from lti_tool.models.base import utcnow
from lti_tool.protocol.errors import InputError

DEFAULT_HOURS = 24
MAX_HOURS = 7 * 24
PATH = "/lti/register/"


class LinkError(InputError):
    """A link cannot be created (message for the admin)."""

    code = "bad_registration_link"


@dataclass(frozen=True)
class NewLink:
    """A link just created: the URL is shown once and never stored."""

    id: int
    url: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(base_url: str, *, created_by: str, hours: float = DEFAULT_HOURS,
                note: str = "") -> NewLink:
    """A fresh link valid for ``hours`` (at most a week)."""
    if not 0 < hours <= MAX_HOURS:
        raise LinkError(f"a registration link lasts between a minute and {MAX_HOURS} hours")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = RegistrationLink(token_hash=_hash(token), note=note.strip()[:200],
                            created_by=created_by[:100], created_at=now,
                            expires_at=now + timedelta(hours=hours))
    db.session.add(link)
    db.session.commit()
    return NewLink(id=link.id, url=base_url.rstrip("/") + PATH + token,
                   expires_at=link.expires_at)


def claim(token: str) -> int | None:
    """Mark the link used now if it is valid; its id, or None (unknown, used, expired)."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    row = db.session.execute(
        select(RegistrationLink.id).where(RegistrationLink.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None:
        return None
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    result = cast("CursorResult[Any]", db.session.execute(
        update(RegistrationLink)
        .where(RegistrationLink.id == row, RegistrationLink.used_at.is_(None),
               RegistrationLink.revoked.is_(False), RegistrationLink.expires_at > now)
        .values(used_at=now)))
    db.session.commit()
    return row if result.rowcount == 1 else None


def release(link_id: int) -> None:
    """The registration through this link failed: it may be used again (until it expires)."""
    db.session.rollback()
    db.session.execute(update(RegistrationLink).where(RegistrationLink.id == link_id)
                       .values(used_at=None))
    db.session.commit()


def record_use(link_id: int, platform_id: int) -> None:
    db.session.execute(update(RegistrationLink).where(RegistrationLink.id == link_id)
                       .values(platform_id=platform_id))
    db.session.commit()


def revoke(link_id: int) -> RegistrationLink:
    link = db.session.get(RegistrationLink, link_id)
    if link is None:
        raise LinkError("no such registration link")
    link.revoked = True
    db.session.commit()
    return link


def list_links(limit: int = 50) -> list[RegistrationLink]:
    """Newest first (used, expired and revoked ones too, for the record)."""
    return list(db.session.scalars(
        select(RegistrationLink).order_by(RegistrationLink.id.desc()).limit(limit)))


def link_state(link: RegistrationLink, now: datetime | None = None) -> str:
    """``open``, ``used``, ``expired`` or ``revoked``, in the admin's words."""
    if link.revoked:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= (now or utcnow()):
        return "expired"
    return "open"
