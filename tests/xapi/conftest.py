"""A real LRS for the xAPI tests: ralph's LRS server (PyPI ``ralph-malph[lrs]``) with its
file-system backend, started on 127.0.0.1 on a free port, stoppable for outages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

USER, PASSWORD = "branchwise", "lrs-secret"
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RalphLrs:
    """ralph's LRS in a subprocess; ``stop()``/``start()`` keep the port and the data."""

    def __init__(self, root: Path) -> None:
        import bcrypt

        self.root = root
        self.port = _free_port()
        self.data = root / "data"
        self.data.mkdir(parents=True)
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
        (root / "auth.json").write_text(json.dumps([{
            "agent": {"mbox": "mailto:branchwise@example.org"}, "scopes": ["all"],
            "hash": hashed, "username": USER}]))
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> RalphLrs:
        env = {**os.environ,
               "RALPH_APP_DIR": str(self.root),
               "RALPH_AUTH_FILE": str(self.root / "auth.json"),
               "RALPH_RUNSERVER_BACKEND": "fs",
               "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000",
               "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.data)}
        self._log = open(self.root / "lrs.log", "ab")  # noqa: SIM115 - closed in stop()
        log = self._log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.xapi.ralph_lrs_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=self.root, env={**env, "PYTHONPATH": str(REPO)}, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__",
                                timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("ralph LRS did not start: "
                           + (self.root / "lrs.log").read_text(errors="replace")[-2000:])

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def statements(self) -> list[dict]:
        """Every statement the LRS stored, in the order it stored them (its ``stored``
        time; the file-system backend ignores ``ascending`` and answers newest first)."""
        resp = requests.get(self.endpoint + "statements", params={"limit": 1000},
                            auth=(USER, PASSWORD), timeout=10,
                            headers={"X-Experience-API-Version": "1.0.3"})
        resp.raise_for_status()
        return sorted(resp.json()["statements"], key=lambda s: s["stored"])


# Fast retries so outage tests finish in seconds (huey's scheduler ticks once a second).
FAST = {"xapi_retry_base_seconds": 0.2, "xapi_retry_cap_seconds": 1.0, "http_timeout": 2}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator:
    """The tool with a real (SQLite-file) job queue and fast xAPI retries."""
    from lti_tool.extensions import db
    from tests.conftest import clean_tables, make_app

    app = make_app(database_url, tmp_path / "instance", **FAST)
    with app.app_context():
        clean_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ralph_lrs(tmp_path: Path) -> Iterator[RalphLrs]:
    lrs = RalphLrs(tmp_path / "lrs").start()
    yield lrs
    lrs.stop()
