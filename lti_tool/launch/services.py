"""Login initiation and launch validation, as plain functions over the database.

Flow (Security Framework §5.1.1, lti-cs-oidc):
1. ``begin_login``: check the platform, make state+nonce (a LoginState row).
2. The browser goes to the platform, which posts an id_token back.
3. ``complete_launch``: PyLTI1p3 validation (with our subclass), nonce and state
   consumed atomically, browser binding by cookie or platform storage.
4. ``confirm_launch`` finishes a launch whose binding came from platform storage.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.exception import LtiException
from sqlalchemy import CursorResult, Table, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.launch import tokens
from lti_tool.launch.login_state import LOGIN_STATES, LoginStateRow
from lti_tool.launch.message_launch import BranchwiseMessageLaunch
from lti_tool.launch.record import RecordedLaunch, record_launch
from lti_tool.models import LaunchSession, LoginState, Platform, UsedNonce
from lti_tool.models.base import utcnow
from lti_tool.protocol import claims
from lti_tool.protocol.errors import (
    InvalidToken,
    LaunchError,
    LoginError,
    Replay,
    StateMismatch,
    UnknownPlatform,
)
from lti_tool.registration import services as registrations
from lti_tool.registration.tool_config import DbToolConf
from lti_tool.settings import Settings

log = logging.getLogger("branchwise.launch")

STATE_COOKIE_PREFIX = "bw_state_"
# Built once (Core: no ORM object per login or launch).
_NONCES: Table = UsedNonce.__table__  # type: ignore[assignment]
_INSERT_LOGIN_STATE = insert(LOGIN_STATES)
_INSERT_NONCE = insert(_NONCES)
# The login state and its registration in one query: the launch needs both, and the
# platform is then remembered for the request's later look-ups (``registrations``).
# Outer join: a registration removed since the login still reads the state, and the
# launch then fails PyLTI1p3's registration check as before.
_READ_LOGIN_STATE = (
    select(*LOGIN_STATES.c, Platform)
    .select_from(LOGIN_STATES)
    .outerjoin(Platform, and_(Platform.issuer == LOGIN_STATES.c.issuer,
                              Platform.client_id == LOGIN_STATES.c.client_id))
    .where(LOGIN_STATES.c.state == bindparam("state"))
)
_LOGIN_STATE_WIDTH = len(LOGIN_STATES.c)  # the row's first columns; then the Platform
# Conditional: only an unused state is consumed (see ``_consume``).
_CONSUME_LOGIN_STATE = (
    update(LOGIN_STATES)
    .where(LOGIN_STATES.c.state == bindparam("s"), LOGIN_STATES.c.used_at.is_(None))
    .values(used_at=bindparam("now"))
)


def state_cookie_name(state: str) -> str:
    """One cookie per login, so two activities launching at once do not collide."""
    return STATE_COOKIE_PREFIX + hashlib.sha256(state.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class LoginPlan:
    auth_url: str
    state: str
    binding: str
    storage_target: str | None
    storage_origin: str
    restart_url: str  # the same login, for "open in a new window"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


TARGET_MAX = 1024  # login_states.target_link_uri
FRAME_MAX = 100  # login_states.storage_target: a frame name ("_parent", "post_message_forwarding")


def begin_login(params: Mapping[str, str], settings: Settings) -> LoginPlan:
    """Check a third-party login initiation and plan the redirect to the platform."""
    iss = params.get("iss", "").strip()
    login_hint = params.get("login_hint", "")
    target = params.get("target_link_uri", "")
    if not iss or not login_hint or not target:
        missing = [k for k in ("iss", "login_hint", "target_link_uri") if not params.get(k)]
        raise LoginError("The LMS did not send " + ", ".join(missing) + ".",
                         code="login_missing_param")
    # The login state keeps these (models/launches.py); longer ones come from no real LMS,
    # and would be a database error on PostgreSQL rather than an answer.
    for name, longest in (("target_link_uri", TARGET_MAX), ("lti_storage_target", FRAME_MAX)):
        if len(params.get(name) or "") > longest:
            raise LoginError("The LMS sent a login parameter that is too long. Open the "
                             "activity again from your course; if this keeps happening, "
                             "tell your LMS administrator.", code="login_bad_param",
                             log=f"{name} longer than {longest} characters")
    client_id = params.get("client_id") or None
    platform = registrations.find_platform(iss, client_id)
    if platform is None:
        raise UnknownPlatform("No registration matches this issuer and client id. An "
                              "administrator must register the LMS first.", status=400,
                              log=f"iss={iss} client_id={client_id}")
    if platform.status != "active":
        raise UnknownPlatform("This LMS registration is waiting for an administrator's "
                              "approval or is disabled.", status=403, code="platform_inactive",
                              log=f"iss={iss} client_id={platform.client_id}")
    _note_request_platform(platform)
    if _origin(target) != _origin(settings.base_url):
        raise LoginError("The launch points at another site (target_link_uri).",
                         code="foreign_target", log=f"target={target}")
    state = "state-" + secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    binding = secrets.token_urlsafe(24)
    storage_target = params.get("lti_storage_target") or None
    restart_url = new_window_login_url(params, settings)
    now = utcnow()
    client_id, auth_login_url = platform.client_id, platform.auth_login_url
    # One Core INSERT (no ORM object to flush, nor to reload after the commit).
    db.session.execute(_INSERT_LOGIN_STATE, {
        "state": state, "nonce": nonce, "binding": binding, "issuer": platform.issuer,
        "client_id": client_id, "target_link_uri": target, "storage_target": storage_target,
        "storage_origin": _origin(auth_login_url), "restart_url": restart_url,
        "created_at": now, "expires_at": now + timedelta(seconds=settings.login_state_ttl)})
    db.session.commit()
    redirect_uri = target if urlsplit(target).path in {"/lti/launch", "/lti/deep-link"} else (
        settings.base_url + "/lti/launch")
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": client_id, "redirect_uri": redirect_uri,
        "state": state, "nonce": nonce, "login_hint": login_hint,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    sep = "&" if "?" in auth_login_url else "?"
    return LoginPlan(
        auth_url=auth_login_url + sep + urlencode(query), state=state, binding=binding,
        storage_target=storage_target, storage_origin=_origin(auth_login_url),
        restart_url=restart_url,
    )


def _note_request_platform(platform: Platform | None) -> None:
    """Tell the frame-ancestors header which platform this request is for (it would look
    it up again from the same login parameters or state)."""
    from flask import has_request_context, request

    from lti_tool.security_headers import PLATFORM_ENVIRON_KEY

    if platform is not None and has_request_context():
        request.environ[PLATFORM_ENVIRON_KEY] = platform.id


def new_window_login_url(params: Mapping[str, str], settings: Settings) -> str:
    """The same login initiation, for a new top-level window (``bw_new_window=1``).

    There the tool is first party: its cookie (or, on plain http, the tab's own
    sessionStorage: ``launch/login_window.html``) binds the launch to the browser.
    """
    restart = {k: v for k, v in params.items() if k != "lti_storage_target"}
    restart["bw_new_window"] = "1"
    return settings.base_url + "/lti/login?" + urlencode(restart)


@dataclass(frozen=True)
class LaunchOutcome:
    session: RecordedLaunch
    confirmed: bool
    login_state: LoginStateRow


def _map_pylti_error(exc: LtiException) -> LaunchError:
    text = str(exc)
    if "Registration not found" in text or "Client id not registered" in text:
        return UnknownPlatform("No registration matches this issuer and client id.",
                               log=text)
    if "is not set in jwt body" in text:
        return InvalidToken("The launch message lacks the claim 'deployment_id'.",
                            code="missing_claim")
    if "deployment" in text.lower():
        return UnknownPlatform("This deployment of the tool is not registered.",
                               code="unknown_deployment", log=text)
    if "JWT must contain 3 parts" in text or "can't be decoded" in text:
        return InvalidToken("The launch message is not a valid JWT.", code="malformed_token")
    if '"iss" is empty' in text:
        return InvalidToken("The launch message lacks the claim 'iss'.", code="missing_claim")
    return InvalidToken("The launch message could not be validated.", code="bad_message",
                        log=text)


def complete_launch(form: Mapping[str, str], cookies: Mapping[str, str], settings: Settings,
                    expected_message_type: str) -> LaunchOutcome:
    """Validate an id_token post; consume its state and nonce; record the launch."""
    id_token = form.get("id_token", "")
    state = form.get("state", "")
    if not id_token:
        raise InvalidToken("The LMS sent no id_token.", code="missing_token", status=400)
    if len(id_token.encode()) > settings.max_id_token_bytes:
        raise InvalidToken("The launch message is too large.", code="oversized", status=413)
    if not state:
        raise StateMismatch("The LMS sent no state.", code="missing_state")
    row = db.session.execute(_READ_LOGIN_STATE, {"state": state}).first()
    if row is None:
        raise StateMismatch("This launch does not belong to a login started here "
                            "(unknown state).", code="unknown_state")
    login_state = LoginStateRow(*row[:_LOGIN_STATE_WIDTH])
    platform: Platform | None = row[_LOGIN_STATE_WIDTH]
    if login_state.used_at is not None:
        raise Replay("This launch was already used. Open the activity again from your "
                     "course.", log=f"state={state}")
    if login_state.expires_at < utcnow():
        raise StateMismatch("The login took too long. Open the activity again.",
                            code="state_expired")
    if platform is not None:
        registrations.remember_platform(platform)
    _note_request_platform(platform)

    request = FlaskRequest(request_data={"id_token": id_token, "state": state},
                           request_is_secure=settings.base_url.startswith("https"))
    launch = BranchwiseMessageLaunch(
        request, DbToolConf(tool_key=False), login_state, leeway=settings.clock_skew_leeway,
        jwks_ttl=settings.jwks_cache_seconds, http_timeout=settings.http_timeout,
        allow_private=settings.outbound_allow_private,
    )
    try:
        launch.validate()
    except LaunchError:
        raise
    except LtiException as exc:
        raise _map_pylti_error(exc) from exc
    body: Mapping[str, Any] = launch.get_launch_data()  # looked up by claim names
    if body["iss"] != login_state.issuer or launch.get_client_id() != login_state.client_id:
        raise StateMismatch("The launch comes from another registration than its login.",
                            code="state_mismatch")
    message_type = body.get(claims.MESSAGE_TYPE)
    if message_type != expected_message_type and not _is_submission_review(
            message_type, expected_message_type):
        raise InvalidToken(f"A {message_type} message cannot be sent to this address "
                           f"(expected {expected_message_type}).", code="wrong_message_type")
    target = body.get(claims.TARGET_LINK_URI, "")
    if _origin(target) != _origin(settings.base_url):
        raise InvalidToken("The launch points at another site (target_link_uri).",
                           code="foreign_target")
    login_state = _consume(login_state, body)

    cookie_ok = secrets.compare_digest(cookies.get(state_cookie_name(state), ""),
                                       login_state.binding)
    if not cookie_ok and not login_state.storage_target and not login_state.restart_url:
        db.session.commit()  # the state and nonce stay used
        raise StateMismatch("This launch did not start in this browser, or the browser "
                            "blocked the tool's cookie.", code="state_mismatch")
    # No cookie and no platform storage: the launch stays unconfirmed; the page offers
    # the same login in a new window (``launch.views._new_window_fallback``).
    session = _record(body, settings, confirmed=cookie_ok, state=state)
    db.session.commit()
    return LaunchOutcome(session=session, confirmed=cookie_ok, login_state=login_state)


def _is_submission_review(message_type: str | None, expected: str) -> bool:
    """A submission review is sent to the resource link's own launch URL."""
    return (message_type == claims.SUBMISSION_REVIEW_REQUEST
            and expected == claims.RESOURCE_LINK_REQUEST)


def _consume(login_state: LoginStateRow, body: Mapping) -> LoginStateRow:
    """Mark state used and the nonce seen, atomically: a second use fails even from
    another worker or another browser.

    The writes are executed, not committed: the launch record joins the same
    transaction (one commit per launch). The conditional UPDATE holds the state's row
    (PostgreSQL's row lock, SQLite's write lock) until that commit, so a second use
    running at the same time waits and then finds ``used_at`` set; the nonce's
    UNIQUE(iss, nonce) is checked at its INSERT. Returns the row as the UPDATE left it.
    """
    now = utcnow()
    # Typed Result; a DML statement gives a CursorResult, which has rowcount.
    result = cast("CursorResult[Any]", db.session.execute(
        _CONSUME_LOGIN_STATE, {"s": login_state.state, "now": now}))
    if result.rowcount != 1:
        db.session.rollback()
        raise Replay("This launch was already used.")
    try:
        db.session.execute(_INSERT_NONCE, {"issuer": body["iss"], "nonce": str(body["nonce"]),
                                           "expires_at": now + timedelta(days=1)})
    except IntegrityError as exc:
        db.session.rollback()
        raise Replay("This launch was already used (nonce seen before).") from exc
    return replace(login_state, used_at=now)


def _record(body: Mapping, settings: Settings, *, confirmed: bool, state: str
            ) -> RecordedLaunch:
    """Upsert user, course and resource link; store the launch (``launch.record``)."""
    aud = body["aud"][0] if isinstance(body["aud"], list) else body["aud"]
    # The rows validation already found (memoised for the request).
    platform = registrations.find_platform(body["iss"], aud)
    assert platform is not None  # validation found it
    deployment = registrations.find_deployment(platform, body[claims.DEPLOYMENT_ID])
    assert deployment is not None  # validation found it
    presentation = body.get(claims.LAUNCH_PRESENTATION) or {}
    return record_launch(body, platform, deployment.id, confirmed=confirmed, state=state,
                         session_max_age=settings.launch_session_max_age,
                         return_url=_web_url(presentation.get("return_url")))


def _web_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL: the runner links to it ("Return to
    course"), and a ``javascript:`` or ``data:`` URL there would run in our origin."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        if url:
            log.warning("launch_presentation.return_url refused (not http/https): %r",
                        url[:200])
        return None
    return url.strip()


def confirm_launch(launch_id: str, binding_from_storage: str) -> LaunchSession:
    """Bind a launch to this browser with the secret read back from platform storage."""
    session = db.session.get(LaunchSession, launch_id)
    login_state = db.session.get(LoginState, session.state) if session and session.state else None
    if session is None or login_state is None:
        raise StateMismatch("Unknown launch.", code="unknown_launch")
    if session.confirmed:
        raise Replay("This launch was already confirmed.")
    if not secrets.compare_digest(binding_from_storage or "", login_state.binding):
        raise StateMismatch("This launch did not start in this browser (platform storage "
                            "held another state).", code="state_mismatch")
    session.confirmed = True
    db.session.commit()
    return session


def session_from_token(token: str | None, settings: Settings) -> LaunchSession:
    """The confirmed, unexpired launch a token names (the runner reads its own view of it,
    with the same checks: ``lti_tool.runner.launches``)."""
    launch_id = tokens.read(settings.secret_key, token, settings.launch_token_ttl)
    session = db.session.get(LaunchSession, launch_id)
    if session is None or not session.confirmed or session.expires_at < utcnow():
        raise tokens.SessionExpired("Your session has ended. Open the activity again from "
                                    "your course.", code="session_gone")
    return session
