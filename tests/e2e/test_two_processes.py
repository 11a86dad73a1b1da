"""No per-process state: a login started on one tool process finishes on another.

Two ``branchwise serve`` processes (gunicorn) share one database, as two hosts
behind a load balancer would; the LMS's login goes to the first, its id_token
post to the second.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from lti_tool.demo import CLIENT_ID, DEPLOYMENT_ID
from lti_tool.demo_platform import (
    PlatformSettings,
    ToolLink,
    bind_socket,
    create_platform_app,
    serve_in_thread,
)
from tests.support.lms_client import parse_form

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lti_tool.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=log)


def _wait(url: str, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise AssertionError(f"tool exited with {proc.returncode}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError("tool did not start")


def test_login_on_one_process_launch_on_another(tmp_path: Path, database_url: str):
    port_a, port_b = _free_port(), _free_port()
    base = f"http://127.0.0.1:{port_a}"
    psock = bind_socket()
    platform_url = f"http://127.0.0.1:{psock.getsockname()[1]}"
    env = {**os.environ, "BRANCHWISE_INSTANCE_PATH": str(tmp_path / "shared"),
           "BRANCHWISE_BASE_URL": base, "BRANCHWISE_DATABASE_URL": database_url}
    from lti_tool import create_app
    from lti_tool.db import upgrade_database
    from lti_tool.extensions import db
    from lti_tool.registration.services import PlatformInput, add_platform
    from tests.conftest import clean_tables

    tool_app = create_app({"instance_path": str(tmp_path / "shared"), "base_url": base,
                           "database_url": database_url})
    upgrade_database(tool_app)
    with tool_app.app_context():
        clean_tables()
        add_platform(PlatformInput(
            issuer=platform_url, client_id=CLIENT_ID, deployment_ids=(DEPLOYMENT_ID,),
            auth_login_url=platform_url + "/auth", token_url=platform_url + "/token",
            jwks_url=platform_url + "/.well-known/jwks.json"))
        db.engine.dispose()
    platform_app = create_platform_app(PlatformSettings(
        issuer=platform_url, platform_storage=False,
        tool=ToolLink(CLIENT_ID, DEPLOYMENT_ID, base + "/lti/login", base + "/lti/launch",
                      base + "/lti/deep-link", base + "/.well-known/jwks.json")))
    platform = serve_in_thread(platform_app, sock=psock)
    log = (tmp_path / "serve.log").open("wb")
    proc_a, proc_b = _serve(port_a, env, log), _serve(port_b, env, log)
    try:
        _wait(base, proc_a)
        _wait(f"http://127.0.0.1:{port_b}", proc_b)
        browser = requests.Session()
        login_url = browser.get(platform_url + "/_test/launch_url",
                                params={"user": "alice", "link": "rl-1"}).json()["url"]
        auth = browser.get(login_url, timeout=10)  # process A: 302 to the LMS, which answers
        form = parse_form(auth.text, auth.url)
        assert form is not None and "id_token" in form.fields
        # Deliver the id_token to process B (cookies ignore ports, like a load balancer).
        parts = urlsplit(form.action)
        action_b = urlunsplit(parts._replace(netloc=f"127.0.0.1:{port_b}"))
        launched = browser.post(action_b, data=form.fields, allow_redirects=False, timeout=10)
        assert launched.status_code == 303, launched.text[:400]
        # And the launch token minted by B is honoured by A.
        landing = browser.get(base + launched.headers["Location"], timeout=10)
        assert landing.status_code == 200
        # Replaying at A is refused: the nonce was consumed in the shared database.
        again = browser.post(form.action, data=form.fields, timeout=10)
        assert again.status_code == 401 and "replayed_nonce" in again.text
    finally:
        for proc in (proc_a, proc_b):
            proc.terminate()
            proc.wait(timeout=10)
        platform.stop()
        log.close()
