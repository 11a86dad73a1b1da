"""The real Branchwise tool and the demo LMS, each served on its own 127.0.0.1 port."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask
import requests

from lti_tool.demo_platform import (
    PlatformSettings,
    RunningServer,
    ToolLink,
    bind_socket,
    get_platform,
    serve_in_thread,
)
from lti_tool.tool_urls import tool_urls
from tests.conftest import clean_tables, make_app
from tests.support.demo_lms_hooks import create_test_platform_app

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
    """Serve the demo LMS and a Branchwise app registered with each other."""
    psock, tsock = bind_socket(), bind_socket()
    platform_url = f"http://127.0.0.1:{psock.getsockname()[1]}"
    tool_url = f"http://127.0.0.1:{tsock.getsockname()[1]}"
    urls = tool_urls(tool_url)
    link = ToolLink(client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID,
                    oidc_login_url=str(urls["oidc_login_url"]), launch_url=str(urls["launch_url"]),
                    deep_link_url=str(urls["deep_link_url"]), jwks_url=str(urls["jwks_url"]))
    platform_app = create_test_platform_app(
        PlatformSettings(issuer=platform_url, tool=link, platform_storage=False))
    settings = {"base_url": tool_url, **overrides}
    tool_app = make_app(database_url, instance, **settings)
    p = get_platform(platform_app)
    with tool_app.app_context():
        from lti_tool.registration.services import PlatformInput, add_platform

        clean_tables()

        add_platform(PlatformInput(issuer=platform_url, client_id=CLIENT_ID,
                                   deployment_ids=(DEPLOYMENT_ID,), auth_login_url=p.auth_url,
                                   token_url=p.token_url, jwks_url=p.jwks_url))
    servers = (serve_in_thread(platform_app, sock=psock), serve_in_thread(tool_app, sock=tsock))
    return ToolStack(platform_url, tool_url, tool_app, platform_app, servers,
                     {"database_url": database_url, "instance_path": str(instance), **settings})


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
