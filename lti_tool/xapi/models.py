"""Where statements go (an LRS per deployment) and the outbox of statements to send.

The outbox row, not the queue, is the source of truth (as for grades): a statement
is written here first and stays ``pending`` until the LRS has accepted it, so an LRS
that is down, slow or refusing logins loses nothing; the sweep re-enqueues what a
lost job left behind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class XapiLrs(Model):
    """The learning record store of one deployment (its statements endpoint, Basic auth)."""

    __tablename__ = "xapi_lrs"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_pk: Mapped[int] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), unique=True)
    # The LRS's xAPI base ("https://lrs.example/xAPI/"); statements go to <endpoint>statements.
    endpoint: Mapped[str] = mapped_column(String(1024))
    username: Mapped[str] = mapped_column(String(255), default="")
    # The LRS needs the secret itself for Basic auth, so it is stored, never shown again.
    password: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class XapiStatement(Model):
    """One statement to deliver; sent in ``id`` order per (deployment, learner)."""

    __tablename__ = "xapi_statements"
    __table_args__ = (
        Index("ix_xapi_statements_learner_status", "deployment_pk", "user_pk", "status"),
        Index("ix_xapi_statements_status_next", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id (a UUID derived from the event): a replay is idempotent.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(40))  # short name, for listings
    statement: Mapped[dict] = mapped_column(JSON)
    # pending -> sending (claimed by one job) -> sent | failed (the LRS refused it)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
