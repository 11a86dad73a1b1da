"""The tool's own page outside a launch: the root URL (the error pages: ``lti_tool.errors``)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from lti_tool.tool_urls import tool_urls

bp = Blueprint("pages", __name__)


@bp.get("/")
def root():
    """What Branchwise is, for someone who opens the tool's address directly."""
    urls = tool_urls(current_app.config["BRANCHWISE"].base_url)
    return render_template("root.html", urls=urls)


def init_app(app: Flask) -> None:
    """Register the root page."""
    app.register_blueprint(bp)
