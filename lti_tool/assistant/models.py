"""Every question a learner asks the assistant, with its skill and the reply given.

Stored per course (``context_pk``) so that only that course's teachers read them
(``services.teacher_scope``); the learner is a foreign key, deleted with the user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class AssistantQuestion(Model):
    __tablename__ = "assistant_questions"
    __table_args__ = (
        Index("ix_assistant_questions_link_created", "resource_link_pk", "created_at"),
        Index("ix_assistant_questions_user_link", "user_pk", "resource_link_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"),
                                            index=True)
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # on screen
    skill_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[dict] = mapped_column(JSON)  # {"status", "source", "text", "cited": [...]}
    asked_for_answer: Mapped[bool] = mapped_column(default=False)
    confused: Mapped[bool] = mapped_column(default=False)
    repeated: Mapped[bool] = mapped_column(default=False)  # the same question as before
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseModel(Model):
    """The optional language model of one course (context), set by an admin.

    Overrides the deployment's ``assistant_llm_*`` settings for that course only. The
    key is stored encrypted with a key derived from the app secret
    (``assistant.course_models``) and is never shown back.
    """

    __tablename__ = "assistant_course_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"),
                                            unique=True)
    base_url: Mapped[str] = mapped_column(String(1024))
    model: Mapped[str] = mapped_column(String(255))
    key_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    timeout: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
