"""The browser module editor: thin views over ``fields`` (forms ↔ module) and ``services``.

Every page works without scripts (plain forms posting to the server, which stays the
source of truth); ``static/js/editor.js`` adds checking while typing and a live preview
through the ``validate`` and ``render`` endpoints. As on the deep-linking pages, the
signed launch token travels in a hidden field ``t`` and is the CSRF defence.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from adaptive.grading import evaluate_answer
from adaptive.modules.figures import MAX_FIGURE_BYTES, PNG_SIGNATURE, figure_problems
from adaptive.modules.loader import parse_module
from adaptive.modules.translations import languages
from lti_tool.deep_linking.services import PICKER_ROLES, NotAllowed
from lti_tool.editor import fields, graph, services, suggest
from lti_tool.editor import learner_run as runs
from lti_tool.editor import translations_form as tr_form
from lti_tool.extensions import db
from lti_tool.filters import FigureLinks, render_markdown
from lti_tool.i18n import use_locale
from lti_tool.launch import services as launches
from lti_tool.launch import tokens
from lti_tool.models import LaunchSession, ModuleDraft
from lti_tool.modules import library
from lti_tool.protocol import claims
from lti_tool.runner import answers, figures

bp = Blueprint("editor", __name__, url_prefix="/lti/editor")


# The editor's form names every field of the module (a sample has 2,000 to 3,000, more
# with translations) and posts as multipart (for figure uploads); Werkzeug refuses more than
# MAX_FORM_PARTS (1,000) with a 413, so a sample could not be saved from a browser. The
# request's size stays bounded by MAX_CONTENT_LENGTH (from max_module_bytes).
FORM_PARTS = 50_000


@bp.before_request
def _many_fields() -> None:
    request.max_form_parts = FORM_PARTS


def _settings():
    return current_app.config["BRANCHWISE"]


def _open(token: str | None) -> tuple[LaunchSession, str]:
    """The teacher's launch and a fresh token; learners get the 403 page."""
    session = launches.session_from_token(token, _settings())
    use_locale(session.locale)  # the LMS's language for the teacher, too
    if session.role not in PICKER_ROLES:
        raise NotAllowed(_("The module editor is for instructors."),
                         log=f"role={session.role} user={session.user_pk}")
    return session, tokens.issue(_settings().secret_key, session.id)


def _token_in() -> str | None:
    return request.form.get("t") if request.method == "POST" else request.args.get("t")


def _no_store(body: str | Response, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"  # pages carry launch tokens
    return response


def _draft(session: LaunchSession, draft_id: int):
    try:
        return services.get_draft(session, draft_id)
    except services.NoSuchDraft:
        abort(404)


def _figure_key(draft_id: int, figure: dict[str, Any]) -> str:
    """A keyed hash of the draft, the figure and its content (as the runner's figure URLs):
    the URL cannot be guessed without the page, and new content gets a new URL."""
    content = str(figure.get("svg") or figure.get("png") or "")
    message = f"draft {draft_id}\n{figure.get('id')}\n{content}".encode()
    return hmac.new(_settings().secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def _figure_links(draft_id: int, data: dict[str, Any]) -> FigureLinks:
    """Where the draft's figures are served, so the preview shows them before publishing."""
    links = []
    for figure in data.get("figures") or []:
        if isinstance(figure, dict) and figure.get("id") and (figure.get("svg")
                                                              or figure.get("png")):
            url = url_for("editor.figure", draft_id=draft_id, figure_id=str(figure["id"]),
                          k=_figure_key(draft_id, figure))
            links.append((str(figure["id"]), url, str(figure.get("alt", ""))))
    return FigureLinks(tuple(links))


@bp.get("/<int:draft_id>/figures/<figure_id>")
def figure(draft_id: int, figure_id: str) -> Response:
    """A draft's figure (the key in the URL is the permission, as for published figures)."""
    draft = db.session.get(ModuleDraft, draft_id)
    found = next((f for f in (draft.data.get("figures") or []) if isinstance(f, dict)
                  and str(f.get("id")) == figure_id), None) if draft is not None else None
    if found is None or not hmac.compare_digest(request.args.get("k", ""),
                                                _figure_key(draft_id, found)):
        abort(404)
    if found.get("svg"):
        resp = Response(str(found["svg"]).encode(), mimetype="image/svg+xml")
    else:
        try:
            resp = Response(base64.b64decode(str(found.get("png", ""))), mimetype="image/png")
        except ValueError:
            abort(404)
    resp.headers["Content-Security-Policy"] = figures.CSP
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp


def _editor_page(session: LaunchSession, token: str, draft, data: dict[str, Any], *,
                 notes: list[str] | None = None, status: int = 200,
                 published: services.Published | None = None) -> Response:
    problems = fields.check(data)
    links = _figure_links(draft.id, data)
    body = render_template(
        "editor/edit.html", token=token, draft=draft, data=data, notes=notes or [],
        problems=problems, by_field=fields.assign_problems(problems, data),
        errors=sum(1 for p in problems if p.is_error), graph=graph.layout(data),
        item_types=fields.ITEM_TYPES, kinds=fields.KINDS, choice_types=fields.CHOICE_TYPES,
        match_keys=fields.MATCH_KEYS, dom_id=fields.dom_id, plain=fields.plain_message,
        variant_rows=fields.variant_rows, extra=fields.extra_json(data),
        figure_links=links, published=published,
        deep_linking=session.message_type == claims.DEEP_LINKING_REQUEST,
        suggestions=suggest.suggest_skills(data), at=request.args.get("at", ""),
        translation_forms=tr_form.language_forms(data), tr_field=tr_form.field_name,
        tr_languages=[(code, _language_name(code)) for code in tr_form.supported_languages()],
        language_name=_language_name)
    return _no_store(body, status)


def _language_name(code: str) -> str:
    """A language's name in itself ("español"), as language menus usually show it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name() or code
    except (ValueError, UnknownLocaleError):
        return code


def _posted_module(draft) -> tuple[dict[str, Any], list[str]]:
    """The posted form as the module: the other forms', then the translations form's edits."""
    data, notes = fields.refuse_cycles(fields.form_to_module(request.form), draft.data)
    return tr_form.apply_form(data, request.form), notes


@bp.get("/")
def index() -> Response:
    """This course's drafts, the teacher's own modules, and a new module."""
    session, token = _open(request.args.get("t"))
    return _no_store(render_template(
        "editor/index.html", token=token, drafts=services.drafts_for(session),
        own=services.own_modules(session),
        deep_linking=session.message_type == claims.DEEP_LINKING_REQUEST))


@bp.post("/new")
def new() -> BaseResponse:
    session, token = _open(request.form.get("t"))
    draft = services.create_draft(session, fields.blank_module())
    return redirect(url_for("editor.edit", draft_id=draft.id, t=token), code=303)


@bp.post("/open")
def open_module() -> BaseResponse:
    """A draft of a module: one of the teacher's own (by id), or module text (an import)."""
    session, token = _open(request.form.get("t"))
    at = request.form.get("at", "")
    if request.form.get("source"):
        draft, problems = services.draft_from_text(session, request.form["source"])
        if draft is None:
            return _no_store(render_template("editor/index.html", token=token,
                                             drafts=services.drafts_for(session),
                                             own=services.own_modules(session),
                                             read_problems=problems), 400)
    else:
        draft = services.draft_from_module(session, request.form.get("module", ""))
        if draft is None:
            abort(404)
    return redirect(url_for("editor.edit", draft_id=draft.id, t=token, at=at or None)
                    + (f"#{fields.dom_id(at)}" if at else ""), code=303)


@bp.post("/from-dashboard")
def from_dashboard() -> BaseResponse:
    """A restructuring suggestion, opened at the place to change: a draft of the activity's
    module with the suggested edits applied (as the dashboard's YAML download has them;
    a sample becomes "<id>-revised"), shown at the suggestion's item, skill or page."""
    from lti_tool.dashboard import services as dashboard

    session, token = _open(request.form.get("t"))
    try:
        scope = dashboard.scope_for(session)
    except dashboard.NotAllowed:
        abort(403)
    change = dashboard.module_diff(scope)
    if change is not None:
        text = change.after
    else:
        base, _version = library.split_ref(scope.module_id or "")
        try:
            text, _source = library.module_source(base)
        except library.UnknownModule:
            abort(404)
    draft, _problems = services.draft_from_text(session, text)
    if draft is None:
        abort(404)
    at = fields.path_for_target(draft.data, request.form.get("target", ""))
    return redirect(url_for("editor.edit", draft_id=draft.id, t=token, at=at or None)
                    + (f"#{fields.dom_id(at)}" if at else ""), code=303)


@bp.get("/<int:draft_id>")
def edit(draft_id: int) -> Response:
    session, token = _open(request.args.get("t"))
    draft = _draft(session, draft_id)
    return _editor_page(session, token, draft, draft.data)


@bp.post("/<int:draft_id>")
def save(draft_id: int) -> BaseResponse:
    """Save the form (errors and all); then add, remove or publish as the button says."""
    session, token = _open(request.form.get("t"))
    draft = _draft(session, draft_id)
    data, notes = _posted_module(draft)
    data = _with_figure(data, notes)
    action = request.form.get("action", "save")
    at = ""
    focus = ""
    if action.startswith(("add:", "remove:", "move:")):
        data, at = fields.apply_action(data, action)
        if action.startswith("move:"):  # keep the focus on the button, for the next move
            focus = fields.move_button(data, at, action.rpartition(":")[2])
    elif action.startswith("suggest:"):  # take the suggested skill(s) of untagged questions
        which = action.removeprefix("suggest:")
        only = int(which) if which.isdigit() else None
        data = suggest.accept(data, suggest.suggest_skills(data), only)
        at = f"items[{only}]" if only is not None else "items"
    elif action == "add-language":
        language = request.form.get("_language", "")
        data, why = tr_form.add_language(data, language)
        if why is not None:
            notes.append(_("This editor translates modules into: %(list)s.",
                           list=", ".join(tr_form.supported_languages())) if why == "unsupported"
                         else _("That is the module's own language."))
        else:
            at = f"translations.{language}"
    elif action.startswith("remove-language:"):
        data = tr_form.remove_language(data, action.removeprefix("remove-language:"))
        at = "translations"
    services.save_draft(draft, data)
    if action == "publish":
        published = services.publish(session, draft, _settings().max_module_bytes)
        return _editor_page(session, token, draft, data, notes=notes, published=published,
                            status=200 if published.version else 400)
    if notes:
        return _editor_page(session, token, draft, data, notes=notes, status=400)
    anchor = f"#{focus}" if focus else f"#{fields.dom_id(at)}" if at else ""
    return redirect(url_for("editor.edit", draft_id=draft.id, t=token) + anchor, code=303)


def _with_figure(data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """An uploaded figure (SVG or PNG) joins the module's figures; its alt text is required."""
    upload = request.files.get("figure_file")
    if upload is None or not upload.filename:
        return data
    raw = upload.read(MAX_FIGURE_BYTES + 1)
    alt = request.form.get("figure_alt", "").strip()
    figure_id = request.form.get("figure_id", "").strip()
    if len(raw) > MAX_FIGURE_BYTES:
        notes.append(_("The figure is larger than 256 KB."))
        return data
    if not alt:
        notes.append(_("Describe the figure in its alt text: a screen reader says it instead."))
        return data
    if not figure_id:
        notes.append(_("Give the figure an id, to show it in a text with ![alt](figure:ID)."))
        return data
    figure: dict[str, Any] = {"id": figure_id, "alt": alt}
    if raw.startswith(PNG_SIGNATURE):
        figure["png"] = base64.b64encode(raw).decode()
        media_type = "image/png"
    else:
        figure["svg"] = raw.decode("utf-8", "replace")
        media_type = "image/svg+xml"
    # The module validator's own figure checks (no script, handler, external reference
    # or entity): a refused upload never enters the draft; the rest of the form is saved.
    problems = figure_problems(media_type, figure.get("svg") or figure["png"])
    if problems:
        notes.append(_("The figure was not added (only SVG and PNG figures can be): %(why)s.",
                       why="; ".join(problems)))
        return data
    data = dict(data)
    data["figures"] = [*(data.get("figures") or []), figure]
    return data


@bp.route("/<int:draft_id>/yaml", methods=["GET", "POST"])
def yaml_view(draft_id: int) -> BaseResponse:
    """The expert view: the same module as YAML; saving it replaces the draft."""
    session, token = _open(_token_in())
    draft = _draft(session, draft_id)
    text = fields.module_yaml(draft.data)
    problems: list[Any] = []
    if request.method == "POST":
        text = request.form.get("source", "")
        data, problems = fields.yaml_to_module(text)
        if data is not None and not problems:
            data, notes = fields.refuse_cycles(data, draft.data)
            services.save_draft(draft, data)
            if not notes:
                return redirect(url_for("editor.edit", draft_id=draft.id, t=token), code=303)
            return _editor_page(session, token, draft, data, notes=notes, status=400)
    return _no_store(render_template("editor/yaml.html", token=token, draft=draft, text=text,
                                     problems=problems),
                     400 if problems else 200)


@bp.post("/<int:draft_id>/validate")
def validate(draft_id: int) -> Response:
    """Checking while typing: the form as it stands → problems by field (nothing saved)."""
    session, _token = _open(request.form.get("t"))
    draft = _draft(session, draft_id)
    data, notes = _posted_module(draft)
    problems = fields.check(data)
    by_field = fields.assign_problems(problems, data)
    return _no_store(jsonify(
        errors=sum(1 for p in problems if p.is_error),
        warnings=sum(1 for p in problems if not p.is_error),
        notes=notes,
        problems=[{"field": fields.dom_id(path), "path": p.path, "severity": p.severity,
                   "message": fields.plain_message(p)}
                  for path, group in by_field.items() for p in group]))


@bp.post("/render")
def render_preview() -> Response:
    """The live preview: Markdown and math through the runner's own renderer."""
    _open(request.form.get("t"))
    text = request.form.get("text", "")[:200_000]
    return _no_store(jsonify(html=str(render_markdown(text, cached=False))))


@bp.route("/<int:draft_id>/preview/<kind>/<target>", methods=["GET", "POST"])
def preview(draft_id: int, kind: str, target: str) -> Response:
    """A skill's lesson, a page or an item as a learner meets it; answers are graded here
    and shown with their feedback and destination, and nothing is recorded anywhere."""
    session, token = _open(_token_in())
    draft = _draft(session, draft_id)
    module, problems = parse_module(fields.module_yaml(draft.data), "module.yaml")
    if module is None:
        return _no_store(render_template("editor/preview.html", token=token, draft=draft,
                                         module=None, problems=problems), 400)
    links = _figure_links(draft.id, draft.data)
    page = item = None
    result = None
    if kind == "page":
        page = next((p for p in module.pages if p.id == target), None)
    elif kind == "skill":
        skill = next((s for s in module.skills if s.id == target), None)
        if skill is not None and skill.lesson:
            page = next((p for p in module.pages if p.id == skill.lesson), None)
        item = next((i for i in module.items if i.skills and i.skills[0] == target
                     and i.diagnostic), None) or next(
            (i for i in module.items if i.skills and i.skills[0] == target), None)
    elif kind == "item":
        item = next((i for i in module.items if i.id == target), None)
    if page is None and item is None:
        abort(404)
    draft_answer: dict[str, Any] = {}
    error = None
    if item is not None and request.method == "POST":
        # The runner's own reading of the answer controls (the same macro draws them).
        form = request.form.to_dict(flat=False)
        draft_answer = answers.draft_of(item, form)
        try:
            result = evaluate_answer(item, answers.parse_answer(item, form))
        except answers.AnswerFormError as exc:
            error = str(exc)
    return _no_store(render_template(
        "editor/preview.html", token=token, draft=draft, module=module, page=page, item=item,
        result=result, answer=draft_answer, error=error, kind=kind, target=target,
        figure_links=links))


@bp.route("/<int:draft_id>/run", methods=["GET", "POST"])
def learner_run(draft_id: int) -> Response:
    """The full preview as a learner: the real engine over the draft (or one skill of it),
    the run's state in a signed token in the page; nothing is recorded anywhere."""
    session, token = _open(_token_in())
    draft = _draft(session, draft_id)
    text = fields.module_yaml(draft.data)
    module, problems = parse_module(text, "module.yaml")
    if module is None:
        return _no_store(render_template("editor/preview.html", token=token, draft=draft,
                                         module=None, problems=problems), 400)
    version, secret = library.content_version(text), _settings().secret_key
    notes: list[str] = []
    run = None
    if request.method == "POST" and request.form.get("action") != "restart":
        run = runs.read_token(secret, request.form.get("run", ""), draft.id, version, module)
        if run is None:
            notes.append(_("The draft has changed since this run began: it starts again."))
        elif request.form.get("action") == "continue":
            run = runs.continue_page(run, request.form.get("page", ""))
        else:
            run = runs.submit_answer(run, request.form.to_dict(flat=False))
    if run is None:
        run = runs.start_run(module, request.values.get("skill") or None,
                             request.values.get("language") or None)
    try:
        run_token = runs.token_for(secret, draft.id, version, run)
    except runs.RunTooLong:
        notes.append(_("This run has grown too long to carry on: it starts again."))
        run = runs.start_run(module, run.skill, run.language)
        run_token = runs.token_for(secret, draft.id, version, run)
    return _no_store(render_template(
        "editor/run.html", token=token, draft=draft, run=run, run_token=run_token,
        notes=notes, figure_links=_figure_links(draft.id, draft.data),
        languages=[(code, _language_name(code)) for code in languages(module)]))


@bp.context_processor
def _page_lang() -> dict[str, str]:
    return {"page_lang": g.get("bw_locale") or "en"}
