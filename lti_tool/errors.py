"""App-wide error handling: one handler, answering a page or JSON by ``Accept``.

Three kinds of failure reach the user, and all go through here:

* a refusal the code raises on purpose, a ``BranchwiseError`` (the one hierarchy, in
  ``lti_tool.protocol.errors`` so the protocol core can raise it without Flask):
  launch errors, ``NotAllowed``, ...; it carries its status, code, title and sentence;
* an HTTP error (``abort(403/404/405)``, an unknown URL, a wrong method) and any
  unhandled exception (500, logged, never shown);
* a lost database connection (503 with ``Retry-After``: nothing half-done remains).

A browser gets the styled page (``templates/errors/``): it fits in the LMS frame and at
320 px and never shows a stack trace. A client that asks only for JSON gets
``{"error": status, "code": ..., "message": ...}``.
"""

from __future__ import annotations

import logging

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from lti_tool.i18n import select_locale, translated
from lti_tool.protocol.errors import BranchwiseError, DatabaseUnavailable

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


def wants_json() -> bool:
    """True when the client accepts JSON and not HTML (an API client, not a browser)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def _finish(response: Response, status: int) -> Response:
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def error_response(status: int, detail: str | None = None) -> Response:
    """The styled page (or JSON) for an HTTP ``status``; ``detail``: our own sentence."""
    title, text = _PAGES.get(status, _PAGES[500])
    if wants_json():
        response = jsonify(error=status, code=f"http_{status}", message=detail or text)
    else:
        response = make_response(render_template(
            "errors/http.html", status=status, title=translated(title),
            text=translated(text), detail=translated(detail) if detail else None,
            page_lang=select_locale()))
    return _finish(response, status)


def error_page(exc: BranchwiseError) -> Response:
    """The page (or JSON) for a refusal: its title, its sentence and its stable code."""
    if wants_json():
        response = jsonify(error=exc.status, code=exc.code, message=exc.detail)
    else:
        response = make_response(render_template(
            "errors/launch.html", error=exc, title=translated(exc.title),
            detail=translated(exc.detail), page_lang=select_locale()))
    return _finish(response, exc.status)


def _handle_domain(exc: BranchwiseError) -> Response:
    current_app.logger.warning(
        "launch refused code=%s status=%s path=%s %s", exc.code, exc.status,
        request.path, exc.log,
    )
    return error_page(exc)


def _handle_database(exc: OperationalError) -> Response:
    # The database (or the connection to it) failed mid-request. Every write is one
    # transaction or one statement, so nothing half-done remains: say so, and that
    # sending the same form again is safe.
    current_app.logger.error("database unavailable path=%s: %s", request.path,
                             str(exc).splitlines()[0])
    response = error_page(DatabaseUnavailable(
        "Nothing was saved by this request, and everything saved before it is kept. "
        "Wait a moment, then go back and send it again."))
    response.headers["Retry-After"] = "30"
    return response


def _handle_http(exc: HTTPException) -> Response | HTTPException:
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


def _handle_500(exc: InternalServerError) -> Response:
    original = getattr(exc, "original_exception", None)
    log.error("unhandled error path=%s: %r", request.path, original or exc)
    return error_response(500)


def init_app(app: Flask) -> None:
    """Register the handlers on the app (a blueprint's own handlers, such as the admin
    console's, still win for its pages)."""
    app.register_error_handler(BranchwiseError, _handle_domain)
    app.register_error_handler(OperationalError, _handle_database)
    for status in (403, 404, 405):
        app.register_error_handler(status, _handle_http)
    app.register_error_handler(InternalServerError, _handle_500)
