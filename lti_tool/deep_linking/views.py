"""Deep-linking pages: the module picker, a learner's-eye preview, the signed response,
and a teacher's own module upload. Thin: read the launch token, call services, render.

CSRF: the tool runs in a cross-site iframe where cookies may be blocked, so there is no
cookie session to ride on. Every form carries the signed launch token in a hidden field
``t`` and every POST requires it; a forged cross-site POST cannot know it (it is never in
a cookie, and ``Referrer-Policy: no-referrer`` keeps URLs carrying it out of Referer
headers), so the token in the body is the CSRF defence.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from lti_tool.deep_linking import authoring, services
from lti_tool.i18n import use_locale
from lti_tool.launch import services as launches
from lti_tool.launch import tokens
from lti_tool.link_settings import (
    MAX_SCORE_MAX,
    PRACTICE_CAP_MAX,
    PRACTICE_CAP_MIN,
    THRESHOLD_MAX,
    THRESHOLD_MIN,
)
from lti_tool.models import LaunchSession
from lti_tool.modules import library
from lti_tool.tool_urls import tool_urls

bp = Blueprint("deep_linking", __name__, url_prefix="/lti/deep-link")


def _settings():
    return current_app.config["BRANCHWISE"]


def _session(token: str | None) -> tuple[LaunchSession, services.DeepLinkRequest, str]:
    """The launch behind the token, checked for an instructor's deep-linking request,
    and a fresh token for the next page (sliding expiry)."""
    session = launches.session_from_token(token, _settings())
    # The LMS's language for the teacher, as in the runner and the dashboard; set before the
    # role check, so a learner who reaches the picker is refused in their language too.
    use_locale(session.locale)
    dl_request = services.require_picker(session)
    return session, dl_request, tokens.issue(_settings().secret_key, session.id)


def _page_lang() -> str:
    """The ``lang`` of the page (base.html's ``page_lang``): the launch's language."""
    return g.get("bw_locale") or "en"


def _no_store(body: str, status: int = 200) -> Response:
    response = make_response(body, status)
    # Pages carry launch tokens and signed responses: keep them out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def render_markdown(text: str, inline: bool = False) -> Markup:
    """Markdown and math via the runner's renderer (sanitised), else escaped paragraphs."""
    try:
        from lti_tool import filters as render
    except ImportError:
        render = None  # type: ignore[assignment]
    if render is not None:
        return render.render_inline(text) if inline else render.render_markdown(text)
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>" for p in paragraphs))


def _values_for(modules: list[library.ModuleSummary], form: Any) -> dict[str, dict[str, Any]]:
    """Field values per module: what the teacher sent, else the module's defaults."""
    values: dict[str, dict[str, Any]] = {}
    for summary in modules:
        prefix = f"s.{summary.id}."
        if form is not None and any(k.startswith(prefix) for k in form):
            values[summary.id] = {
                "mastery_threshold": form.get(prefix + "mastery_threshold", ""),
                "practice_cap": form.get(prefix + "practice_cap", ""),
                "max_score": form.get(prefix + "max_score", ""),
                "graded_skills": form.getlist(prefix + "graded_skills"),
                "assistant": form.get(prefix + "assistant", ""),
                "goal": form.get(prefix + "goal", ""),
                "goal_choice": form.get(prefix + "goal_choice", "off"),
                "goals": form.getlist(prefix + "goals"),
            }
            continue
        defaults = services.default_settings(library.get_module(summary.id))
        values[summary.id] = {
            "mastery_threshold": f"{defaults.mastery_threshold:g}",
            "practice_cap": str(defaults.practice_cap),
            "max_score": f"{defaults.max_score:g}",
            "graded_skills": list(defaults.graded_skills),
            "assistant": defaults.assistant,
            "goal": "", "goal_choice": "off", "goals": [],
        }
    return values


def _picker_page(session: LaunchSession, dl_request: services.DeepLinkRequest, token: str,
                 *, form: Any = None, chosen: list[str] | None = None,
                 problems: dict[str, list[str]] | None = None, status: int = 200,
                 notice: str | None = None) -> Response:
    modules = services.library_modules(session.locale)
    body = render_template(
        "deep_linking/picker.html", session=session, dl=dl_request, token=token,
        page_lang=_page_lang(),
        modules=modules, values=_values_for(modules, form), chosen=set(chosen or []),
        problems=problems or {}, notice=notice,
        limits={"threshold_min": THRESHOLD_MIN, "threshold_max": THRESHOLD_MAX,
                "cap_min": PRACTICE_CAP_MIN, "cap_max": PRACTICE_CAP_MAX,
                "score_max": MAX_SCORE_MAX},
    )
    return _no_store(body, status)


@bp.get("/picker")
def picker() -> Response:
    """The module library with settings; the landing page of a deep-linking launch."""
    session, dl_request, token = _session(request.args.get("t"))
    # Only a module id travels in the URL, so the notice text cannot be spoofed by a link.
    saved = authoring.saved_title(request.args.get("saved", ""))
    notice = (gettext("Saved module '%(title)s'. It is now in the library.", title=saved)
              if saved else None)
    return _picker_page(session, dl_request, token, notice=notice)


@bp.get("/preview/<module_id>")
def preview(module_id: str) -> Response:
    """The module as a learner would meet it (read-only; nothing is recorded)."""
    session, _, token = _session(request.args.get("t"))
    try:
        module = services.preview(module_id, locale=session.locale)
    except library.UnknownModule:
        abort(404)
    return _no_store(render_template("deep_linking/preview.html", module=module, token=token,
                                     md=render_markdown, page_lang=_page_lang()))


@bp.post("/respond")
def respond() -> Response:
    """Validate the teacher's choice and hand the signed response to the browser,
    which posts it to the LMS (auto-submit, with a button when scripts are off)."""
    session, dl_request, token = _session(request.form.get("t"))
    if request.form.get("action") == "cancel":
        picks: list[services.Pick] = []
    else:
        chosen = [m for m in request.form.getlist("module") if m]
        problems: dict[str, list[str]] = {}
        picks = []
        if not chosen:
            problems[""] = [gettext("Choose a module first.")]
        elif len(chosen) > 1 and not dl_request.accept_multiple:
            problems[""] = [gettext("This LMS accepts one activity at a time here: choose one "
                                    "module.")]
        for module_id in chosen:
            fields = {
                "mastery_threshold": request.form.get(f"s.{module_id}.mastery_threshold", ""),
                "practice_cap": request.form.get(f"s.{module_id}.practice_cap", ""),
                "max_score": request.form.get(f"s.{module_id}.max_score", ""),
                "graded_skills": request.form.getlist(f"s.{module_id}.graded_skills"),
                "assistant": request.form.get(f"s.{module_id}.assistant", ""),
                "goal": request.form.get(f"s.{module_id}.goal", ""),
                "goal_choice": request.form.get(f"s.{module_id}.goal_choice", "off"),
                "goals": request.form.getlist(f"s.{module_id}.goals"),
            }
            pick, errors = services.pick_for(module_id, fields)
            if pick is None:
                problems[module_id] = errors
            else:
                picks.append(pick)
        if problems:
            return _picker_page(session, dl_request, token, form=request.form, chosen=chosen,
                                problems=problems, status=400)
    launch_url = str(tool_urls(_settings().base_url)["launch_url"])
    response = services.respond(dl_request, picks, launch_url)
    current_app.logger.info("deep link response items=%d user=%s platform=%s",
                            response.count, session.user_pk, session.platform_id)
    return _no_store(render_template("deep_linking/response.html", response=response,
                                     picks=picks, page_lang=_page_lang()))


@bp.errorhandler(413)
def too_large(_exc) -> Response:
    """A request over the server's limit (``lti_tool.max_request_bytes``) never reaches the
    form, so the page cannot be shown again; say what the limit is, as the form does."""
    from lti_tool.protocol.errors import LaunchError

    limit_kb = _settings().max_module_bytes // 1024
    error = LaunchError(f"The module is larger than {limit_kb} KB, the most this server "
                        "accepts. Go back and choose a smaller file, or paste a shorter module.",
                        code="too_large",
                        status=413)
    error.title = "This upload is too large"
    from lti_tool.errors import error_page

    return error_page(error)  # the one renderer of refusals (language, no-store, JSON)


@bp.route("/author", methods=["GET", "POST"])
def author() -> BaseResponse:
    """Upload or paste a module (YAML); every problem is listed with its line number."""
    # Question-bank exports (zip with media) are larger than the app-wide request limit.
    request.max_content_length = authoring.IMPORT_MAX_BYTES + 64 * 1024
    token_in = request.form.get("t") if request.method == "POST" else request.args.get("t")
    session, _, token = _session(token_in)
    text = ""
    problems: list = []
    error: str | None = None
    limit = _settings().max_module_bytes  # the same number the page states
    imported = request.files.get("import_file") if request.method == "POST" else None
    if imported is not None and imported.filename:
        draft = authoring.import_draft(imported.read(authoring.IMPORT_MAX_BYTES + 1),
                                       imported.filename)
        body = render_template("deep_linking/author.html", token=token, source=draft.text,
                               problems=draft.problems, error=draft.error, imported=draft,
                               max_kb=limit // 1024)
        return _no_store(body, 400 if draft.error else 200)
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            try:
                text = upload.read(limit + 1).decode("utf-8")
            except UnicodeDecodeError:
                error = "The file is not UTF-8 text."
            finally:
                upload.close()  # a large upload is spooled to a temporary file
        else:
            text = request.form.get("source", "")
        if error is None:
            result = authoring.save_module(text, owner_user_pk=session.user_pk,
                                           max_bytes=limit,
                                           filename=(upload.filename if upload is not None
                                                     and upload.filename else "module.yaml"))
            if result.saved is not None:
                return redirect(url_for("deep_linking.picker", t=token,
                                        saved=result.saved.module_id), code=303)
            problems, error = result.problems, result.error
    body = render_template("deep_linking/author.html", token=token, source=text,
                           problems=problems, error=error, max_kb=limit // 1024)
    return _no_store(body, 400 if request.method == "POST" else 200)
