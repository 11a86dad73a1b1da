"""Registration URLs an LMS admin pastes: dynamic registration and the Canvas JSON.

Both are public. ``/lti/register`` makes outgoing requests and creates
registrations, so every attempt is logged and attempts are rate-limited per
client IP (shared across workers, see lti_tool.throttle).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, render_template, request

from lti_tool import throttle
from lti_tool.registration import dynamic, links
from lti_tool.registration.canvas import canvas_developer_key_config

bp = Blueprint("registration", __name__)
log = logging.getLogger("branchwise.registration")

#: Attempts per client IP per window: an admin needs a handful, a scanner gets stopped.
REGISTER_LIMIT = 10
REGISTER_WINDOW = 600


def _settings():
    return current_app.config["BRANCHWISE"]


def _error(error: dynamic.DynamicRegistrationError, ip: str):
    log.warning("dynamic registration refused code=%s ip=%s %s", error.code, ip,
                error.log_detail)
    response = current_app.make_response(
        (render_template("registration/error.html", error=error), error.status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/lti/register")
def register():
    """Dynamic Registration 1.0 initiation (the platform opens this, usually framed).

    Open to anyone, so what it creates waits for an admin's approval (by default).
    """
    return _register(link_token=None)


@bp.get("/lti/register/<token>")
def register_with_link(token: str):
    """The same through an admin's single-use link: the registration is active at once."""
    return _register(link_token=token)


def _register(link_token: str | None):
    ip = request.remote_addr or "-"
    config_url = request.args.get("openid_configuration", "").strip()
    token = request.args.get("registration_token") or None
    log.info("dynamic registration attempt ip=%s openid_configuration=%r token=%s link=%s",
             ip, config_url[:300], "yes" if token else "no",
             "yes" if link_token is not None else "no")
    key = f"register:{ip}"
    if throttle.over_limit(key, REGISTER_LIMIT, REGISTER_WINDOW):
        error = dynamic.DynamicRegistrationError(
            "Too many registration attempts from your address. Wait a few minutes and try "
            "again.", code="rate_limited", status=429)
        response = _error(error, ip)
        response.headers["Retry-After"] = str(throttle.retry_after(key, REGISTER_WINDOW))
        return response
    throttle.record(key, REGISTER_WINDOW)
    link_id = None
    if link_token is not None:
        if not config_url:
            return _error(dynamic.DynamicRegistrationError(
                "This is a Branchwise registration link: paste it into your LMS's \"register "
                "a tool\" (LTI Advantage / dynamic registration) form rather than opening "
                "it directly.", code="missing_openid_configuration"), ip)
        link_id = links.claim(link_token)
        if link_id is None:
            return _error(dynamic.DynamicRegistrationError(
                "This registration link is not valid any more: it expired, was already "
                "used or was revoked. Ask the Branchwise administrator for a new one.",
                code="link_invalid", status=403), ip)
    try:
        outcome = dynamic.register(config_url, token, _settings(),
                                   pre_approved=link_id is not None)
    except dynamic.DynamicRegistrationError as exc:
        if link_id is not None:
            links.release(link_id)  # nothing was registered: the admin's link still works
        return _error(exc, ip)
    if link_id is not None:
        links.record_use(link_id, outcome.platform.id)
    response = current_app.make_response(render_template("registration/done.html",
                                                         outcome=outcome))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/lti/canvas.json")
def canvas_json():
    """The Canvas developer key configuration ("Enter URL" in the key form)."""
    return jsonify(canvas_developer_key_config(_settings().base_url))
