"""The ``runner`` blueprint: thin views over ``lti_tool.runner.services``.

Every page carries the launch token (hidden ``t`` on forms, ``?t=`` on links)
instead of a session cookie, because the tool's cookies are third-party inside
the LMS iframe. Pages work without JavaScript; ``static/js/runner.js`` only
resizes the LMS frame, moves focus to the feedback and guards against double
submits (the server guards too).
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_translations

from adaptive.modules.translations import fallback_texts
from lti_tool.i18n import locale_for, page_gettext
from lti_tool.launch import first_page, tokens
from lti_tool.launch.record import RecordedLaunch
from lti_tool.runner import figures, services
from lti_tool.runner.launches import RunnerLaunch, from_recorded, load_launch
from lti_tool.runner.step_write import StepWriter

bp = Blueprint("runner", __name__)

def init_app(app: Flask) -> None:
    """The learner's first page after a launch (``launch.first_page``)."""
    first_page.register("learner", _first_page)


@bp.before_request
def _start_timer() -> None:
    g.bw_t0 = time.perf_counter()


@bp.after_request
def _headers(response):
    # Pages hold a launch token and personal progress: never cache them. (A figure is
    # the same for everyone and its URL changes with its content.)
    if request.endpoint != "runner.figure":
        response.headers["Cache-Control"] = "no-store"
    t0 = g.get("bw_t0")
    if t0 is not None:  # server time of the step, read by bench/answer_step.py
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.2f}"
    return response


def _settings():
    return current_app.config["BRANCHWISE"]


def _session(token: str | None) -> RunnerLaunch:
    """The launch of this page's token."""
    session = load_launch(token, _settings())
    g.bw_locale = locale_for(session.locale)
    return session


def _form() -> dict[str, list[str]]:
    return request.form.to_dict(flat=False)


def _seq() -> int:
    try:
        return int(request.form.get("seq", "-1"))
    except ValueError:
        return -1


def _render(template: str, session: RunnerLaunch, page: services.ActivityPage,
            status: int = 200, canonical_url: str | None = None, token: str | None = None):
    # A fresh token per page (sliding expiry); the first page has the one its launch
    # has just minted (signing the same launch twice in a request buys nothing).
    if token is None:
        token = tokens.issue(_settings().secret_key, session.id)
    dashboard_url = (url_for("dashboard.index", t=token)
                     if "dashboard.index" in current_app.view_functions
                     and session.role != "learner" else None)
    gettext = page_gettext(get_translations())
    body = render_template(
        template, page=page, session=session, token=token, page_lang=g.bw_locale,
        return_url=session.return_url, dashboard_url=dashboard_url, _=gettext, gettext=gettext,
        figure_links=figures.links_for(page.module, _settings().secret_key),
        content_lang=page.module.language if page.module is not None else None,
        fallback_texts=fallback_texts(page.module) if page.module is not None else None,
        canonical_url=canonical_url,
    )
    return make_response(body, status)


def _first_page(token: str, launch: RecordedLaunch):
    """The activity, answered straight from the launch POST (``launch.first_page``).

    The page tells the browser its own URL (``canonical_url``, read by
    ``static/js/canonical_url.js``), so a reload asks for the page, not for the
    id_token POST again (which the nonce check would refuse).
    """
    session = from_recorded(launch)
    g.bw_locale = locale_for(session.locale)
    return _render("runner/activity.html", session, services.load_activity(session),
                   canonical_url=url_for("runner.activity", t=token), token=token)


def _step_response(session: RunnerLaunch, page: services.ActivityPage):
    # A form that answered a step which has moved on (another tab) gets 409 Conflict.
    status = 409 if page.notice == services.STALE else 200
    return _render("runner/activity.html", session, page, status)


@bp.get("/activity")
def activity():
    """The current step of the learner's attempt (resumes where they left off)."""
    session = _session(request.args.get("t"))
    page = services.load_activity(session)
    # A launch naming a goal the module lacks: nothing was created; 400 says the request
    # (the link's custom parameter) is at fault.
    return _render("runner/activity.html", session, page,
                   400 if page.status == "unknown_goal" else 200)


@bp.post("/activity/goal")
def goal():
    """The learner chose their goal (when the teacher lets them): the first step follows."""
    session = _session(request.form.get("t"))
    page = services.choose_goal(session, request.form.get("goal", ""))
    return _render("runner/activity.html", session, page,
                   400 if page.status == "choose_goal" and page.error else 200)


@bp.post("/activity/answer")
def answer():
    """Grade an answer and show its feedback above the next step."""
    writer = StepWriter.begin()  # before the launch is read (see ``step_write``)
    session = _session(request.form.get("t"))
    page = services.answer_item(session, _seq(), request.form.get("item", ""), _form(),
                                writer=writer)
    return _step_response(session, page)


@bp.post("/activity/page")
def page_seen():
    """The learner read the current page and continues."""
    writer = StepWriter.begin()  # before the launch is read (see ``step_write``)
    session = _session(request.form.get("t"))
    page = services.mark_page_seen(session, _seq(), request.form.get("page", ""), writer=writer)
    return _step_response(session, page)


@bp.post("/activity/hint")
def hint():
    """Reveal the next hint (keeps what the learner had entered)."""
    writer = StepWriter.begin()  # before the launch is read (see ``step_write``)
    session = _session(request.form.get("t"))
    page = services.request_hint(session, _seq(), request.form.get("item", ""), _form(),
                                 writer=writer)
    return _step_response(session, page)


@bp.post("/activity/preview/restart")
def restart_preview():
    """A teacher's preview from the start again (learners' attempts are never touched)."""
    session = _session(request.form.get("t"))
    services.restart_preview(session)
    token = tokens.issue(_settings().secret_key, session.id)
    return redirect(url_for("runner.activity", t=token), code=303)


@bp.get("/modules/<module_id>/figures/<figure_id>")
def figure(module_id: str, figure_id: str):
    """A module's figure, as an image only (see ``runner.figures``)."""
    return figures.response(module_id, figure_id, request.args.get("k", ""),
                            _settings().secret_key)


@bp.get("/activity/progress")
def progress():
    """Per-skill progress: mastered, practising, not started, known, flagged."""
    session = _session(request.args.get("t"))
    return _render("runner/progress.html", session, services.load_activity(session))
