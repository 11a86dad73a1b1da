"""A running demo LMS plus a PyLTI1p3 fake tool, each on its own 127.0.0.1 port."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask
import requests

from lti_tool.demo_platform import (
    DemoPlatform,
    PlatformSettings,
    RunningServer,
    ToolLink,
    bind_socket,
    get_platform,
    serve_in_thread,
)
from tests.support.demo_lms_hooks import create_test_platform_app

from .fake_tool import FakeToolKeys, create_fake_tool

CLIENT_ID = "client-123"
DEPLOYMENT_ID = "deployment-1"


@dataclass
class Stack:
    """A running demo LMS plus the fake tool registered with it."""

    platform_url: str
    tool_url: str
    platform_app: flask.Flask
    tool_app: flask.Flask
    tool: ToolLink
    tool_keys: FakeToolKeys
    servers: tuple[RunningServer, RunningServer]

    @property
    def platform(self) -> DemoPlatform:
        """The platform object (state, keys, URLs)."""
        return get_platform(self.platform_app)

    def state(self) -> dict[str, Any]:
        """``/_test/state`` over HTTP."""
        r = requests.get(f"{self.platform_url}/_test/state", timeout=10)
        r.raise_for_status()
        return dict(r.json())


def start_stack(platform_storage: bool = True, key_dir: Path | None = None) -> Stack:
    """Bind both ports, build both apps, serve them in threads."""
    psock, tsock = bind_socket(), bind_socket()
    platform_url = f"http://127.0.0.1:{psock.getsockname()[1]}"
    tool_url = f"http://127.0.0.1:{tsock.getsockname()[1]}"
    tool = ToolLink(
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        oidc_login_url=f"{tool_url}/lti/login",
        launch_url=f"{tool_url}/lti/launch",
        deep_link_url=f"{tool_url}/lti/deep-link",
        jwks_url=f"{tool_url}/jwks",
    )
    settings = PlatformSettings(
        issuer=platform_url, tool=tool, platform_storage=platform_storage, key_dir=key_dir
    )
    platform_app = create_test_platform_app(settings)
    keys = FakeToolKeys.generate()
    tool_app = create_fake_tool(tool_url, platform_url, keys, CLIENT_ID, DEPLOYMENT_ID)
    servers = (serve_in_thread(platform_app, sock=psock), serve_in_thread(tool_app, sock=tsock))
    return Stack(platform_url, tool_url, platform_app, tool_app, tool, keys, servers)
