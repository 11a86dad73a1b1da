"""The assistant's language model per course: set by an admin, overriding the deployment's.

An admin (console page or ``branchwise assistant model``) names a course by its
platform and LMS context id and gives an OpenAI-compatible base URL, a model and
optionally a key. That course's learners then get replies phrased by that model;
every other course keeps the deployment's ``assistant_llm_*`` settings (or none).

The key is a credential of the institution's account at the provider, so it is
stored encrypted (Fernet, from the PyPI ``cryptography`` package) with a key derived
from the app secret by HKDF: a copy of the database alone does not reveal it, and it
is never shown back (the console says only whether one is set).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from lti_tool.assistant import llm
from lti_tool.assistant.models import CourseModel
from lti_tool.extensions import db
from lti_tool.models import Context, Platform
from lti_tool.models.base import utcnow
from lti_tool.protocol.errors import InputError
from lti_tool.settings import Settings

__all__ = ["CourseModelError", "CourseModelRow", "clear_course_model", "config_for",
           "decrypt_key", "encrypt_key", "list_course_models", "set_course_model"]

_HKDF_INFO = b"branchwise assistant course model key v1"


class CourseModelError(InputError):
    """A course model that cannot be set (unknown course, bad URL); the message says why."""

    code = "bad_course_model"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=_HKDF_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_key(secret: str, api_key: str) -> str:
    """``api_key`` encrypted for storage under the app secret."""
    return _fernet(secret).encrypt(api_key.encode()).decode()


def decrypt_key(secret: str, stored: str | None) -> str:
    """The stored key in clear, or "" when none is stored or the secret changed since."""
    if not stored:
        return ""
    try:
        return _fernet(secret).decrypt(stored.encode()).decode()
    except InvalidToken:
        return ""


@dataclass(frozen=True)
class CourseModelRow:
    """What the console and the CLI list: never the key itself."""

    id: int
    issuer: str
    client_id: str
    context_id: str
    course_title: str
    base_url: str
    model: str
    has_key: bool
    timeout: float | None
    updated_by: str


def _context(issuer: str, context_id: str, client_id: str | None = None) -> Context:
    query = (select(Context).join(Platform, Platform.id == Context.platform_id)
             .where(Platform.issuer == issuer, Context.context_id == context_id))
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = db.session.scalars(query).all()
    if not found:
        raise CourseModelError(f"No course {context_id!r} on {issuer!r} has launched "
                               "Branchwise yet.")
    if len(found) > 1:
        raise CourseModelError("Several registrations of this issuer have that course: "
                               "give the client id too.")
    return found[0]


def _check_url(base_url: str) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CourseModelError("The base URL must be an http(s) address, e.g. "
                               "https://llm.example.edu/v1.")
    return base_url.strip().rstrip("/")


def set_course_model(settings: Settings, *, issuer: str, context_id: str, base_url: str,
                     model: str, api_key: str | None = None, timeout: float | None = None,
                     client_id: str | None = None, by: str = "") -> CourseModel:
    """Create or replace a course's model. ``api_key=None`` keeps the stored key, "" clears it."""
    if not issuer.strip() or not context_id.strip():
        # Not "No course '' on '' has launched Branchwise yet": nothing was named.
        raise CourseModelError("Give the platform issuer and the course (its LMS context id).")
    context = _context(issuer, context_id, client_id)
    url = _check_url(base_url)
    if not model.strip():
        raise CourseModelError("Name the model, e.g. llama3.1:8b.")
    if timeout is not None and not 0 < timeout <= 60:
        raise CourseModelError("The timeout is in seconds, between 0 and 60.")
    row = db.session.scalars(select(CourseModel).where(
        CourseModel.context_pk == context.id)).one_or_none()
    if row is None:
        row = CourseModel(context_pk=context.id)
        db.session.add(row)
    row.base_url = url
    row.model = model.strip()
    row.timeout = timeout
    if api_key is not None:
        row.key_encrypted = encrypt_key(settings.secret_key, api_key) if api_key else None
    row.updated_by = by
    row.updated_at = utcnow()
    db.session.commit()
    return row


def clear_course_model(*, issuer: str, context_id: str, client_id: str | None = None) -> bool:
    """Remove a course's model (the deployment's applies again); False when none was set."""
    context = _context(issuer, context_id, client_id)
    row = db.session.scalars(select(CourseModel).where(
        CourseModel.context_pk == context.id)).one_or_none()
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def list_course_models() -> list[CourseModelRow]:
    """Every course with its own model, for the console and ``assistant model list``."""
    rows = db.session.execute(
        select(CourseModel, Context, Platform)
        .join(Context, Context.id == CourseModel.context_pk)
        .join(Platform, Platform.id == Context.platform_id)
        .order_by(Platform.issuer, Context.context_id)).all()
    return [CourseModelRow(m.id, p.issuer, p.client_id, c.context_id,
                           c.title or c.label or "", m.base_url, m.model,
                           bool(m.key_encrypted), m.timeout, m.updated_by)
            for m, c, p in rows]


def config_for(settings: Settings, context_pk: int | None) -> llm.LlmConfig:
    """The model a course's learners get: the course's own, else the deployment's."""
    if context_pk is not None:
        row = db.session.scalars(select(CourseModel).where(
            CourseModel.context_pk == context_pk)).one_or_none()
        if row is not None:
            return llm.LlmConfig(row.base_url, row.model,
                                 decrypt_key(settings.secret_key, row.key_encrypted),
                                 row.timeout or settings.assistant_llm_timeout)
    return llm.LlmConfig(settings.assistant_llm_url, settings.assistant_llm_model,
                         settings.assistant_llm_key, settings.assistant_llm_timeout)
