"""The tool's own pages outside a launch: the root URL and the HTTP error pages.

Error pages have the look of the launch errors (``templates/errors/``), fit in an LMS
frame and at 320 px, and never show a stack trace; an API client that asks for JSON
gets ``{"error": code, "message": ...}`` instead.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_file,
    url_for,
)
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError

from lti_tool import docs_site
from lti_tool.tool_urls import tool_urls

bp = Blueprint("pages", __name__)
log = logging.getLogger("branchwise.http")

# Title and a sentence a learner, teacher or admin can act on, per status.
_PAGES = {
    403: ("You cannot open this page",
          "This page is for another role (a teacher or an administrator), or your session "
          "does not allow it. Open the activity again from your course."),
    404: ("This page does not exist",
          "The address may be mistyped, or what it named was removed. Open the activity "
          "again from your course."),
    405: ("This page cannot be used this way",
          "The page was sent in a way it does not accept (for example reloaded after a "
          "form). Go back and use the page's own buttons and links."),
    500: ("Something went wrong on our side",
          "Branchwise could not finish this request. What you saved before is kept. Try "
          "again in a moment; if it keeps happening, tell your LMS administrator."),
}


@bp.get("/")
def root():
    """What Branchwise is, for someone who opens the tool's address directly."""
    urls = tool_urls(current_app.config["BRANCHWISE"].base_url)
    docs = {doc.name: doc for doc in docs_site.docs_index()}
    return render_template("root.html", urls=urls, docs=docs)


@bp.get("/docs/")
def docs_index():
    """The list of the docs that came with this installation."""
    return render_template("pages/docs_index.html", docs=docs_site.docs_index())


@bp.get("/docs/img/<filename>")
def doc_image(filename: str):
    """A screenshot or figure that a doc shows."""
    found = docs_site.doc_image(filename)
    if found is None:
        abort(404)
    path, mimetype = found
    response = send_file(path, mimetype=mimetype, max_age=3600)
    # An SVG opened directly must not run script on the tool's origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/docs/<path:name>")
def doc(name: str):
    """One doc rendered from its Markdown (only names listed in ``docs/``)."""
    found = docs_site.find_doc(name)
    if found is None:
        abort(404)
    prefix = url_for("pages.docs_index").rstrip("/")
    body = Markup(docs_site.render_doc(found, prefix))  # sanitised by nh3
    return render_template("pages/doc.html", doc=found, body=body)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def error_response(status: int, detail: str | None = None):
    """The styled error page (or JSON) for ``status``."""
    title, text = _PAGES.get(status, _PAGES[500])
    if _wants_json():
        response = jsonify(error=status, message=detail or text)
    else:
        response = make_response(render_template(
            "errors/http.html", status=status, title=title, text=text, detail=detail))
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _handle(exc: HTTPException):
    status = exc.code or 500
    if status not in _PAGES:
        return exc  # other statuses keep Werkzeug's response
    # Our own ``abort(404, description=...)`` sentences are shown; Werkzeug's defaults
    # are replaced by the page's own text.
    default = type(exc).description
    detail = exc.description if exc.description and exc.description != default else None
    response = error_response(status, detail)
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _handle_500(exc: InternalServerError):
    original = getattr(exc, "original_exception", None)
    log.error("unhandled error path=%s: %r", request.path, original or exc)
    return error_response(500)


def init_app(app: Flask) -> None:
    """Register the root page and the error handlers (after the feature blueprints, whose
    own handlers, such as the admin console's, still win for their pages)."""
    app.register_blueprint(bp)
    for status in (403, 404, 405):
        app.register_error_handler(status, _handle)
    app.register_error_handler(InternalServerError, _handle_500)
