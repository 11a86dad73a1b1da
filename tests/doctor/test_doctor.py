"""``branchwise doctor`` against a healthy deployment and a broken one (real services)."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest
from click.testing import CliRunner

from lti_tool.cli import main
from lti_tool.doctor import FAIL, OK, check_worker
from lti_tool.extensions import db
from tests.ags.stack import start_tool_stack
from tests.conftest import make_app

SECRET = "x" * 48


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def _env(settings: dict) -> dict[str, str]:
    return {f"BRANCHWISE_{k.upper()}": str(v) for k, v in settings.items() if k.islower()}


def _run(env: dict[str, str]) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["doctor", "--json"], env=env)
    return result.exit_code, json.loads(result.output)


@pytest.fixture
def healthy(database_url, tmp_path):
    redis_url = os.environ.get("BRANCHWISE_TEST_REDIS_URL", "")
    stack = start_tool_stack(database_url, tmp_path / "instance", redis_url=redis_url,
                             secret_key=SECRET)
    with stack.tool_app.app_context():
        from lti_tool.jobs.heartbeat import beat
        from lti_tool.keys.services import signing_key

        signing_key()
        beat()  # as a starting worker does
    yield stack
    stack.stop()
    with stack.tool_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthy_deployment_passes(healthy):
    env = _env({**healthy.settings, "base_url": "https://branchwise.school.edu"})
    code, findings = _run(env)
    by_check = {f["check"]: f for f in findings}
    assert code == 0, [f for f in findings if f["status"] != OK]
    for name in ("base URL", "secret key", "database", "redis", "migrations", "signing keys",
                 "worker"):
        assert by_check[name]["status"] == OK, by_check[name]
    (platform,) = [f for f in findings if f["check"].startswith("platform ")]
    assert platform["status"] == OK and "key(s)" in platform["message"]
    text = CliRunner().invoke(main, ["doctor"], env=env)
    assert text.exit_code == 0 and "all checks passed" in text.output


def test_unreachable_jwks_and_http_base_url_fail(healthy):
    with healthy.tool_app.app_context():
        from lti_tool.models import Platform

        platform = db.session.query(Platform).one()
        platform.key_set_url = f"http://127.0.0.1:{_closed_port()}/jwks"
        db.session.commit()
    env = _env({**healthy.settings, "base_url": "http://branchwise.school.edu"})
    code, findings = _run(env)
    by_check = {f["check"]: f for f in findings}
    assert code == 1
    assert by_check["base URL"]["status"] == FAIL and "https" in by_check["base URL"]["fix"]
    (platform,) = [f for f in findings if f["check"].startswith("platform ")]
    assert platform["status"] == FAIL and "unreachable" in platform["message"]


def test_broken_deployment_says_what_to_fix(tmp_path):
    env = {"BRANCHWISE_INSTANCE_PATH": str(tmp_path / "empty"),
           "BRANCHWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
           "BRANCHWISE_BASE_URL": "https://branchwise.school.edu",
           "BRANCHWISE_SECRET_KEY": "short",
           "BRANCHWISE_REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"}
    code, findings = _run(env)
    by_check = {f["check"]: f for f in findings}
    assert code == 1
    assert by_check["secret key"]["status"] == FAIL
    assert by_check["redis"]["status"] == FAIL
    assert "BRANCHWISE_REDIS_URL" in by_check["redis"]["fix"]
    assert by_check["migrations"]["status"] == FAIL
    assert "branchwise db upgrade" in by_check["migrations"]["fix"]
    assert by_check["signing keys"]["status"] == FAIL
    assert "branchwise db upgrade" in by_check["signing keys"]["fix"]  # empty, but it answers
    assert by_check["worker"]["status"] == FAIL
    text = CliRunner().invoke(main, ["doctor"], env=env)
    assert "fix: run `branchwise db upgrade`" in text.output and text.exit_code == 1


def test_an_unreachable_database_is_fixed_before_any_migration(tmp_path):
    # A database file in a folder that does not exist: no connection at all. Every check
    # that needs a table must point at the connection, not at `db upgrade`, which would
    # fail the same way and send the admin the wrong way.
    env = {"BRANCHWISE_INSTANCE_PATH": str(tmp_path / "instance"),
           "BRANCHWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}",
           "BRANCHWISE_BASE_URL": "https://branchwise.school.edu",
           "BRANCHWISE_SECRET_KEY": SECRET}
    code, findings = _run(env)
    by_check = {f["check"]: f for f in findings}
    assert code == 1
    assert by_check["database"]["status"] == FAIL
    for name in ("migrations", "signing keys", "platforms"):
        assert by_check[name]["status"] == FAIL, by_check[name]
        assert "connection" in by_check[name]["fix"], by_check[name]
        assert "db upgrade" not in by_check[name]["fix"], by_check[name]


def test_a_stopped_worker_is_reported(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        from lti_tool.jobs.heartbeat import beat

        beat()
    assert check_worker(app).status == OK
    later = check_worker(app, now=time.time() + 600)
    assert later.status == FAIL and "10 minutes" in later.message
