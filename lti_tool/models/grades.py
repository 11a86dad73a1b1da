"""Grade passback: every score the tool means to send, and its delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow
from lti_tool.models.people import ResourceLink, User


class ScoreSubmission(Model):
    """A score to post to a line item (AGS §3.4), written in the learner's transaction.

    ``timestamp`` strictly increases per (user, resource link) so the platform
    never replaces a newer score with an older one. ``status``: pending → sent,
    or failed (4xx other than 429, with ``last_error``; an admin can replay), or
    superseded (a newer score for the same learner was sent first).
    """

    __tablename__ = "score_submissions"
    __table_args__ = (Index("ix_score_submissions_user_link", "user_pk", "resource_link_pk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE")
    )
    attempt_pk: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True
    )
    score_given: Mapped[float | None] = mapped_column(nullable=True)
    score_maximum: Mapped[float]
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    timestamp: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_try_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)

    user: Mapped[User] = relationship()
    resource_link: Mapped[ResourceLink] = relationship()


class AdminUser(Model):
    """A tool administrator for the web console (not an LTI user)."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The console's session cookie carries this number; signing out (or a new password)
    # increments it, so a copied or replayed cookie is dead on the server side too.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
