"""Instructor dashboard: overview, learner drill-down, CSV exports, model fit.

Pages run in the LMS iframe without cookies: every request carries the signed
launch token (``?t=`` on GET, a hidden ``t`` field on the POST, which is also
the CSRF defence since a forged cross-site form cannot know it). What a request
may read comes from the token's LaunchSession only (``services.scope_for``);
learners get 403 on every URL here.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from adaptive.defaults import MASTERY_THRESHOLD
from lti_tool.assistant import services as assistant_services
from lti_tool.dashboard import charts, export, services
from lti_tool.dashboard.fitting import INLINE_ROW_LIMIT, fit_module
from lti_tool.extensions import cache
from lti_tool.i18n import use_locale
from lti_tool.launch import services as launch_services
from lti_tool.launch import tokens

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

FIT_TASK_KEY = "branchwise_dashboard_fit"
FIT_MESSAGES = {
    "queued": "The fit is queued; reload this page in a minute to see the new parameters.",
    "done": "The fit is done.",
    "nomodule": "Pick a module for this activity first.",
}


KIND_WORDS = {
    "mis_keyed": "The answer key looks wrong",
    "non_discriminating": "An item that does not tell who knows",
    "too_easy": "An item far too easy",
    "too_hard": "An item far too hard",
    "dominant_misconception": "One misconception dominates an item",
    "add_prerequisite": "A missing prerequisite",
    "remove_prerequisite": "A prerequisite the data contradicts",
    "useless_lesson": "A lesson that does not help",
    "too_few_items": "Too few items for the practice cap",
}


def _settings():
    return current_app.config["BRANCHWISE"]


def _open(token: str | None) -> tuple[services.Scope, str]:
    """The caller's scope and a fresh token; 403 for learners (SessionExpired → 4xx page)."""
    session = launch_services.session_from_token(token, _settings())
    # The LMS's language for the teacher, as in the editor. Only some sections are translated
    # (goals, kinds of thinking, learners' questions): the page stays lang="en" and those
    # sections carry lang="<ui_lang>" (WCAG "language of parts").
    use_locale(session.locale)
    try:
        scope = services.scope_for(session)
    except services.NotAllowed as exc:
        abort(403, description=str(exc))
    return scope, tokens.issue(_settings().secret_key, session.id)


def _no_store(response: Response) -> Response:
    # Pages name learners and their answers: never keep them in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _last_fit_key(module_id: str, context_pk: int) -> str:
    return f"dashboard-last-fit:{context_pk}:{module_id}"


@bp.get("")
def index():
    """The overview of the launch's resource link."""
    scope, token = _open(request.args.get("t"))
    d = services.build_dashboard(scope, _settings().http_timeout,
                                 refresh_roster=request.args.get("refresh") == "1",
                                 goal=request.args.get("goal") or None)
    skill_titles = [s.title for s in d.skills]
    heat_rows = []
    for learner, row in zip(d.roster.learners, d.learners, strict=True):
        cells = []
        for s in d.skills:
            st = row.statuses.get(s.skill_id)
            if st is None or st.status in ("not_started", services.NOT_REACHED):
                cells.append(charts.HeatCell(st.status if st else "not_started", None))
            else:
                cells.append(charts.HeatCell(st.status, st.p_mastery))
        heat_rows.append((learner.name, cells))
    # The per-skill totals count a skill never reached as not started; the bars tell them
    # apart (a prerequisite kept these learners out, they did not stay away).
    unreached = {s.skill_id: sum(1 for row in d.learners
                                 if (st := row.statuses.get(s.skill_id)) is not None
                                 and st.status == services.NOT_REACHED) for s in d.skills}
    pictures = {
        "heatmap": charts.heatmap("heat", skill_titles, heat_rows,
                                  title="Mastery by learner and skill"),
        "skills": charts.status_bars(
            "skills", [(s.title, {"mastered": s.mastered, "known": s.known,
                                  "practising": s.practising, "flagged": s.flagged,
                                  "not_reached": unreached[s.skill_id],
                                  "not_started": s.not_started - unreached[s.skill_id]})
                       for s in d.skills],
            title="Learners per state, by skill"),
        "items": charts.percent_bars(
            "items", [(d.item_labels.get(i.item_id, i.item_id), i.p_first_correct,
                       f"{round(100 * (i.p_first_correct or 0))} % "
                       f"({i.first_correct}/{i.first_attempts})") for i in d.items[:10]],
            title="First-attempt success, hardest items first"),
    }
    if d.over_time:
        pictures["over_time"] = charts.percent_bars(
            "time", [(day, share, f"{round(100 * share)} % ({n} active)")
                     for day, share, n in d.over_time[-14:]],
            title="Share of learner × skill mastered, by day", reference=None)
    message = FIT_MESSAGES.get(request.args.get("fit", ""))
    last_fit = cache.get(_last_fit_key(d.module.id, scope.context_pk)) if d.module else None
    return _no_store(Response(render_template(
        "dashboard/index.html", d=d, token=token, pictures=pictures, message=message,
        last_fit=last_fit, learner_rows=list(zip(d.roster.learners, d.learners, strict=True)),
        kind_words=KIND_WORDS, asked=assistant_services.questions_by_skill(scope),
        ui_lang=g.bw_locale,
    )))


@bp.get("/learner")
def learner():
    """One learner's path: every page and answer, time, hints, P(mastery)."""
    scope, token = _open(request.args.get("t"))
    try:
        who = services.find_learner(scope, request.args.get("id", ""), _settings().http_timeout)
    except services.NotFound:
        abort(404, description="No such learner in this activity.")
    detail = services.learner_detail(scope, who)
    titles = {s.id: s.title for s in detail.skills}
    points = [(titles.get(s.skill_id or "", s.skill_id or ""), s.mastery_after, bool(s.correct))
              for s in detail.path if s.kind == "answer" and s.mastery_after is not None]
    threshold = detail.module.settings.mastery_threshold if detail.module else MASTERY_THRESHOLD
    picture = charts.mastery_line("path", points, threshold=threshold,
                                  title=f"P(mastery) after each answer of {who.name}")
    return _no_store(Response(render_template(
        "dashboard/learner.html", detail=detail, token=token, picture=picture, titles=titles,
        ui_lang=g.bw_locale)))


@bp.get("/export/<view>.csv")
def export_csv(view: str):
    """The data behind a view, as CSV."""
    if view not in export.VIEWS:
        abort(404)
    scope, _ = _open(request.args.get("t"))
    if view == "learner":
        try:
            who = services.find_learner(scope, request.args.get("id", ""),
                                        _settings().http_timeout)
        except services.NotFound:
            abort(404, description="No such learner in this activity.")
        text = export.learner_csv(services.learner_detail(scope, who))
    else:
        d = services.build_dashboard(scope, _settings().http_timeout)
        text = {"heatmap": export.heatmap_csv, "skills": export.skills_csv,
                "items": export.items_csv, "misconceptions": export.misconceptions_csv,
                "restructuring": export.restructuring_csv}[view](d)
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="branchwise-{view}.csv"'
    return _no_store(response)


@bp.get("/export/module.<kind>")
def export_module(kind: str):
    """The module with the suggested edits applied (YAML to upload on the authoring page),
    or the unified diff against the module as it is."""
    if kind not in ("yaml", "diff"):
        abort(404)
    scope, _ = _open(request.args.get("t"))
    change = services.module_diff(scope)
    if change is None:
        abort(404, description="No change to the module can be applied automatically.")
    if kind == "yaml":
        response = Response(change.after, mimetype="application/yaml")
        name = change.filename
    else:
        response = Response(change.diff, mimetype="text/x-diff")
        name = change.filename.removesuffix(".yaml") + ".diff"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


@bp.post("/fit")
def fit():
    """Fit BKT and item difficulties for this activity's module (token in the body only)."""
    scope, token = _open(request.form.get("t"))
    if not scope.module_id:
        return redirect(url_for("dashboard.index", t=token, fit="nomodule"), code=303)
    task = current_app.extensions.get(FIT_TASK_KEY)
    if task is not None:
        task(scope.module_id, scope.context_pk)
        state = "queued"
    else:
        run_fit(scope.module_id, scope.context_pk, INLINE_ROW_LIMIT)
        state = "done"
    return redirect(url_for("dashboard.index", t=token, fit=state) + "#model", code=303)


def run_fit(module_id: str, context_pk: int, row_limit: int | None) -> str:
    """Fit one course's data and remember the summary for its dashboard (shared cache, a week)."""
    summary = fit_module(module_id, context_pk, row_limit=row_limit).summary()
    cache.set(_last_fit_key(module_id, context_pk), summary, timeout=7 * 24 * 3600)
    return summary


def init_app(app) -> None:
    """Register the fit job on the app's queue when the job feature is installed."""
    try:
        from lti_tool.jobs import queue
    except ImportError:  # no queue: the POST fits inline with a row limit
        return
    huey = queue.init_app(app)

    @huey.task(name="dashboard_fit_module")
    def fit_module_job(module_id: str, context_pk: int) -> None:
        """Fit in the worker, without the web request's row limit."""
        with app.app_context():
            run_fit(module_id, context_pk, None)

    app.extensions[FIT_TASK_KEY] = fit_module_job
