"""A learner's attempt at an activity and every answer as an event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow
from lti_tool.models.people import ResourceLink, User


class Attempt(Model):
    """One learner's progress on one resource link (resumed on every launch).

    ``seq`` mirrors the engine state's step counter and guards every write
    (compare-and-set), so two tabs cannot both advance the same step.
    """

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("user_pk", "resource_link_pk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")  # | completed
    score: Mapped[float | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # A teacher's (or admin's) try of the activity: never in the dashboard, exports,
    # model fits or grades (filter with ``Attempt.preview.is_(False)``).
    preview: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    user: Mapped[User] = relationship()
    resource_link: Mapped[ResourceLink] = relationship()


class AnswerEvent(Model):
    """One answer: the raw material for analytics and model fitting.

    UNIQUE(attempt_pk, seq): a double-clicked submit can only record once.
    """

    __tablename__ = "answer_events"
    __table_args__ = (
        UniqueConstraint("attempt_pk", "seq"),
        Index("ix_answer_events_module_item", "module_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_pk: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str] = mapped_column(String(100))
    skill_ids: Mapped[list] = mapped_column(JSON, default=list)
    phase: Mapped[str] = mapped_column(String(20), default="practice")
    seq: Mapped[int]
    response: Mapped[dict] = mapped_column(JSON)  # {"answer": <raw>} as submitted
    normalised: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # {"value": ...}
    correct: Mapped[bool]
    valid: Mapped[bool] = mapped_column(default=True)
    group_index: Mapped[int | None] = mapped_column(nullable=True)
    misconception: Mapped[str | None] = mapped_column(String(100), nullable=True)
    hints_used: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float | None] = mapped_column(nullable=True)
    mastery_before: Mapped[dict] = mapped_column(JSON, default=dict)
    mastery_after: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # An item with variants: {"showing": k, "values": {name: value}}, the numbers this
    # learner saw (``adaptive.modules.variants.shown_values``), so a teacher reads the
    # question as it was asked. NULL for a plain item, and for answers recorded before
    # the column existed (those show the authored text, with a note).
    variant: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class PageEvent(Model):
    """A lesson or remediation page shown (for the learner's path in analytics)."""

    __tablename__ = "page_events"
    __table_args__ = (UniqueConstraint("attempt_pk", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_pk: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    page_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(20), default="lesson")
    seq: Mapped[int]
    seconds: Mapped[float | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FittedSkillParams(Model):
    """BKT parameters of one skill fitted from one course's answers (platform + context).

    Scoped to the course that produced the data: one tenant's learners never change another
    tenant's engine. A rejected fit (``accepted`` False) is kept with its ``reasons`` so the
    teacher sees why the module's own parameters stay in use; the engine reads accepted
    rows only.
    """

    __tablename__ = "fitted_skill_params"
    __table_args__ = (UniqueConstraint("context_pk", "module_id", "skill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_pk: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    skill_id: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict] = mapped_column(JSON)  # BKTParams.to_dict()
    n_learners: Mapped[int] = mapped_column(default=0)
    n_answers: Mapped[int] = mapped_column(default=0)
    log_likelihood: Mapped[float | None] = mapped_column(nullable=True)
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted: Mapped[bool] = mapped_column(default=True)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # why a fit is not used


class ItemStats(Model):
    """Item difficulty estimated from one course's answers (logit of first-attempt failure
    rate).

    Scoped like ``FittedSkillParams`` to the course (platform + context) whose answers produced
    it: one course's learners never change what another course's dashboard shows.
    """

    __tablename__ = "item_stats"
    __table_args__ = (UniqueConstraint("context_pk", "module_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_pk: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str] = mapped_column(String(100))
    difficulty: Mapped[float]
    first_attempts: Mapped[int] = mapped_column(default=0)
    first_correct: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomModule(Model):
    """A module authored or uploaded by a teacher (YAML text, validated on save)."""

    __tablename__ = "custom_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    owner_user_pk: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModuleVersion(Model):
    """A teacher's module as it was when courses linked to it (YAML text, by content hash).

    Links and attempts made before an edit name their version as ``module_id@version``
    (``library.module_ref``), so an owner's edit never changes a course's running activity.
    """

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
