"""The admin console at /admin: a first-party web UI, not an LTI launch.

Security: a signed Flask session cookie (HttpOnly, SameSite=Lax, Secure on
https, path /admin) names the admin; every POST carries a Flask-WTF CSRF token;
failed logins are throttled per username+IP and per IP in the shared cache; the
pages refuse to be framed. Views only parse the form, call a service and render.
"""

from __future__ import annotations

import logging
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from lti_tool import throttle
from lti_tool.admin import services
from lti_tool.keys import services as keys

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger("branchwise.admin")

LOGIN_FAILURES_PER_USER = 5  # per username + IP
LOGIN_FAILURES_PER_IP = 20  # any usernames, so one address cannot spray many accounts
LOGIN_WINDOW = 15 * 60
SESSION_MAX_AGE = 8 * 3600  # a console session ends after a working day, even if active
PUBLIC_ENDPOINTS = {"admin.login"}


def init_app(app: Flask) -> None:
    """Cookie settings for the console's session (the LTI pages use no session)."""
    secure = app.config["BRANCHWISE"].base_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        # Only the console reads the session; keep the cookie off every LTI request.
        SESSION_COOKIE_PATH="/admin",
    )


def _client_ip() -> str:
    return request.remote_addr or "-"


def _bad_request(message: str, status: int = 400):
    return render_template("admin/error.html", message=message), status


@bp.before_request
def guard():
    """CSRF on every POST (login included), then require a signed-in admin."""
    # Flask-WTF caches the token in ``g``, which outlives a request when an app context
    # was already pushed (tests, scripts); derive it from this request's session.
    g.pop("csrf_token", None)
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except (ValidationError, CSRFError) as exc:
            log.warning("admin CSRF refused ip=%s path=%s reason=%s", _client_ip(),
                        request.path, exc)
            return _bad_request("The form expired or did not come from this console. "
                                "Reload the page and try again.")
    g.admin = None
    started = session.get("admin_at", 0)
    if session.get("admin_id") and time.time() - started < SESSION_MAX_AGE:
        admin = services.get_admin(session["admin_id"])
        # The cookie is signed but lives in the browser: the epoch ends it on the server.
        if admin is not None and session.get("admin_epoch") == admin.session_epoch:
            g.admin = admin
    if g.admin is None and request.endpoint not in PUBLIC_ENDPOINTS:
        session.pop("admin_id", None)
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def console_headers(response):
    # Admin pages must never be framed (clickjacking) or cached (shared computers).
    # (Content-Security-Policy with frame-ancestors 'none': lti_tool.security_headers.)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def admin_context():
    return {"csrf_token": generate_csrf}


def _safe_next(target: str | None) -> str:
    """Only console paths: an attacker-chosen ``next`` must not redirect off-site."""
    if target and target.startswith("/admin") and not urlsplit(target).netloc \
            and "\\" not in target:
        return target
    return url_for("admin.overview")


def _action(page: str):
    """A console POST action: its message (or AdminError) is flashed, then back to ``page``."""
    def decorate(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                message = fn(*args, **kwargs)
            except (services.AdminError, LookupError, ValueError) as exc:
                flash(str(exc), "error")
            else:
                log.info("admin action by %s: %s", g.admin.username, message)
                flash(message, "ok")
            return redirect(url_for(page))
        return wrapper
    return decorate


# ------------------------------------------------------------------- login
@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("admin/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    ip = _client_ip()
    user_key = f"admin-login:{username.lower()}:{ip}"
    ip_key = f"admin-login-ip:{ip}"
    if (throttle.over_limit(user_key, LOGIN_FAILURES_PER_USER, LOGIN_WINDOW)
            or throttle.over_limit(ip_key, LOGIN_FAILURES_PER_IP, LOGIN_WINDOW)):
        log.warning("admin login throttled username=%r ip=%s", username, ip)
        wait = max(throttle.retry_after(user_key, LOGIN_WINDOW),
                   throttle.retry_after(ip_key, LOGIN_WINDOW))
        page = render_template("admin/login.html", next=request.form.get("next", ""),
                               error="Too many failed sign-ins. Wait a few minutes and "
                                     "try again.", username=username)
        return page, 429, {"Retry-After": str(wait)}
    admin = services.authenticate(username, password)
    if admin is None:
        # Counted only on failure: a known admin signing in is never slowed down.
        throttle.record(user_key, LOGIN_WINDOW)
        throttle.record(ip_key, LOGIN_WINDOW)
        log.warning("admin login failed username=%r ip=%s", username, ip)
        page = render_template("admin/login.html", next=request.form.get("next", ""),
                               error="Wrong username or password.", username=username)
        return page, 401
    throttle.clear(user_key)
    session.clear()  # a fresh session (and CSRF token) for the signed-in admin
    g.pop("csrf_token", None)
    session["admin_id"] = admin.id
    session["admin_at"] = time.time()
    session["admin_epoch"] = admin.session_epoch
    log.info("admin login username=%r ip=%s", admin.username, ip)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    log.info("admin logout username=%r", g.admin.username)
    services.end_sessions(g.admin)
    session.clear()
    return redirect(url_for("admin.login"))


# ------------------------------------------------------------------- pages
@bp.get("/")
def overview():
    rows = services.usage()
    pending = [r for r in rows if r.status == "pending"]
    return render_template("admin/overview.html", usage=rows, pending=pending,
                           grades=services.grade_queue(limit=50)["counts"],
                           keys=keys.list_keys())


@bp.get("/platforms")
def platforms():
    from lti_tool.registration.dynamic import granted_summary
    from lti_tool.registration.services import list_platforms

    return render_template("admin/platforms.html", platforms=list_platforms(),
                           granted_summary=granted_summary)


@bp.post("/platforms/<int:platform_id>/status")
@_action("admin.platforms")
def platforms_status(platform_id: int) -> str:
    status = request.form.get("status", "")
    p = services.set_platform_status_by_id(platform_id, status)
    return f"{p.issuer} ({p.client_id}) is now {p.status}"


@bp.post("/platforms/<int:platform_id>/deployments")
@_action("admin.platforms")
def platforms_add_deployment(platform_id: int) -> str:
    return services.add_deployment_by_id(platform_id, request.form.get("deployment_id", ""))


@bp.post("/deployments/<int:deployment_pk>/status")
@_action("admin.platforms")
def platforms_deployment_status(deployment_pk: int) -> str:
    d = services.set_deployment_status(deployment_pk, request.form.get("status", ""))
    return f"deployment {d.deployment_id} is now {d.status}"


@bp.post("/platforms/<int:platform_id>/update")
@_action("admin.platforms")
def platforms_update(platform_id: int) -> str:
    """Apply or discard what a re-registration proposed (nothing changes until then)."""
    if request.form.get("decision") == "apply":
        p = services.apply_pending_update(platform_id)
        return f"the new addresses of {p.issuer} ({p.client_id}) are in use"
    p = services.discard_pending_update(platform_id)
    return f"the proposed changes to {p.issuer} ({p.client_id}) were discarded"


def _links_page(new_link=None, values: dict[str, str] | None = None) -> str:
    from lti_tool.registration import links

    return render_template("admin/registration_links.html", links=links.list_links(),
                           link_state=links.link_state, new_link=new_link,
                           max_hours=links.MAX_HOURS, values=values or {},
                           approval=current_app.config["BRANCHWISE"]
                           .require_registration_approval)


@bp.get("/registration-links")
def registration_links():
    return _links_page()


@bp.post("/registration-links")
def registration_links_create():
    """Create a link and show its URL once (it is stored only as a hash)."""
    from lti_tool.registration import links

    try:
        hours = float(request.form.get("hours", links.DEFAULT_HOURS))
        link = links.create_link(current_app.config["BRANCHWISE"].base_url,
                                 created_by=g.admin.username, hours=hours,
                                 note=request.form.get("note", ""))
    except (ValueError, links.LinkError) as exc:
        # The form again with what was typed (400), not a redirect to an empty one: the
        # note said which LMS the link is for, and it was lost.
        flash(str(exc) if isinstance(exc, links.LinkError) else "hours must be a number",
              "error")
        return _links_page(values={k: request.form.get(k, "") for k in ("hours", "note")}), 400
    log.info("admin action by %s: registration link %s created", g.admin.username, link.id)
    return _links_page(new_link=link)


@bp.post("/registration-links/<int:link_id>/revoke")
@_action("admin.registration_links")
def registration_links_revoke(link_id: int) -> str:
    from lti_tool.registration import links

    try:
        links.revoke(link_id)
    except links.LinkError as exc:
        raise services.AdminError(str(exc)) from exc
    return f"registration link {link_id} revoked"


@bp.get("/keys")
def keys_page():
    keys.signing_key()  # a fresh install shows the key it will publish
    return render_template("admin/keys.html", keys=keys.list_keys())


@bp.post("/keys/rotate")
@_action("admin.keys_page")
def keys_rotate() -> str:
    return f"new signing key {keys.rotate().kid}; the previous one stays published"


@bp.post("/keys/retire")
@_action("admin.keys_page")
def keys_retire() -> str:
    return f"retired {keys.retire(request.form.get('kid', '')).kid}"


@bp.get("/grades")
def grades():
    return render_template("admin/grades.html", queue=services.grade_queue())


@bp.post("/grades/replay")
@_action("admin.grades")
def grades_replay() -> str:
    if request.form.get("all_failed"):
        ids = services.replay_grades(all_failed=True)
    else:
        try:
            wanted = [int(v) for v in request.form.getlist("id")]
        except ValueError as exc:
            raise services.AdminError("bad score id") from exc
        ids = services.replay_grades(wanted)
    return f"{len(ids)} score(s) queued again" if ids else "nothing to replay"


@bp.get("/usage")
def usage():
    return render_template("admin/usage.html", usage=services.usage())


#: The fields of the course-model form shown again after a refusal; never the API key: a
#: secret is not sent back into a page.
_COURSE_MODEL_FIELDS = ("issuer", "client_id", "context_id", "base_url", "model", "timeout")


def _assistant_models_page(values: dict[str, str] | None = None) -> str:
    from lti_tool.assistant.course_models import list_course_models

    settings = current_app.config["BRANCHWISE"]
    return render_template("admin/assistant_models.html", rows=list_course_models(),
                           deployment_model=settings.assistant_llm_model,
                           deployment_url=settings.assistant_llm_url, values=values or {})


@bp.get("/assistant-models")
def assistant_models():
    """The assistant's language model per course (the deployment's applies elsewhere)."""
    return _assistant_models_page()


@bp.post("/assistant-models")
def assistant_models_set():
    """Set a course's model. A refusal shows the form again with what was typed (status
    400), not a redirect to an empty form: five fields retyped to fix one was the cost."""
    from lti_tool.assistant.course_models import set_course_model

    form = request.form
    key = form.get("api_key", "")
    # An empty key field keeps the stored key (it is never shown back to fill the field).
    api_key = "" if form.get("clear_key") else (key if key else None)
    try:
        try:
            timeout = float(form["timeout"]) if form.get("timeout") else None
        except ValueError as exc:
            raise services.AdminError("The timeout must be a number of seconds.") from exc
        set_course_model(current_app.config["BRANCHWISE"],
                         issuer=form.get("issuer", "").strip(),
                         context_id=form.get("context_id", "").strip(),
                         client_id=form.get("client_id", "").strip() or None,
                         base_url=form.get("base_url", ""), model=form.get("model", ""),
                         api_key=api_key, timeout=timeout, by=g.admin.username)
    except (services.AdminError, LookupError, ValueError) as exc:
        flash(str(exc), "error")
        return _assistant_models_page({k: form.get(k, "") for k in _COURSE_MODEL_FIELDS}), 400
    message = (f"course {form.get('context_id', '').strip()}: the assistant uses "
               f"{form.get('model')}")
    log.info("admin action by %s: %s", g.admin.username, message)
    flash(message, "ok")
    return redirect(url_for("admin.assistant_models"))


@bp.post("/assistant-models/clear")
@_action("admin.assistant_models")
def assistant_models_clear() -> str:
    from lti_tool.assistant.course_models import clear_course_model

    removed = clear_course_model(issuer=request.form.get("issuer", ""),
                                 context_id=request.form.get("context_id", ""),
                                 client_id=request.form.get("client_id") or None)
    return "the course uses the deployment's model again" if removed else "nothing to remove"
