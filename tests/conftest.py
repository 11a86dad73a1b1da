"""Shared fixtures: a migrated database per test session, a clean one per test.

The database is SQLite in a temporary folder unless BRANCHWISE_TEST_DATABASE_URL
names another server (``.ci/run`` runs the suite again against PostgreSQL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from lti_tool import create_app
from lti_tool.db import upgrade_database
from lti_tool.extensions import db

pytest_plugins = ["tests.support.browser"]

TEST_DB_URL = os.environ.get("BRANCHWISE_TEST_DATABASE_URL", "")
# Every LMS in the suite runs on 127.0.0.1, which the outbound guard refuses by default;
# set in the environment so tool processes the tests start inherit it too. Tests of the
# guard itself pass outbound_allow_private=False.
os.environ.setdefault("BRANCHWISE_OUTBOUND_ALLOW_PRIVATE", "true")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DB_URL:
        url = TEST_DB_URL
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app(
        {"database_url": url, "instance_path": str(tmp_path_factory.mktemp("migrate-instance"))}
    )
    upgrade_database(app)
    with app.app_context():
        db.engine.dispose()
    return url


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def clean_tables() -> None:
    """Empty every table (children first) so each test starts from nothing."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def make_app(database_url: str, instance: Path, **overrides):
    settings = {
        "database_url": database_url,
        "instance_path": str(instance),
        "base_url": "http://localhost",
        "secret_key": "test-secret",
        "TESTING": True,
    }
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture(autouse=True)
def _fresh_module_lookups():
    """Module and fitted-parameter look-ups are memoised per process; tests start clean."""
    from lti_tool.modules.library import forget_lookups

    forget_lookups()
    yield
    forget_lookups()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator:
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        clean_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def platform_key():
    from tests.support.fake_platform import new_rsa_key

    return new_rsa_key()


@pytest.fixture(scope="session")
def key_server(platform_key):
    from tests.support.fake_platform import KeyServer

    server = KeyServer(keys=[platform_key]).start()
    yield server
    server.server.stop()


@pytest.fixture
def lms(app, key_server, platform_key):
    """A registered hand-made platform (see tests.support.fake_platform.py)."""
    from tests.support.fake_platform import TestPlatform

    key_server.keys[:] = [platform_key]
    platform = TestPlatform(key_server, platform_key)
    platform.register()
    return platform


REQUIRE_SERVERS = os.environ.get("BRANCHWISE_REQUIRE_SERVERS") == "1"
CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Skip tests whose server is absent on a developer machine; in CI
    (BRANCHWISE_REQUIRE_SERVERS=1) they run and fail loudly instead."""
    if REQUIRE_SERVERS:
        return
    reasons = {
        "browser": None if CHROMIUM.exists() else "needs /usr/bin/chromium (Debian chromium)",
        "redis": None if os.environ.get("BRANCHWISE_TEST_REDIS_URL")
        else "needs BRANCHWISE_TEST_REDIS_URL",
        "postgres": None if os.environ.get("BRANCHWISE_TEST_POSTGRES_URL")
        else "needs BRANCHWISE_TEST_POSTGRES_URL",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("BRANCHWISE_TEST_REDIS_URL", "")
    if not url:
        pytest.fail("BRANCHWISE_TEST_REDIS_URL is not set")
    return url
