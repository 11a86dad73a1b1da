"""OIDC login initiation, launch and deep-link endpoints (thin: parse, call, render)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from lti_tool import errors
from lti_tool.i18n import browser_lang, use_locale
from lti_tool.launch import first_page, login_limit, services, tokens
from lti_tool.protocol import claims
from lti_tool.protocol.errors import LoginError
from lti_tool.xapi import events as xapi_events

bp = Blueprint("launch", __name__)
LOGIN_WINDOW = 60  # seconds: login_rate_limit counts logins per address in this window


def _settings():
    return current_app.config["BRANCHWISE"]


def _secure() -> bool:
    return _settings().base_url.startswith("https://")


@bp.route("/lti/login", methods=["GET", "POST"])
def login():
    # Public, and every accepted login writes a row: a per-address rate limit bounds the
    # pace of an anonymous flood, the housekeeping job (jobs.housekeeping) the total.
    key = f"lti-login:{request.remote_addr or '-'}"
    if not login_limit.admit(key, _settings().login_rate_limit, LOGIN_WINDOW):
        response = errors.error_page(LoginError(
            "Too many activity launches from your network in the last minute. Wait a "
            "moment and open the activity again.", code="rate_limited", status=429))
        response.headers["Retry-After"] = str(login_limit.retry_after(key, LOGIN_WINDOW))
        current_app.logger.warning("launch refused code=rate_limited status=429 "
                                   "path=/lti/login ip=%s", request.remote_addr)
        return response
    params = request.values.to_dict()
    plan = services.begin_login(params, _settings())
    new_window = params.get("bw_new_window") == "1"
    if plan.storage_target and not new_window:
        # Platform storage first; the page falls back to the cookie if the
        # platform never answers (lti-cs-oidc).
        response = make_response(render_template("launch/login_storage.html", plan=plan,
                                                 page_lang=browser_lang()))
    elif new_window:
        response = _new_window_login(plan)
    else:
        response = make_response(redirect(plan.auth_url, code=302))
    # Cross-site iframes only send cookies marked SameSite=None; Secure, and
    # Secure needs https, so on plain http we fall back to Lax (first-party use).
    response.set_cookie(
        services.state_cookie_name(plan.state), plan.binding,
        max_age=_settings().login_state_ttl, httponly=True, secure=_secure(),
        samesite="None" if _secure() else "Lax", path="/lti/",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _finish(expected: str):
    outcome = services.complete_launch(request.form, request.cookies, _settings(), expected)
    session = outcome.session
    if not outcome.confirmed:
        lang = use_locale(session.locale)  # the id_token said the learner's language
        if not outcome.login_state.storage_target:
            return _new_window_fallback(session, outcome.login_state, lang)
        # No cookie came back: read the binding secret from platform storage.
        return render_template("launch/confirm_storage.html", session=session, page_lang=lang,
                               login_state=outcome.login_state)
    token = tokens.issue(_settings().secret_key, session.id)
    render = (first_page.renderer_for(session.role)
              if session.message_type == claims.RESOURCE_LINK_REQUEST else None)
    if render is not None:
        # The common path in two hops: login, then this POST answers with the page.
        if session.role == "learner":
            xapi_events.launched(session.id)
        response = render(token, session)
        response.headers["Cache-Control"] = "no-store"
        return response
    return redirect(url_for("launch.landing", t=token), code=303)


# ---- "open in a new window": the tool's cookie is blocked and the platform has no storage.
# The frame shows one button that opens the same login in a new top-level window. There
# the tool is first party: the state cookie works on https, and the tab's own
# sessionStorage holds the binding secret on plain http (a cross-site form post does not
# carry a SameSite=Lax cookie), so the launch is confirmed in that window.

def _new_window_login(plan):
    """Login in the new window: keep the binding in this tab, then go to the platform."""
    return make_response(render_template("launch/login_window.html", plan=plan,
                                         page_lang=browser_lang()))


def _new_window_fallback(session, login_state, lang: str):
    """The launch arrived without a cookie: confirm it from this tab's sessionStorage
    (a login started in a new window) or offer to open the activity in one."""
    response = make_response(render_template(
        "launch/new_window.html", session=session, login_state=login_state,
        page_lang=lang))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/lti/launch")
def launch():
    return _finish(claims.RESOURCE_LINK_REQUEST)


@bp.post("/lti/deep-link")
def deep_link():
    return _finish(claims.DEEP_LINKING_REQUEST)


@bp.post("/lti/launch/confirm")
def confirm():
    session = services.confirm_launch(request.form.get("launch", ""),
                                      request.form.get("binding", ""))
    token = tokens.issue(_settings().secret_key, session.id)
    return redirect(url_for("launch.landing", t=token), code=303)


@bp.get("/lti/landing")
def landing():
    """Where every confirmed launch lands; sends it to the page for its message and role."""
    session = services.session_from_token(request.args.get("t"), _settings())
    token = tokens.issue(_settings().secret_key, session.id)
    if session.message_type == claims.SUBMISSION_REVIEW_REQUEST:
        return _submission_review(session, token)
    if session.message_type == claims.DEEP_LINKING_REQUEST:
        endpoint = "deep_linking.picker"
    elif session.role == "learner":
        endpoint = "runner.activity"
        xapi_events.launched(session.id)
    else:
        endpoint = "dashboard.index"
    return redirect(url_for(endpoint, t=token), code=303)


def _submission_review(session, token: str):
    """The LMS's "view submission": the teacher sees the learner's attempt report (the
    dashboard's drill-down: skills, every answer, the evidence behind the grade); a
    learner reviewing their own submission sees their progress."""
    if session.role == "learner":
        return redirect(url_for("runner.progress", t=token), code=303)
    for_user = (session.claims or {}).get(claims.FOR_USER) or {}
    return redirect(url_for("dashboard.learner", t=token, id=for_user.get("user_id", "")),
                    code=303)
