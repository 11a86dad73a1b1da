"""What the admin console and the admin CLI do: accounts, platform status, usage, grades.

Plain functions over the database (no request, no session), so the web console
and ``branchwise`` share one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lti_tool.extensions import db
from lti_tool.models import (
    AdminUser,
    AnswerEvent,
    Deployment,
    LaunchSession,
    Platform,
    ScoreSubmission,
    User,
)
from lti_tool.models.base import utcnow
from lti_tool.protocol.errors import InputError
from lti_tool.registration import services as registrations

PLATFORM_STATUSES = ("active", "pending", "disabled")
MIN_PASSWORD_LENGTH = 12
# A hash computed once so unknown usernames cost as much time as known ones
# (otherwise response time tells an attacker which usernames exist).
_DUMMY_HASH = generate_password_hash("branchwise-timing-equaliser")


class AdminError(InputError):
    """An admin action cannot be done; the message is for the admin."""

    code = "admin_refused"


# ----------------------------------------------------------------- accounts
def create_admin(username: str, password: str) -> AdminUser:
    """A new console account; the password is stored as a salted scrypt hash (werkzeug)."""
    username = username.strip()
    if not username or len(username) > 100:
        raise AdminError("the username must be 1 to 100 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalars(select(AdminUser).where(AdminUser.username == username)).first():
        raise AdminError(f"an admin named {username!r} already exists")
    admin = AdminUser(username=username, password_hash=generate_password_hash(password))
    db.session.add(admin)
    db.session.commit()
    return admin


def set_password(username: str, password: str) -> AdminUser:
    """Replace an admin's password."""
    admin = db.session.scalars(select(AdminUser).where(AdminUser.username == username)).first()
    if admin is None:
        raise AdminError(f"no admin named {username!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    admin.password_hash = generate_password_hash(password)
    admin.session_epoch += 1  # a new password signs every console session out
    db.session.commit()
    return admin


def authenticate(username: str, password: str) -> AdminUser | None:
    """The admin if the password matches, else None (same cost either way)."""
    admin = db.session.scalars(
        select(AdminUser).where(AdminUser.username == username.strip())).first()
    if admin is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(admin.password_hash, password):
        return None
    admin.last_login_at = utcnow()
    db.session.commit()
    return admin


def end_sessions(admin: AdminUser) -> None:
    """Sign-out: every session cookie issued to this admin so far stops working."""
    admin.session_epoch += 1
    db.session.commit()


def get_admin(admin_id: int | None) -> AdminUser | None:
    return db.session.get(AdminUser, admin_id) if admin_id else None


def list_admins() -> list[AdminUser]:
    return list(db.session.scalars(select(AdminUser).order_by(AdminUser.username)))


# ---------------------------------------------------------------- platforms
def _platform(issuer: str, client_id: str) -> Platform:
    platform = registrations.find_platform(issuer, client_id)
    if platform is None:
        raise AdminError(f"no platform {issuer} with client_id {client_id}")
    return platform


def _platform_by_id(platform_id: int) -> Platform:
    # The console addresses platforms by row id; the CLI by issuer and client_id.
    platform = db.session.get(Platform, platform_id)
    if platform is None:
        raise AdminError("no such platform")
    return platform


def set_platform_status(issuer: str, client_id: str, status: str) -> Platform:
    """Approve (active), put on hold (pending) or disable a registration."""
    if status not in PLATFORM_STATUSES:
        raise AdminError(f"status must be one of {PLATFORM_STATUSES}")
    platform = _platform(issuer, client_id)
    platform.status = status
    db.session.commit()
    return platform


def apply_pending_update(platform_id: int) -> Platform:
    """An admin accepts what a re-registration proposed: endpoints, scopes, deployment."""
    platform = _platform_by_id(platform_id)
    proposal = platform.pending_update
    if not proposal:
        raise AdminError("this registration has no changes waiting")
    platform.auth_login_url = str(proposal["auth_login_url"])
    platform.auth_token_url = str(proposal["token_url"])
    platform.key_set_url = str(proposal["jwks_url"])
    platform.token_audience = proposal.get("token_audience") or None
    platform.granted_scopes = proposal.get("granted_scopes")
    platform.product = str(proposal.get("product") or platform.product)
    if proposal.get("deployment_id"):
        registrations.add_deployment(platform, str(proposal["deployment_id"]))
    platform.pending_update = None
    db.session.commit()
    return platform


def discard_pending_update(platform_id: int) -> Platform:
    """An admin refuses a re-registration's changes; the registration stays as it was."""
    platform = _platform_by_id(platform_id)
    if not platform.pending_update:
        raise AdminError("this registration has no changes waiting")
    platform.pending_update = None
    db.session.commit()
    return platform


def approve_platform(issuer: str, client_id: str) -> Platform:
    """``platform approve``: apply a waiting re-registration, and accept launches."""
    platform = _platform(issuer, client_id)
    if platform.pending_update:
        apply_pending_update(platform.id)
    return set_platform_status(issuer, client_id, "active")


def set_platform_status_by_id(platform_id: int, status: str) -> Platform:
    """Same as ``set_platform_status`` for the console, which addresses rows by id."""
    platform = _platform_by_id(platform_id)
    return set_platform_status(platform.issuer, platform.client_id, status)


def set_deployment_status(deployment_pk: int, status: str) -> Deployment:
    """Enable or disable one deployment (one course, account or institution)."""
    if status not in ("active", "disabled"):
        raise AdminError("a deployment is active or disabled")
    deployment = db.session.get(Deployment, deployment_pk)
    if deployment is None:
        raise AdminError("no such deployment")
    deployment.status = status
    db.session.commit()
    return deployment


def add_deployment(issuer: str, client_id: str, deployment_id: str) -> str:
    """Bind a deployment to a registration (e.g. one the LMS did not send at registration).

    Returns what happened, for the CLI and the console alike. An id already bound is left
    as it is; saying "added" of one that is disabled would make an admin believe its
    launches now work, so that case names the status and how to enable it.
    """
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise AdminError("the deployment id is empty")
    platform = _platform(issuer, client_id)
    where = f"{platform.issuer} {platform.client_id}"
    had = registrations.find_deployment(platform, deployment_id)
    if had is not None:
        if had.status == "active":
            return f"deployment {deployment_id} was already on {where} (active): nothing changed"
        return (f"deployment {deployment_id} is already on {where} but {had.status}: its "
                f"launches are refused; enable it with `branchwise platform deployment-status "
                f"{where} {deployment_id} active` or its button here")
    registrations.add_deployment(platform, deployment_id)
    db.session.commit()
    return f"deployment {deployment_id} added to {where}"


def add_deployment_by_id(platform_id: int, deployment_id: str) -> str:
    """``add_deployment`` for the console, which addresses platforms by row id."""
    platform = _platform_by_id(platform_id)
    return add_deployment(platform.issuer, platform.client_id, deployment_id)


# -------------------------------------------------------------------- usage
@dataclass(frozen=True)
class Usage:
    """Counts for one platform registration."""

    platform_id: int
    issuer: str
    client_id: str
    name: str
    status: str
    deployments: int
    launches: int
    learners: int
    answers: int
    last_launch: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def usage() -> list[Usage]:
    """Launches, distinct learners and answers per platform (grouped queries, no N+1)."""
    launches = dict(db.session.execute(
        select(LaunchSession.platform_id, func.count()).group_by(LaunchSession.platform_id)
    ).all())
    last = dict(db.session.execute(
        select(LaunchSession.platform_id, func.max(LaunchSession.created_at))
        .group_by(LaunchSession.platform_id)
    ).all())
    learners = dict(db.session.execute(
        select(LaunchSession.platform_id, func.count(distinct(LaunchSession.user_pk)))
        .where(LaunchSession.role == "learner").group_by(LaunchSession.platform_id)
    ).all())
    answers = dict(db.session.execute(
        select(User.platform_id, func.count(AnswerEvent.id))
        .join(User, User.id == AnswerEvent.user_pk).group_by(User.platform_id)
    ).all())
    deployments = dict(db.session.execute(
        select(Deployment.platform_id, func.count()).group_by(Deployment.platform_id)
    ).all())
    rows = []
    for p in db.session.scalars(select(Platform).order_by(Platform.id)):
        stamp = last.get(p.id)
        rows.append(Usage(
            platform_id=p.id, issuer=p.issuer, client_id=p.client_id, name=p.name,
            status=p.status, deployments=deployments.get(p.id, 0),
            launches=launches.get(p.id, 0), learners=learners.get(p.id, 0),
            answers=answers.get(p.id, 0),
            last_launch=stamp.isoformat(timespec="seconds") if stamp else None,
        ))
    return rows


# ------------------------------------------------------------------- grades
def grade_queue(limit: int = 200) -> dict[str, Any]:
    """Counts by status plus the pending and failed rows (newest first)."""
    counts = dict(db.session.execute(
        select(ScoreSubmission.status, func.count()).group_by(ScoreSubmission.status)
    ).all())
    rows = _list_submissions(limit)
    return {
        "counts": {s: counts.get(s, 0) for s in ("pending", "sent", "failed", "superseded")},
        "pending": [r for r in rows if r["status"] == "pending"],
        "failed": [r for r in rows if r["status"] == "failed"],
    }


def _list_submissions(limit: int) -> list[dict[str, Any]]:
    # The grade-delivery module owns the row format; fall back to a plain read without it.
    try:
        from lti_tool.ags.delivery import list_submissions
    except ImportError:  # pragma: no cover - only before lti_tool.ags.delivery exists
        subs = db.session.scalars(
            select(ScoreSubmission).where(ScoreSubmission.status.in_(("pending", "failed")))
            .order_by(ScoreSubmission.id.desc()).limit(limit))
        return [{"id": s.id, "status": s.status, "user": str(s.user_pk), "user_name": "",
                 "context": "", "resource_link": str(s.resource_link_pk),
                 "score_given": s.score_given, "score_maximum": s.score_maximum,
                 "tries": s.tries, "last_error": s.last_error,
                 "timestamp": s.timestamp.isoformat()} for s in subs]
    return [r for r in list_submissions(limit=limit) if r["status"] in ("pending", "failed")]


def replay_grades(ids: list[int] | None = None, *, all_failed: bool = False) -> list[int]:
    """Send failed (or the given) scores again; returns the ids put back in the queue."""
    from lti_tool.ags.delivery import replay

    return replay(ids, all_failed=all_failed)
