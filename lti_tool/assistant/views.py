"""The ``assistant`` blueprint: ask, open a cited source, the teachers' live panel.

Like the runner, every request carries the signed launch token (``t``) instead of a
cookie (the tool is third-party inside the LMS frame); the token is also the CSRF
defence of the POST. The ask form works without JavaScript (it answers with a page);
``static/js/assistant.js`` posts it with ``Accept: application/json`` and shows the
reply in place. Teachers' pages check the course through the dashboard's scope.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from jinja2 import pass_context

from adaptive.assistant import Mode
from lti_tool import course_scope
from lti_tool.assistant import services
from lti_tool.launch import services as launch_services
from lti_tool.launch import tokens
from lti_tool.protocol.errors import NotAllowed

bp = Blueprint("assistant", __name__, url_prefix="/assistant")

_LOCALES = ("en", "es", "fr")  # as lti_tool.runner.views.SUPPORTED_LOCALES
MAX_QUESTION = 1000


def _settings():
    return current_app.config["BRANCHWISE"]


def _locale(tag: str | None) -> str:
    lang = (tag or "").replace("_", "-").split("-")[0].lower()
    return lang if lang in _LOCALES else "en"


def _session(token: str | None):
    session = launch_services.session_from_token(token, _settings())
    g.bw_locale = _locale(session.locale)
    return session


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/ask")
def ask():
    """Answer a learner's question from the module (JSON for the script, a page otherwise)."""
    session = _session(request.form.get("t"))
    token = tokens.issue(_settings().secret_key, session.id)
    question = (request.form.get("q") or "").strip()[:MAX_QUESTION]
    result = services.ask(session, question, g.bw_locale, _settings()) if question else None
    fragment = render_template("assistant/_reply.html", result=result, token=token,
                               question=question)
    if _wants_json():
        body = {"html": fragment, "status": result.reply.status if result else "empty",
                "source": result.source if result else None,
                "cited": [q.passage_id for q in result.reply.quotes] if result else [],
                "token": token}
        return _no_store(jsonify(body))
    page = render_template("assistant/answer.html", fragment=fragment, token=token,
                           page_lang=g.bw_locale, question=question)
    return _no_store(make_response(page))


@bp.get("/source")
def source():
    """A passage the assistant cited, when this learner may see it now."""
    session = _session(request.args.get("t"))
    token = tokens.issue(_settings().secret_key, session.id)
    found = services.open_source(session, request.args.get("p", ""), _settings())
    if found is None:
        abort(404)
    module, passage = found
    learner = services.learner_state(session, _settings())
    body = services.safe_source_body(module, passage, learner.view) if learner else ""
    page = render_template("assistant/source.html", passage=passage, body=body, token=token,
                           page_lang=g.bw_locale, module=module)
    return _no_store(make_response(page))


def _teacher(token: str | None):
    session = _session(token)
    try:
        scope = course_scope.scope_for(session)
    except NotAllowed as exc:
        abort(403, description=str(exc))
    return scope, tokens.issue(_settings().secret_key, session.id)


@bp.get("/teacher")
def teacher():
    """Live confusion flags and what learners ask per skill, for this course's teachers."""
    scope, token = _teacher(request.args.get("t"))
    page = render_template("assistant/teacher.html", token=token, page_lang=g.bw_locale,
                           flags=services.live_flags(scope),
                           skills=services.questions_by_skill(scope))
    return _no_store(make_response(page))


@bp.get("/flags")
def flags():
    """The live flags as JSON; the teacher page polls it every 2 s."""
    scope, _token = _teacher(request.args.get("t"))
    rows = services.live_flags(scope)
    return _no_store(jsonify({"flags": [
        {"learner": r.learner, "skill": r.skill, "reason": r.reason, "detail": r.detail,
         "seconds_ago": r.seconds_ago} for r in rows]}))


@pass_context
def _panel(ctx):
    """The learner's panel on an activity page, from the page's state alone (no query)."""
    page = ctx.get("page")
    session = ctx.get("session")
    if page is None or session is None or getattr(page, "status", None) != "ready":
        return None
    link = getattr(session, "resource_link", None)
    mode = services.assistant_mode(getattr(link, "settings", None), _settings())
    if mode is Mode.OFF or getattr(page, "module", None) is None:
        return None
    return services.panel_of(page.module, page.state or {}, mode, _settings())


def init_app(app: Flask) -> None:
    """Register the template global the runner's single include line uses."""
    app.jinja_env.globals.setdefault("assistant_panel", _panel)
