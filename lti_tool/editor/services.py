"""Drafts of the browser editor: who may see them, saving (errors allowed), publishing.

A draft is private to the course it was made in (a course is per platform, so another
platform's course never sees it); any teacher of that course may edit it. Publishing goes
through ``authoring.save_module``: it refuses a module with errors, a sample's id, and a
module id another teacher owns, and keeps the version existing links were made with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from adaptive.modules.problems import Problem
from lti_tool.deep_linking import authoring
from lti_tool.editor import fields
from lti_tool.extensions import db
from lti_tool.models import CustomModule, LaunchSession
from lti_tool.models.base import utcnow
from lti_tool.models.drafts import ModuleDraft
from lti_tool.modules import library
from lti_tool.protocol.errors import NotFoundError


class NoSuchDraft(NotFoundError):
    """The draft does not exist, or belongs to another course."""

    code = "no_such_draft"


def _visible(session: LaunchSession):
    query = select(ModuleDraft).where(ModuleDraft.platform_id == session.platform_id)
    if session.context_pk is None:  # no course in the launch: the author's own drafts only
        return query.where(ModuleDraft.context_pk.is_(None),
                           ModuleDraft.author_user_pk == session.user_pk)
    return query.where(ModuleDraft.context_pk == session.context_pk)


def drafts_for(session: LaunchSession) -> list[ModuleDraft]:
    """This course's drafts, the last edited first."""
    return list(db.session.scalars(_visible(session).order_by(ModuleDraft.updated_at.desc())))


def get_draft(session: LaunchSession, draft_id: int) -> ModuleDraft:
    draft = db.session.scalars(_visible(session).where(ModuleDraft.id == draft_id)).first()
    if draft is None:
        raise NoSuchDraft(f"no draft {draft_id} in this course")
    return draft


def create_draft(session: LaunchSession, data: dict[str, Any]) -> ModuleDraft:
    now = utcnow()
    draft = ModuleDraft(platform_id=session.platform_id, context_pk=session.context_pk,
                        author_user_pk=session.user_pk, data=data, created_at=now,
                        updated_at=now)
    db.session.add(draft)
    db.session.commit()
    return draft


def save_draft(draft: ModuleDraft, data: dict[str, Any]) -> None:
    """Save whatever the teacher has, problems and all: a draft may have errors."""
    draft.data = data
    draft.updated_at = utcnow()
    db.session.commit()


def own_modules(session: LaunchSession) -> list[CustomModule]:
    """The library modules this teacher owns (they may open them in the editor)."""
    return list(db.session.scalars(select(CustomModule).where(
        CustomModule.owner_user_pk == session.user_pk).order_by(CustomModule.title)))


def draft_from_module(session: LaunchSession, module_id: str) -> ModuleDraft | None:
    """A new draft of one of the teacher's own modules (None: not theirs, or unknown)."""
    row = db.session.scalars(select(CustomModule).where(
        CustomModule.module_id == module_id,
        CustomModule.owner_user_pk == session.user_pk)).one_or_none()
    if row is None:
        return None
    data, _ = fields.yaml_to_module(row.source)
    return create_draft(session, data) if data is not None else None


def draft_from_text(session: LaunchSession, text: str) -> tuple[ModuleDraft | None,
                                                                 list[Problem]]:
    """A draft from module YAML (e.g. an import); the problems that stop reading it."""
    data, problems = fields.yaml_to_module(text)
    if data is None:
        return None, problems
    return create_draft(session, data), problems


@dataclass(frozen=True)
class Published:
    """The outcome of publishing: the version made, or why not."""

    version: str | None
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


def publish(session: LaunchSession, draft: ModuleDraft, max_bytes: int) -> Published:
    """Publish the draft to the library: refused while it has errors (``save_module``
    validates it; the draft itself is kept either way)."""
    text = fields.module_yaml(draft.data)
    result = authoring.save_module(text, owner_user_pk=session.user_pk, max_bytes=max_bytes)
    if result.saved is None:
        return Published(None, result.problems, result.error or (
            "The module has errors: fix them before publishing (the draft is saved)."))
    version = library.content_version(text)
    draft.published_version = version
    db.session.commit()
    return Published(version, result.problems)
