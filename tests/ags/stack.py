"""The real Branchwise tool and the demo LMS, each served on its own 127.0.0.1 port."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask
import requests

from lti_tool.demo import start_stack
from lti_tool.demo_platform import RunningServer
from tests.conftest import clean_tables, make_app
from tests.support import demo_lms_hooks

CLIENT_ID = "branchwise-client"
DEPLOYMENT_ID = "deployment-1"


@dataclass
class ToolStack:
    """Tool app + demo LMS over real HTTP; ``settings`` are the tool's overrides."""

    platform_url: str
    tool_url: str
    tool_app: flask.Flask
    platform_app: flask.Flask
    servers: tuple[RunningServer, RunningServer]
    settings: dict[str, Any]

    def state(self) -> dict[str, Any]:
        r = requests.get(f"{self.platform_url}/_test/state", timeout=10)
        r.raise_for_status()
        return dict(r.json())

    def set_faults(self, faults: dict[str, Any]) -> None:
        requests.post(f"{self.platform_url}/_test/faults", json=faults,
                      timeout=10).raise_for_status()

    def expire_tokens(self) -> None:
        requests.post(f"{self.platform_url}/_test/expire_tokens", timeout=10).raise_for_status()

    def applied(self, user: str, lineitem_id: str | None = None) -> dict[str, Any] | None:
        """The score the platform currently holds for ``user`` (the last applied one)."""
        scores = [s for s in self.state()["scores"] if s["applied"] and s["user_id"] == user
                  and (lineitem_id is None or s["lineitem_id"] == lineitem_id)]
        return scores[-1]["score"] if scores else None

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def start_tool_stack(database_url: str, instance: Path, **overrides: Any) -> ToolStack:
    """Serve the demo LMS (with test hooks) and a Branchwise app registered with each other."""
    settings = {"database_url": database_url, "instance_path": str(instance)}

    def make_tool(tool_url: str) -> flask.Flask:
        settings.update(base_url=tool_url, **overrides)
        return make_app(database_url, instance, base_url=tool_url, **overrides)

    stack = start_stack(make_tool, client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID,
                        platform_storage=False, prepare_tool=clean_tables,
                        platform_extensions=(demo_lms_hooks.install,))
    return ToolStack(stack.platform_url, stack.tool_url, stack.tool_app, stack.platform_app,
                     stack.servers, settings)


def wait_for(predicate: Callable[[], Any], timeout: float = 30, interval: float = 0.1,
             what: str = "condition") -> Any:
    """Poll until ``predicate()`` is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
