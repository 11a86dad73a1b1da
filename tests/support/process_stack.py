"""The tool as real processes (``branchwise serve`` × N, ``branchwise worker``) next to the
demo LMS, for the tests and benchmarks that kill, restart or share a database between
processes (two hosts, exam day).

The pair is set up by the same ``lti_tool.demo.start_stack`` as the demo and the threaded
tests (one registration, one LMS), with ``serve_tool=False``: the tool's port is reserved
for the first ``serve`` process, further ones get free ports. The test hooks of the demo
LMS (``/_test/*``) are installed. Everything binds to 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import flask
import requests

from lti_tool.demo import DemoStack, start_stack

CLI = [sys.executable, "-m", "lti_tool.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until ``url``/healthz answers 200. A generous deadline: a cold start (imports,
    migrations) takes ~3 s on a quiet machine but over 10 s on a loaded one; this waits
    for readiness, it times nothing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"tool process exited with {proc.returncode}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"tool at {url} did not start")


@dataclass
class ProcessStack:
    """The LMS (in this process) and the tool's processes; ``urls[i]`` is serve ``i``."""

    demo: DemoStack
    urls: list[str]
    env: dict[str, str]
    database_url: str
    log: IO[bytes]
    serves: list[subprocess.Popen] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def platform_url(self) -> str:
        return self.demo.platform_url

    @property
    def platform_app(self) -> flask.Flask:
        return self.demo.platform_app

    def start_worker(self, *args: str) -> subprocess.Popen:
        """A ``branchwise worker`` on the stack's database and queue."""
        proc = subprocess.Popen([*CLI, "worker", *args], env=self.env,
                                stdout=self.log, stderr=self.log)
        self.workers.append(proc)
        return proc

    def stop(self) -> None:
        procs = [*self.serves, *self.workers]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.demo.stop()
        self.log.close()


def start_process_stack(
    tmp: Path, *, database_url: str | None = None, redis_url: str | None = None,
    serves: int = 1, web_workers: int = 2, client_id: str = "branchwise-demo",
    deployment_id: str = "demo-deployment-1", extra_env: Mapping[str, str] | None = None,
    platform_settings: Mapping[str, Any] | None = None,
    platform_extensions: Iterable[Callable[[flask.Flask], object]] = (),
) -> ProcessStack:
    """Clean database, the LMS registered, ``serves`` serve processes up and healthy.

    The tool's tables are emptied first (a benchmark or test database is reused);
    ``extra_env`` adds ``BRANCHWISE_*`` settings for the processes."""
    from lti_tool import create_app
    from lti_tool.db import upgrade_database
    from lti_tool.extensions import db
    from tests.conftest import clean_tables
    from tests.support.demo_lms_hooks import install

    instance = tmp / "instance"
    urls: list[str] = []
    chosen: dict[str, str] = {}

    def make_tool(tool_url: str) -> flask.Flask:
        urls.append(tool_url)
        overrides: dict[str, Any] = {"instance_path": str(instance), "base_url": tool_url}
        if database_url:
            overrides["database_url"] = database_url
        if redis_url:
            overrides["redis_url"] = redis_url
        app = create_app(overrides)
        upgrade_database(app)
        chosen["database_url"] = app.config["SQLALCHEMY_DATABASE_URI"]
        return app

    demo = start_stack(make_tool, client_id=client_id, deployment_id=deployment_id,
                       platform_storage=False, prepare_tool=clean_tables,
                       platform_settings=platform_settings,
                       platform_extensions=(install, *platform_extensions), serve_tool=False)
    with demo.tool_app.app_context():
        db.engine.dispose()  # the processes own the database from here
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, "BRANCHWISE_INSTANCE_PATH": str(instance),
           "BRANCHWISE_BASE_URL": urls[0], "BRANCHWISE_DATABASE_URL": chosen["database_url"],
           **(extra_env or {})}
    if redis_url:
        env["BRANCHWISE_REDIS_URL"] = redis_url
    else:
        env.pop("BRANCHWISE_REDIS_URL", None)
    ports = [int(urls[0].rsplit(":", 1)[1])] + [free_port() for _ in range(serves - 1)]
    stack = ProcessStack(demo, [f"http://127.0.0.1:{port}" for port in ports], env,
                         chosen["database_url"], (tmp / "procs.log").open("ab"))
    try:
        for port in ports:
            stack.serves.append(subprocess.Popen(
                [*CLI, "serve", "--port", str(port), "--workers", str(web_workers)],
                env=env, stdout=stack.log, stderr=stack.log))
        for url, proc in zip(stack.urls, stack.serves, strict=True):
            wait_healthy(url, proc)
    except BaseException:
        stack.stop()
        raise
    return stack
