"""Several ``serve`` and ``worker`` processes started together on an empty database.

Issue 20 item 3: they must migrate once (under a lock) and all come up, on SQLite
and on PostgreSQL. Before the lock, the losers died with "table login_states
already exists".
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, make_url, text

from lti_tool import create_app
from lti_tool.db import migration_heads

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVES, WORKERS = 3, 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_postgres(base_url: str) -> str:
    """An empty database beside the test one (``<name>_startup``), dropped first."""
    url = make_url(base_url)
    name = f"{url.database}_startup"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _start_all(tmp_path: Path, database_url: str) -> tuple[list, list, list[int]]:
    env = {**os.environ, "BRANCHWISE_INSTANCE_PATH": str(tmp_path / "instance"),
           "BRANCHWISE_BASE_URL": "http://127.0.0.1", "BRANCHWISE_SECRET_KEY": "s" * 32}
    env.pop("BRANCHWISE_REDIS_URL", None)
    if database_url:
        env["BRANCHWISE_DATABASE_URL"] = database_url
    else:
        env.pop("BRANCHWISE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "lti_tool.cli"]
    ports = [_free_port() for _ in range(SERVES)]
    commands = [cli + ["serve", "--port", str(p), "--workers", "1"] for p in ports]
    commands += [cli + ["worker", "--workers", "1", "--max-delay", "0.5"]] * WORKERS
    logs = [(tmp_path / f"proc-{n}.log").open("wb") for n in range(len(commands))]
    procs = [subprocess.Popen(c, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
             for c, log in zip(commands, logs, strict=True)]
    return procs, logs, ports


def _check_all_up(tmp_path: Path, procs: list, ports: list[int]) -> None:
    deadline = time.monotonic() + 120
    waiting = set(ports)
    while waiting and time.monotonic() < deadline:
        for port in list(waiting):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    waiting.discard(port)
            except requests.RequestException:
                pass
        dead = [n for n, p in enumerate(procs) if p.poll() is not None]
        assert not dead, [(tmp_path / f"proc-{n}.log").read_text()[-2000:] for n in dead]
        time.sleep(0.2)
    assert not waiting, f"serve on {waiting} never answered /healthz"
    time.sleep(1.0)  # the workers are past their start-up sweep
    for n, proc in enumerate(procs):
        log = (tmp_path / f"proc-{n}.log").read_text()
        assert proc.poll() is None, log[-2000:]
        assert "Traceback" not in log and "already exists" not in log, log[-2000:]


def _stop(procs: list, logs: list) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    for log in logs:
        log.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_serves_and_workers_started_together_migrate_once(tmp_path, backend):
    if backend == "postgresql":
        base = os.environ.get("BRANCHWISE_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("BRANCHWISE_TEST_POSTGRES_URL is not set")
        database_url = _fresh_postgres(base)
    else:
        database_url = ""  # the default: SQLite in the instance folder
    procs, logs, ports = _start_all(tmp_path, database_url)
    try:
        _check_all_up(tmp_path, procs, ports)
    finally:
        _stop(procs, logs)
    app = create_app({"instance_path": str(tmp_path / "instance"),
                      **({"database_url": database_url} if database_url else {})})
    current, heads = migration_heads(app)
    assert current == heads
    from lti_tool.extensions import db

    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM tool_keys")).scalar() == 1
        db.engine.dispose()
