"""Fixtures: the real tool and the demo LMS, each served on its own 127.0.0.1 port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import flask
import pytest
import requests

from lti_tool.demo_platform import (
    PlatformSettings,
    ToolLink,
    bind_socket,
    get_platform,
    serve_in_thread,
)
from lti_tool.demo_platform.platform import DemoPlatform
from lti_tool.extensions import db
from tests.conftest import clean_tables, make_app
from tests.support.demo_lms_hooks import create_test_platform_app


@dataclass
class LiveStack:
    """The tool (``tool_app``) and the demo LMS (``platform_app``) over real HTTP."""

    tool_url: str
    platform_url: str
    tool_app: flask.Flask
    platform_app: flask.Flask

    @property
    def platform(self) -> DemoPlatform:
        return get_platform(self.platform_app)

    def registration_params(self) -> dict[str, str]:
        """What the LMS appends to our registration URL (a fresh single-use token)."""
        r = requests.post(f"{self.platform_url}/_test/registration_token", timeout=10)
        r.raise_for_status()
        return dict(r.json())

    def received(self) -> dict:
        r = requests.get(f"{self.platform_url}/_test/registrations", timeout=10)
        r.raise_for_status()
        return dict(r.json())


@pytest.fixture
def live_stack_factory(database_url: str, tmp_path: Path) -> Iterator[Callable[..., LiveStack]]:
    """Build a live stack; keyword arguments are tool settings (e.g. approval required)."""
    servers = []
    apps = []

    def build(**tool_settings) -> LiveStack:
        tsock, psock = bind_socket(), bind_socket()
        tool_url = f"http://127.0.0.1:{tsock.getsockname()[1]}"
        platform_url = f"http://127.0.0.1:{psock.getsockname()[1]}"
        tool_app = make_app(database_url, tmp_path / "instance", base_url=tool_url,
                            **tool_settings)
        with tool_app.app_context():
            clean_tables()
        # Until the tool registers, the LMS knows only where it lives.
        link = ToolLink(client_id="not-registered", deployment_id="none",
                        oidc_login_url=f"{tool_url}/lti/login",
                        launch_url=f"{tool_url}/lti/launch",
                        deep_link_url=f"{tool_url}/lti/deep-link",
                        jwks_url=f"{tool_url}/.well-known/jwks.json")
        platform_app = create_test_platform_app(
            PlatformSettings(issuer=platform_url, tool=link, platform_storage=False))
        servers.append(serve_in_thread(tool_app, sock=tsock))
        servers.append(serve_in_thread(platform_app, sock=psock))
        apps.append(tool_app)
        return LiveStack(tool_url, platform_url, tool_app, platform_app)

    yield build
    for server in servers:
        server.stop()
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
