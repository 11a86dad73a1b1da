"""Branchwise LTI 1.3 tool: the Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lti_tool.settings import STATIC_DIR, TEMPLATES_DIR, Settings, load_settings


def create_app(overrides: dict[str, Any] | None = None,
               settings: Settings | None = None) -> Flask:
    """Build the app: settings → extensions → blueprints → error pages → CLI.

    ``overrides`` are Branchwise settings (names from config/defaults.toml), e.g.
    ``{"database_url": "sqlite:///x.db"}``; Flask config keys in capitals
    (``TESTING``) are passed through to ``app.config``.
    """
    overrides = dict(overrides or {})
    flask_config = {k: overrides.pop(k) for k in list(overrides) if k.isupper()}
    settings = settings or load_settings(overrides)

    app = Flask(__name__, instance_path=settings.instance_path,
                template_folder=str(TEMPLATES_DIR), static_folder=str(STATIC_DIR))
    app.config.update(
        BRANCHWISE=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.sqlalchemy_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        MAX_CONTENT_LENGTH=max_request_bytes(settings),
        CACHE_DEFAULT_TIMEOUT=300,
        **_cache_config(settings),
    )
    app.config.update(flask_config)
    # X-Forwarded-* only from as many proxies as the admin says are in front: otherwise any
    # client could pick its own address and walk past rate limits and sign-in throttling.
    if settings.proxy_count > 0:
        hops = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    logging.getLogger("branchwise").setLevel(settings.log_level)

    from lti_tool.extensions import cache, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    cache.init_app(app)
    from lti_tool.ags import delivery

    delivery.init_app(app)  # the job queue and its own jobs (pruning, heartbeat)
    from lti_tool.ags import tasks as ags_tasks

    ags_tasks.init_app(app)  # grade delivery jobs (the jobs package imports no feature)
    from lti_tool.xapi import tasks as xapi_tasks

    xapi_tasks.init_app(app)  # xAPI statement delivery jobs on the same queue
    if settings.is_sqlite:
        _sqlite_pragmas(app)
    else:
        from lti_tool.db.pool import ping_when_idle

        with app.app_context():
            ping_when_idle(db.engine, settings.database_ping_idle_seconds)

    from lti_tool import filters, health, i18n

    i18n.init_app(app)  # Flask-Babel: the interface languages of every page
    filters.init_app(app)  # Markdown + math template filters, used by every feature
    from lti_tool.keys import views as keys_views
    from lti_tool.launch import views as launch_views

    app.register_blueprint(health.bp)
    app.register_blueprint(keys_views.bp)
    app.register_blueprint(launch_views.bp)
    from lti_tool.admin import views as admin_views
    from lti_tool.assistant import views as assistant_views
    from lti_tool.dashboard import views as dashboard_views
    from lti_tool.deep_linking import views as deep_linking_views
    from lti_tool.editor import views as editor_views
    from lti_tool.registration import views as registration_views
    from lti_tool.runner import views as runner_views

    # Each feature's views module exposes ``bp`` and optionally ``init_app(app)``.
    for views in (runner_views, deep_linking_views, dashboard_views, registration_views,
                  admin_views, assistant_views, editor_views):
        app.register_blueprint(views.bp)
        if hasattr(views, "init_app"):
            views.init_app(app)
    from lti_tool import errors, pages

    pages.init_app(app)  # root page
    errors.init_app(app)  # one handler: refusals, HTTP errors, 500, database down

    from lti_tool import security_headers

    security_headers.init_app(app)  # CSP (frame-ancestors per platform), log escaping

    return app


def max_request_bytes(settings: Settings) -> int:
    """The request size limit, derived from the two things a request may carry: an id_token
    and a module (uploaded file and pasted text, plus the form's small fields). One
    number the upload page and the server agree on (``max_module_bytes``)."""
    return max(settings.max_id_token_bytes * 2, 2 * settings.max_module_bytes + 64 * 1024)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "db" / "migrations"


def _engine_options(settings: Settings) -> dict[str, Any]:
    if settings.is_sqlite:
        # Several gunicorn workers share the file: wait for locks instead of failing.
        return {"connect_args": {"timeout": 30}}
    # Checked before use only after sitting idle (``lti_tool.db.pool``), not on every request.
    return {"pool_pre_ping": False}


def _cache_config(settings: Settings) -> dict[str, Any]:
    if settings.redis_url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url,
                "CACHE_KEY_PREFIX": "branchwise:"}
    # A file cache is shared by every worker process on the host (SimpleCache is not).
    from pathlib import Path

    return {"CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(Path(settings.instance_path) / "cache"),
            "CACHE_THRESHOLD": 5000}


def _sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event

    from lti_tool.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised implicitly
        cursor = dbapi_connection.cursor()
        # WAL lets readers proceed while a worker writes; foreign keys are off by default.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
