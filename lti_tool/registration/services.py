"""Add, list and remove platforms and deployments (used by the CLI and admin console)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from lti_tool.extensions import db
from lti_tool.models import Deployment, Platform
from lti_tool.protocol.errors import InputError
from lti_tool.settings import ASSETS

PRESET_DIR = ASSETS / "config" / "presets"

# Built once with bound parameters: a launch looks its platform and deployment up on
# every request, and building a select per call cost more than its cached compilation.
_PLATFORMS_OF_ISSUER = select(Platform).where(Platform.issuer == bindparam("issuer"))
_PLATFORM = _PLATFORMS_OF_ISSUER.where(Platform.client_id == bindparam("client_id"))
_DEPLOYMENT = select(Deployment).where(Deployment.platform_id == bindparam("platform_id"),
                                       Deployment.deployment_id == bindparam("deployment_id"))


class RegistrationError(InputError):
    """Bad or incomplete registration input, with a message for the admin."""

    code = "bad_registration"


@dataclass(frozen=True)
class PlatformInput:
    issuer: str | None = None
    client_id: str | None = None
    deployment_ids: tuple[str, ...] = ()
    auth_login_url: str | None = None
    token_url: str | None = None
    jwks_url: str | None = None
    token_audience: str | None = None
    name: str | None = None
    preset: str | None = None
    status: str = "active"


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load_preset(name: str) -> dict[str, str]:
    path = PRESET_DIR / f"{name}.toml"
    if not path.exists():
        raise RegistrationError(f"unknown preset {name!r}; choose one of {preset_names()}")
    with path.open("rb") as fh:
        return tomllib.load(fh)


def resolve(data: PlatformInput) -> dict[str, str | None]:
    """Fill what the preset fixes, then check nothing required is missing."""
    values: dict[str, str | None] = {"product": "generic"}
    if data.preset:
        values.update(load_preset(data.preset))
    for key in ("issuer", "client_id", "auth_login_url", "token_url", "jwks_url",
                "token_audience"):
        given = getattr(data, key)
        if given:
            values[key] = given
    missing = [k for k in ("issuer", "client_id", "auth_login_url", "token_url", "jwks_url")
               if not values.get(k)]
    if missing:
        raise RegistrationError("missing: " + ", ".join(missing))
    issuer = str(values["issuer"]).rstrip("/")
    for key in ("auth_login_url", "token_url", "jwks_url", "token_audience"):
        if values.get(key):
            values[key] = str(values[key]).format(issuer=issuer, client_id=values["client_id"])
    values["issuer"] = issuer
    for key in ("issuer", "auth_login_url", "token_url", "jwks_url"):
        if not str(values[key]).startswith(("https://", "http://")):
            raise RegistrationError(f"{key} must be an http(s) URL, got {values[key]!r}")
    return values


def add_platform(data: PlatformInput) -> Platform:
    """Create or update the registration (issuer, client_id) and add its deployments."""
    values = resolve(data)
    platform = find_platform(str(values["issuer"]), str(values["client_id"]))
    if platform is None:
        platform = Platform(issuer=values["issuer"], client_id=values["client_id"])
        db.session.add(platform)
    platform.name = data.name or platform.name or str(values["issuer"])
    platform.product = str(values.get("product") or "generic")
    platform.auth_login_url = str(values["auth_login_url"])
    platform.auth_token_url = str(values["token_url"])
    platform.key_set_url = str(values["jwks_url"])
    platform.token_audience = values.get("token_audience")
    platform.status = data.status
    db.session.flush()
    for deployment_id in data.deployment_ids:
        add_deployment(platform, deployment_id)
    db.session.commit()
    return platform


def add_deployment(platform: Platform, deployment_id: str, status: str = "active") -> Deployment:
    existing = db.session.scalars(
        _DEPLOYMENT, {"platform_id": platform.id, "deployment_id": deployment_id}
    ).one_or_none()
    if existing:
        return existing
    deployment = Deployment(platform_id=platform.id, deployment_id=deployment_id, status=status)
    db.session.add(deployment)
    db.session.flush()
    return deployment


def _request_memo() -> dict | None:
    """Look-ups already made in this HTTP request, or None outside one.

    A launch asks for its platform five times (login, PyLTI1p3's registration and
    deployment checks, the launch record, the frame-ancestors header): the same row of
    the same session each time. Only found rows are kept (a registration added later in
    the request is still found); the ORM objects are the session's own, so a change
    made to one in the request is seen by the next caller.
    """
    from flask import has_request_context, request

    if not has_request_context():
        return None
    return request.environ.setdefault("branchwise.registration_memo", {})


def _still_there(obj) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return state.persistent and obj not in db.session.deleted


def _platform_key(issuer: str, client_id: str | None) -> tuple[str, str, str | None]:
    return ("platform", issuer.rstrip("/"), client_id or None)


def remember_platform(platform: Platform) -> None:
    """Let this request's ``find_platform(platform.issuer, platform.client_id)`` answer
    with ``platform``: a row of this session the caller has just read itself (the
    launch reads it with its login state, in one query)."""
    memo = _request_memo()
    if memo is not None:
        memo[_platform_key(platform.issuer, platform.client_id)] = platform


def find_platform(issuer: str, client_id: str | None) -> Platform | None:
    """The registration for a login or launch.

    Without a client_id (it is optional in the login request) the issuer must
    name exactly one registration, otherwise we cannot tell which one is meant.
    """
    memo = _request_memo()
    key = _platform_key(issuer, client_id)
    if memo is not None and key in memo and _still_there(memo[key]):
        return memo[key]
    if client_id:
        found = db.session.scalars(_PLATFORM, {"issuer": issuer.rstrip("/"),
                                               "client_id": client_id}).one_or_none()
    else:
        rows = list(db.session.scalars(_PLATFORMS_OF_ISSUER, {"issuer": issuer.rstrip("/")}))
        found = rows[0] if len(rows) == 1 else None
    if memo is not None and found is not None:
        memo[key] = found
    return found


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    memo = _request_memo()
    key = ("deployment", platform.id, deployment_id)
    if memo is not None and key in memo and _still_there(memo[key]):
        return memo[key]
    found = db.session.scalars(
        _DEPLOYMENT, {"platform_id": platform.id, "deployment_id": deployment_id}
    ).one_or_none()
    if memo is not None and found is not None:
        memo[key] = found
    return found


def list_platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.id)))


def remove_platform(issuer: str, client_id: str) -> bool:
    platform = find_platform(issuer, client_id)
    if platform is None:
        return False
    db.session.delete(platform)
    db.session.commit()
    return True
