"""Single-use, expiring dynamic registration links an admin hands to an LMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class RegistrationLink(Model):
    """One pre-approved registration: ``/lti/register/<token>`` used once before it expires.

    Only a SHA-256 of the token is stored, so reading the database does not yield a
    usable link.
    """

    __tablename__ = "registration_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set when a registration claims the link (cleared again if that registration fails).
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platforms.id", ondelete="SET NULL"), nullable=True)
    revoked: Mapped[bool] = mapped_column(default=False)
