"""Flask application factory of the demo LMS."""

from __future__ import annotations

from pathlib import Path

import flask

from . import api, views
from .config import PlatformSettings
from .keys import PlatformKeys
from .platform import DemoPlatform
from .registration import add_registration_routes

_last_platform: DemoPlatform | None = None


def create_platform_app(
    settings: PlatformSettings, *, keys: PlatformKeys | None = None
) -> flask.Flask:
    """Build the demo LMS app; its ``DemoPlatform`` is in ``app.extensions["demo_platform"]``."""
    global _last_platform
    app = flask.Flask(
        "lti_tool.demo_platform",
        template_folder=str(Path(__file__).parent / "templates"),
        static_folder=None,
    )
    # No session cookie: tool and platform share the host 127.0.0.1, and cookies ignore ports.
    app.config["SESSION_COOKIE_NAME"] = "demo_lms_session"
    demo = DemoPlatform(settings, keys)
    app.extensions["demo_platform"] = demo
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    add_registration_routes(app)
    _last_platform = demo
    return app


def get_platform(app: flask.Flask | None = None) -> DemoPlatform:
    """The ``DemoPlatform`` of ``app``, or of the most recently created platform app."""
    if app is not None:
        return app.extensions["demo_platform"]
    if _last_platform is None:
        raise RuntimeError("no demo platform app has been created")
    return _last_platform
