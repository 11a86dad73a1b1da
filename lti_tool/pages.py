"""The tool's own page outside a launch: the root URL (the error pages: ``lti_tool.errors``)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, render_template, send_file, url_for
from markupsafe import Markup

from lti_tool import docs_site
from lti_tool.tool_urls import tool_urls

bp = Blueprint("pages", __name__)


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


def init_app(app: Flask) -> None:
    """Register the root page."""
    app.register_blueprint(bp)
