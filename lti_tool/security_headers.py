"""Response headers for every page, and log lines without raw newlines: one app-wide place.

Content-Security-Policy: scripts only from the tool's own ``static/`` (no inline
script, no ``eval``), nothing fetched from elsewhere, no plugins, no ``<base>``.
Styles may be inline (the sanitised module text and the charts never carry
script, and a style cannot run one). ``frame-ancestors`` says who may frame a page:

* the console (``/admin``): nobody;
* LTI pages: the platform of the launch. It is found from the request itself,
  never from a cookie: the launch token (``t`` or ``Authorization: Bearer``), the
  login's ``iss``/``client_id``, the ``state`` or ``launch`` of a launch post, or
  the ``openid_configuration`` a registering LMS opens us with. Its origins are
  those of the hosts the registration names (and their subdomains:
  ``<school>.instructure.com``, ``<school>.blackboard.com``);
* an error page whose platform is unknown may be framed by anyone: it offers
  nothing to click, and the LMS must be able to show it;
* everything else: only the tool itself.

Also here: ``Referrer-Policy: no-referrer`` (pages carry launch tokens in URLs),
``X-Content-Type-Options: nosniff``, and a log-record factory that escapes CR/LF
in the tool's own log messages, since claims and query parameters end up in them
and a newline would let a launch forge a log line.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from urllib.parse import urlsplit

from cachetools import LRUCache, TTLCache
from flask import Flask, Response, current_app, request
from sqlalchemy import select

from lti_tool.models import LaunchSession, LoginState, Platform

_LOGGER_PREFIXES = ("branchwise", "lti_tool")
_PLATFORM_TTL = 60.0  # seconds a platform's origins are reused (an admin may change them)
_BASE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'none'")
_LTI_PREFIXES = ("/lti/", "/activity", "/dashboard")


# ------------------------------------------------------------------ log lines
def _escape(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def install_log_escaping() -> None:
    """Escape CR/LF in messages of the tool's loggers (once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_branchwise", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if record.name.startswith(_LOGGER_PREFIXES):
            message = record.getMessage()
            if "\n" in message or "\r" in message:
                record.msg, record.args = _escape(message), None
        return record

    factory._branchwise = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


# ---------------------------------------------------------------- origins
def platform_origins(platform: Platform) -> list[str]:
    """CSP sources for the sites of a registration: each host and its subdomains."""
    sources: list[str] = []
    for url in (platform.issuer, platform.auth_login_url, platform.auth_token_url,
                platform.key_set_url, platform.token_audience):
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        port = f":{parts.port}" if parts.port else ""
        hosts = [parts.hostname]
        if not _is_ip(parts.hostname) and parts.hostname != "localhost":
            hosts.append("*." + parts.hostname)
        for host in hosts:
            source = f"{parts.scheme}://{host}{port}"
            if source not in sources:
                sources.append(source)
    return sources


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _Memo:
    """Small per-process memo: launch id -> platform id never changes; origins expire."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # cachetools' caches are not thread-safe
        self.launch_platform: LRUCache[str, int] = LRUCache(maxsize=4096)
        self.origins: TTLCache[int, list[str]] = TTLCache(maxsize=1024, ttl=_PLATFORM_TTL)


def _memo() -> _Memo:
    # Per app (not per module): ids mean rows of this app's database.
    return current_app.extensions["branchwise_frame_memo"]


def _origins_for(platform_id: int | None) -> list[str] | None:
    if platform_id is None:
        return None
    memo = _memo()
    with memo.lock:
        hit = memo.origins.get(platform_id)
    if hit is not None:
        return hit
    from lti_tool.extensions import db

    platform = db.session.get(Platform, platform_id)
    if platform is None or platform.status != "active":
        return None
    origins = platform_origins(platform)
    with memo.lock:
        memo.origins[platform_id] = origins
    return origins


def _platform_of_launch(launch_id: str) -> int | None:
    from lti_tool.extensions import db

    memo = _memo()
    with memo.lock:
        if launch_id in memo.launch_platform:
            return memo.launch_platform[launch_id]
    platform_id = db.session.execute(
        select(LaunchSession.platform_id).where(LaunchSession.id == launch_id)
    ).scalar_one_or_none()
    if platform_id is not None:
        with memo.lock:
            memo.launch_platform[launch_id] = platform_id
    return platform_id


# Set by the launch once it has found the request's platform the way this module would.
PLATFORM_ENVIRON_KEY = "branchwise.request_platform_id"


def _request_platform(secret: str) -> int | None:
    """The platform this LTI request belongs to, read from the request alone."""
    from lti_tool.extensions import db
    from lti_tool.launch import tokens
    from lti_tool.protocol.errors import SessionExpired
    from lti_tool.registration.services import find_platform

    known = request.environ.get(PLATFORM_ENVIRON_KEY)
    if known is not None:  # the login or launch already found it (same answer, no query)
        return int(known)
    token = request.values.get("t")
    auth = request.headers.get("Authorization", "")
    if not token and auth.startswith("Bearer "):
        token = auth[7:]
    if token:
        try:
            # The age is not checked here: an expired token's page still names its LMS.
            launch_id = tokens.read(secret, token, max_age=10 ** 9)
        except SessionExpired:
            return None
        return _platform_of_launch(launch_id)
    if request.form.get("launch"):
        return _platform_of_launch(request.form["launch"])
    if request.form.get("state"):
        state = db.session.get(LoginState, request.form["state"])
        platform = find_platform(state.issuer, state.client_id) if state else None
        return platform.id if platform else None
    if request.values.get("iss"):
        platform = find_platform(request.values["iss"], request.values.get("client_id"))
        return platform.id if platform else None
    return None


def frame_ancestors(response: Response, secret: str) -> str:
    """The ``frame-ancestors`` sources for this response (see the module docstring)."""
    path = request.path
    if path.startswith("/admin"):
        return "'none'"
    if not path.startswith(_LTI_PREFIXES):
        return "'self'"
    if path.startswith("/lti/register"):
        config = urlsplit(request.args.get("openid_configuration", ""))
        if config.scheme in ("http", "https") and config.hostname:
            port = f":{config.port}" if config.port else ""
            return f"'self' {config.scheme}://{config.hostname}{port}"
        return "'self'"
    try:
        origins = _origins_for(_request_platform(secret))
    except Exception:  # a header must never turn a page into a 500
        logging.getLogger("branchwise.security").exception("frame-ancestors lookup failed")
        origins = None
    if origins:
        return "'self' " + " ".join(origins)
    return "*" if response.status_code >= 400 else "'self'"


def init_app(app: Flask) -> None:
    """Register the headers on every response and the log escaping."""
    install_log_escaping()
    app.extensions["branchwise_frame_memo"] = _Memo()
    secret = app.config["BRANCHWISE"].secret_key

    @app.after_request
    def security_headers(response: Response) -> Response:
        # A response that sets a stricter policy of its own keeps it (module figures are
        # served with ``default-src 'none'; sandbox`` so an SVG can never run script).
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = (
                f"{_BASE_POLICY}; frame-ancestors {frame_ancestors(response, secret)}")
        # Pages run inside LMS iframes: framing is governed by frame-ancestors above (no
        # X-Frame-Options except on the console). Launch tokens stay out of Referer.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
