"""Login states, consumed nonces and validated launches.

All of it lives in the database (not in a process or a cookie) so that any
gunicorn worker can finish a login another worker started.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow
from lti_tool.models.people import Context, ResourceLink, User
from lti_tool.models.platforms import Deployment, Platform


class LoginState(Model):
    __tablename__ = "login_states"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    # A secret that never leaves the browser that started the login except in the
    # state cookie or platform storage: it proves the launch arrives in that browser.
    binding: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    target_link_uri: Mapped[str] = mapped_column(String(1024))
    # The frame that holds platform storage (lti_storage_target); None: cookie binding.
    storage_target: Mapped[str | None] = mapped_column(String(100), nullable=True)
    storage_origin: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The same login for a new top-level window: where the tool's cookie is blocked in
    # the frame and the platform has no storage, the launch continues there.
    restart_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class UsedNonce(Model):
    """Single-use nonces: the UNIQUE constraint makes the second use fail atomically."""

    __tablename__ = "used_nonces"
    __table_args__ = (UniqueConstraint("issuer", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime]


class LaunchSession(Model):
    """A validated launch; pages carry a signed token naming it instead of a cookie."""

    __tablename__ = "launch_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    context_pk: Mapped[int | None] = mapped_column(
        ForeignKey("contexts.id", ondelete="CASCADE"), nullable=True
    )
    resource_link_pk: Mapped[int | None] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"), nullable=True
    )
    message_type: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))  # learner | instructor | admin
    roles: Mapped[list] = mapped_column(JSON, default=list)
    claims: Mapped[dict] = mapped_column(JSON)
    locale: Mapped[str | None] = mapped_column(String(20), nullable=True)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # False until the browser proved it started the login (cookie or platform storage).
    confirmed: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    platform: Mapped[Platform] = relationship()
    deployment: Mapped[Deployment] = relationship()
    user: Mapped[User] = relationship()
    context: Mapped[Context | None] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()
