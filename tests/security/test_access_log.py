"""``branchwise serve`` (gunicorn) never writes a launch token into its access log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from lti_tool.launch import tokens

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_access_log_has_paths_but_no_tokens(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BRANCHWISE_INSTANCE_PATH": str(tmp_path), "BRANCHWISE_BASE_URL": base,
           "BRANCHWISE_DATABASE_URL": "", "BRANCHWISE_SECRET_KEY": "access-log-secret"}
    log = tmp_path / "serve.log"
    with log.open("ab") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", "from lti_tool.cli import main; main()", "serve",
             "--port", str(port), "--workers", "1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.3)
        token = tokens.issue("access-log-secret", "no-such-launch")
        landing = requests.get(base + "/lti/landing", params={"t": token}, timeout=10,
                               headers={"Referer": f"https://lms.example/page?t={token}"},
                               allow_redirects=False)
        assert landing.status_code == 401  # a valid signature for a launch that does not exist
        assert landing.headers["Referrer-Policy"] == "no-referrer"
        requests.get(base + "/healthz", params={"t": "second-secret-value"}, timeout=10)
        time.sleep(1)  # gunicorn writes the access line after the response
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert '"GET /lti/landing HTTP/1.1" 401' in text, text[-2000:]
    assert token not in text
    assert "second-secret-value" not in text
    assert "?t=" not in text
