"""``branchwise demo``: the tool and a demo LMS, each on its own site.

The tool is served as http://localhost:PORT and the LMS as
http://127.0.0.1:PORT+1: two different sites, so the tool runs in a
cross-site iframe exactly as in a real LMS (and its cookies are third-party).
"""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask

from lti_tool import create_app
from lti_tool.db import upgrade_database
from lti_tool.demo_platform import (
    PlatformSettings,
    RunningServer,
    ToolLink,
    bind_socket,
    create_platform_app,
    get_platform,
    serve_in_thread,
)
from lti_tool.registration.services import PlatformInput, add_platform
from lti_tool.tool_urls import tool_urls

CLIENT_ID = "branchwise-demo"
DEPLOYMENT_ID = "demo-deployment-1"
# Activities placed in the demo course: (link id, title, module id).
DEMO_ACTIVITIES = (
    ("rl-1", "Fractions (adaptive)", "fractions"),
    ("rl-security", "Security awareness for staff", "security-awareness"),
    ("rl-stats", "Statistics basics", "statistics-basics"),
)


@dataclass
class DemoStack:
    tool_url: str
    platform_url: str
    tool_app: flask.Flask
    platform_app: flask.Flask
    servers: tuple[RunningServer, ...]  # the tool's (unless served elsewhere), the LMS's

    @property
    def course_url(self) -> str:
        return self.platform_url + "/?as=alice"

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def start_stack(make_tool: Callable[[str], flask.Flask], *, port: int = 0,
                tool_host: str = "127.0.0.1", client_id: str = CLIENT_ID,
                deployment_id: str = DEPLOYMENT_ID, platform_storage: bool = True,
                platform_name: str | None = None,
                platform_key_dir: Callable[[flask.Flask], Path | None] | None = None,
                prepare_tool: Callable[[], object] | None = None,
                platform_extensions: Iterable[Callable[[flask.Flask], object]] = (),
                platform_settings: Mapping[str, Any] | None = None,
                serve_tool: bool = True,
                ) -> DemoStack:
    """Branchwise and a demo LMS registered with each other, each served over HTTP.

    The one start-up of the pair, used by ``branchwise demo``, the tests and the
    benchmarks. ``make_tool(tool_url)`` builds the tool app with its database ready;
    ``prepare_tool`` runs in its app context before the platform is registered (tests
    clean tables there); ``platform_key_dir(tool_app)`` says where the LMS keeps its
    keys (None: fresh keys in memory); ``platform_extensions`` are called with the LMS
    app before it serves (test hooks, seeded links); ``platform_settings`` are more
    ``PlatformSettings`` fields (a score rate limit, an AGS mode). Port 0 picks free
    ports; otherwise the tool gets ``port`` and the LMS ``port + 1``. With
    ``serve_tool=False`` the tool's port is only reserved and released: the caller serves
    the tool there in other processes (``branchwise serve``, as on exam day).
    """
    tool_sock = bind_socket("127.0.0.1", port)
    platform_sock = bind_socket("127.0.0.1", port + 1 if port else 0)
    tool_url = f"http://{tool_host}:{tool_sock.getsockname()[1]}"
    platform_url = f"http://127.0.0.1:{platform_sock.getsockname()[1]}"

    tool_app = make_tool(tool_url)
    urls = tool_urls(tool_url)
    with tool_app.app_context():
        if prepare_tool is not None:
            prepare_tool()
        add_platform(PlatformInput(
            issuer=platform_url, client_id=client_id, deployment_ids=(deployment_id,),
            auth_login_url=platform_url + "/auth", token_url=platform_url + "/token",
            jwks_url=platform_url + "/.well-known/jwks.json", name=platform_name))

    platform_app = create_platform_app(PlatformSettings(
        issuer=platform_url, platform_storage=platform_storage,
        key_dir=platform_key_dir(tool_app) if platform_key_dir else None,
        tool=ToolLink(client_id=client_id, deployment_id=deployment_id,
                      oidc_login_url=str(urls["oidc_login_url"]),
                      launch_url=str(urls["launch_url"]),
                      deep_link_url=str(urls["deep_link_url"]),
                      jwks_url=str(urls["jwks_url"])),
        **(platform_settings or {})))
    for extend in platform_extensions:
        extend(platform_app)
    if serve_tool:
        servers: tuple[RunningServer, ...] = (serve_in_thread(tool_app, sock=tool_sock),
                                              serve_in_thread(platform_app, sock=platform_sock))
    else:
        tool_sock.close()
        servers = (serve_in_thread(platform_app, sock=platform_sock),)
    return DemoStack(tool_url, platform_url, tool_app, platform_app, servers)


def start_demo(port: int = 5000, *, instance_path: str | None = None,
               tool_host: str = "localhost", platform_storage: bool = True,
               extra_settings: dict | None = None,
               platform_extensions: Iterable[Callable[[flask.Flask], object]] = ()) -> DemoStack:
    """Start the demo's tool and LMS in background threads (port 0: any free ports).

    ``platform_extensions`` are called with the demo LMS app before it serves (tests add
    their ``/_test`` hooks this way; the shipped demo has none)."""

    def make_tool(tool_url: str) -> flask.Flask:
        # The demo LMS is on 127.0.0.1: outbound calls to it must be allowed (docs/security.md).
        overrides = {"base_url": tool_url, "outbound_allow_private": True,
                     **(extra_settings or {})}
        if instance_path:
            overrides["instance_path"] = instance_path
        tool_app = create_app(overrides)
        upgrade_database(tool_app)
        return tool_app

    def key_dir(tool_app: flask.Flask) -> Path:
        path = Path(tool_app.instance_path) / "demo-lms-keys"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def seed(platform_app: flask.Flask) -> None:
        seed_demo_course(platform_app, get_platform(platform_app).settings.tool.launch_url)

    return start_stack(make_tool, port=port, tool_host=tool_host,
                       platform_storage=platform_storage, platform_name="Demo LMS",
                       platform_key_dir=key_dir,
                       platform_extensions=(*platform_extensions, seed))


def seed_demo_course(platform_app: flask.Flask, launch_url: str) -> None:
    """Point the seeded activity at a module and add one link per other sample."""
    store = get_platform(platform_app).store
    with store.lock:
        first = store.resource_links["rl-1"]
        first.title, first.custom = DEMO_ACTIVITIES[0][1], {"module": DEMO_ACTIVITIES[0][2]}
        for link_id, title, module_id in DEMO_ACTIVITIES[1:]:
            link = store.add_resource_link(title, launch_url, custom={"module": module_id},
                                           link_id=link_id)
            store.create_line_item({"label": title, "scoreMaximum": 100,
                                    "resourceId": module_id, "tag": "grade",
                                    "resourceLinkId": link.id},
                                   context_id=store.course.id)


def run_demo(port: int = 5000, open_browser: bool = True) -> None:
    """Start the demo and block until Ctrl-C."""
    stack = start_demo(port)
    worker = _start_grade_worker(stack.tool_app)
    print(f"Branchwise tool  {stack.tool_url}", flush=True)
    print(f"Demo LMS         {stack.platform_url}", flush=True)
    print(f"\nOpen the course page:  {stack.course_url}\n"
          f"Gradebook (as teacher): {stack.platform_url}/gradebook?as=tess\n"
          "Ctrl-C stops both.", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(stack.course_url,), daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping …")
    finally:
        if worker is not None:
            worker()
        stack.stop()


def _start_grade_worker(app: flask.Flask):
    """Run the grade-delivery consumer in this process when the job module is present."""
    try:
        from lti_tool.jobs.worker import start_embedded_consumer
    except ImportError:
        return None
    return start_embedded_consumer(app)
