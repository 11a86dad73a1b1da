"""Module drafts made in the browser editor (private to the course they were made in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class ModuleDraft(Model):
    """A module being edited: the module as plain data, saved with or without errors.

    A draft belongs to the course (``context_pk``, which is per platform) it was made in:
    only that course's teachers see it. Publishing writes it to the library as a
    ``CustomModule`` (a new version when the module exists), under the usual ownership rule.
    """

    __tablename__ = "module_drafts"
    __table_args__ = (Index("ix_module_drafts_context_pk", "context_pk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_pk: Mapped[int | None] = mapped_column(
        ForeignKey("contexts.id", ondelete="CASCADE"), nullable=True
    )
    author_user_pk: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    data: Mapped[dict] = mapped_column(JSON)
    published_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
