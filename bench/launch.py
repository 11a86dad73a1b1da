"""Launch cost: Branchwise vs the PyLTI1p3 Flask example, through one independent LMS.

Issue 20 item 4. Both tools are launched by the same ``lti1p3platform`` demo LMS
(one instance per tool, as two registrations would be), all served by threaded
werkzeug servers in this one process tree, with the same HTTP client:

    platform login URL -> tool login -> platform auth (id_token form) -> tool launch
    -> (redirects at the tool, if any) -> the first page (200)

"The tool's part" is the wall time of the requests that went to the tool (login,
id_token POST and any redirect until the page), as the client sees it; "tool CPU" is
the CPU time the tool's own WSGI app spent in them (``CpuMeter``: the HTTP server and
the client, the same for both tools, are not in it, and it varies far less with the
machine's load than wall time). Launches/s is measured with ``--concurrency`` clients
launching at once; the client, both LMSs and both tools share this process (and its
GIL), so launches/s counts the client's and the LMS's work too.

The example is **not** part of this repository: it is extracted at run time from a
copy of its public repository (``dmitry-viskov/pylti1.3-flask-example``) into a
temporary folder: ``--example`` names a git directory (a clone or bare mirror) or a
checked-out folder; default ``$PYLTI_EXAMPLE`` or a ``git clone`` of the GitHub URL.
Its login is sent with ``lti1p3_new_window=1``: that is where its cookie-check
page's JavaScript goes next in a browser, so the example is counted with two tool
hops, its fastest path.

A third, *null* tool (``null_tool``: a bare WSGI app that redirects the login and
answers the id_token POST with a static page, checking nothing) runs through its own
LMS in the same way. It is the floor of this harness: ``best_possible_*`` are its
ratios to the example, the most any tool could reach here.

    .venv/bin/python bench/launch.py [--launches 60] [--concurrency 4] [--example DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool.demo import start_stack  # noqa: E402
from lti_tool.demo_platform import (  # noqa: E402
    PlatformSettings,
    ToolLink,
    bind_socket,
    get_platform,
    serve_in_thread,
)
from tests.support import demo_lms_hooks  # noqa: E402
from tests.support.lms_client import parse_form  # noqa: E402

EXAMPLE_URL = "https://github.com/dmitry-viskov/pylti1.3-flask-example"
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"


# -- the example, from its public repository ----------------------------------------------
def extract_example(source: str | None, into: Path) -> Path:
    """Copy the example's files into ``into`` (git archive of HEAD, or a plain copy)."""
    source = source or os.environ.get("PYLTI_EXAMPLE") or ""
    if not source:
        subprocess.run(["git", "clone", "--depth", "1", EXAMPLE_URL, str(into / "clone")],
                       check=True)
        source = str(into / "clone")
    src = Path(source)
    out = into / "example"
    out.mkdir()
    git_dir = src / ".git" if (src / ".git").exists() else src
    if (git_dir / "HEAD").exists():
        archive = subprocess.run(["git", f"--git-dir={git_dir}", "archive", "HEAD"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    else:
        subprocess.run(["cp", "-r", f"{src}/.", str(out)], check=True)
    return out


def example_app(folder: Path, platform_url: str, pem_key: str):
    """The example's Flask app, configured for our demo LMS (its own game.json replaced)."""
    conf = {platform_url: [{
        "default": True, "client_id": CLIENT_ID,
        "auth_login_url": f"{platform_url}/auth", "auth_token_url": f"{platform_url}/token",
        "key_set_url": f"{platform_url}/.well-known/jwks.json", "key_set": None,
        "private_key_file": pem_key, "public_key_file": "public.key",
        "deployment_ids": [DEPLOYMENT_ID]}]}
    (folder / "configs" / "game.json").write_text(json.dumps(conf))
    # Its pinned Flask-Caching 2.0 knew CACHE_TYPE "simple"; ours only "SimpleCache" (the
    # same in-process cache). Changed in the temporary copy only.
    app_py = folder / "game" / "app.py"
    app_py.write_text(app_py.read_text().replace('"CACHE_TYPE": "simple"',
                                                 '"CACHE_TYPE": "SimpleCache"'))
    sys.path.insert(0, str(folder / "game"))
    import app as example  # the example's game/app.py

    example.app.config["DEBUG"] = False
    # Its Flask name is not a module name, so Flask guessed the working directory.
    example.app.root_path = str(folder / "game")
    return example.app


# -- Branchwise ----------------------------------------------------------------------------
def branchwise_app(instance: Path, base_url: str):
    from lti_tool import create_app
    from lti_tool.db import upgrade_database

    app = create_app({"instance_path": str(instance), "base_url": base_url,
                      "secret_key": "bench-" + "x" * 40, "log_level": "WARNING",
                      # The LMS of this bench is on 127.0.0.1 (refused by default).
                      "outbound_allow_private": True,
                      # Every simulated browser comes from 127.0.0.1: a per-address limit
                      # meant for one network would refuse the run.
                      "login_rate_limit": 1_000_000})
    upgrade_database(app)
    return app


# -- a tool that does nothing: the harness's floor ------------------------------------------
def null_tool(platform_url: str, tool_url: str):
    """A WSGI app that answers a launch and checks nothing: the login redirects to the
    LMS's auth with fixed state and nonce, the id_token POST gets a short static page.

    No tool can spend less in this harness, so its wall time per launch (the HTTP
    server's and the client's share of the two tool hops) and its launches/s (the
    client's and the LMS's CPU under one GIL) bound what any tool can reach: the ratio
    goals are measured against these bounds as well as against the example."""
    from urllib.parse import parse_qs, urlencode

    page = b"<!doctype html><title>launched</title><p>launched</p>"

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/login":
            args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            if environ["REQUEST_METHOD"] == "POST":
                size = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(size).decode()
                args.update({k: v[0] for k, v in parse_qs(body).items()})
            query = {"scope": "openid", "response_type": "id_token",
                     "response_mode": "form_post", "prompt": "none",
                     "client_id": args.get("client_id", CLIENT_ID),
                     "redirect_uri": f"{tool_url}/launch", "state": "s", "nonce": "n",
                     "login_hint": args.get("login_hint", "")}
            if args.get("lti_message_hint"):
                query["lti_message_hint"] = args["lti_message_hint"]
            start_response("302 Found", [("Location", f"{platform_url}/auth?"
                                          + urlencode(query)), ("Content-Length", "0")])
            return [b""]
        if environ["PATH_INFO"] == "/launch":
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response("200 OK", [("Content-Type", "text/html"),
                                      ("Content-Length", str(len(page)))])
            return [page]
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]

    return app


def lms_for(tool_url: str, login: str, launch_path: str, jwks: str):
    """A demo LMS registered for the tool at ``tool_url`` (its login, launch and JWKS
    paths), on a socket of its own: (socket, its URL, its app)."""
    sock = bind_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = demo_lms_hooks.create_test_platform_app(PlatformSettings(
        issuer=url, platform_storage=False, tool=ToolLink(
            CLIENT_ID, DEPLOYMENT_ID, tool_url + login, tool_url + launch_path,
            tool_url + launch_path, tool_url + jwks)))
    return sock, url, app


class _WsgiHolder:
    """What ``CpuMeter`` wraps: an object with a ``wsgi_app`` attribute."""

    def __init__(self, app) -> None:
        self.wsgi_app = app

    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)


# -- the tool's own CPU time ----------------------------------------------------------------
_serving = threading.local()  # the CpuMeter whose request this thread is serving


class CpuMeter:
    """CPU seconds the tool's WSGI app spent in its requests (the serving thread's
    ``thread_time``): unlike wall time it hardly changes with what else the machine runs,
    and it excludes the HTTP server and the client, which are the same for both tools.
    ``validate_seconds`` is the part spent in PyLTI1p3's own ``MessageLaunch.validate``,
    which both tools call: a floor under any tool built on PyLTI1p3."""

    def __init__(self, app) -> None:
        self.seconds = 0.0
        self.validate_seconds = 0.0
        self._lock = threading.Lock()
        inner = app.wsgi_app

        def metered(environ, start_response):
            t0 = time.thread_time()
            _serving.meter = self
            try:
                return list(inner(environ, start_response))
            finally:
                _serving.meter = None
                with self._lock:
                    self.seconds += time.thread_time() - t0

        app.wsgi_app = metered

    def add_validate(self, seconds: float) -> None:
        with self._lock:
            self.validate_seconds += seconds


def meter_pylti1p3_validate() -> None:
    """Count PyLTI1p3's ``MessageLaunch.validate`` CPU time to the tool serving the thread."""
    from pylti1p3.message_launch import MessageLaunch

    original = MessageLaunch.validate

    def validate(self):
        t0 = time.thread_time()
        try:
            return original(self)
        finally:
            meter = getattr(_serving, "meter", None)
            if meter is not None:
                meter.add_validate(time.thread_time() - t0)

    MessageLaunch.validate = validate


# -- one launch ----------------------------------------------------------------------------
def launch(platform_url: str, tool_netloc: str, user: str, link: str,
           extra_login: str = "") -> tuple[float, int]:
    """One launch with a fresh client; returns (seconds spent in tool requests, tool hops)."""
    http = requests.Session()
    spent, hops = 0.0, 0

    def call(method: str, url: str, **kw) -> requests.Response:
        nonlocal spent, hops
        t0 = time.perf_counter()
        resp = http.request(method, url, allow_redirects=False, timeout=30, **kw)
        if urlsplit(url).netloc == tool_netloc:
            spent += time.perf_counter() - t0
            hops += 1
        return resp

    url = requests.get(f"{platform_url}/_test/launch_url",
                       params={"user": user, "link": link}, timeout=30).json()["url"] + extra_login
    resp = call("GET", url)
    while resp.status_code in (301, 302, 303, 307):
        target = requests.compat.urljoin(resp.url, resp.headers["Location"])
        if urlsplit(target).netloc == tool_netloc:
            resp = call("GET", target)
            continue
        auth = call("GET", target)  # the platform's auth: the auto-submitting id_token form
        form = parse_form(auth.text, auth.url)
        resp = call("POST", form.action, data=form.fields)
    if resp.status_code != 200:
        raise RuntimeError(f"launch ended with {resp.status_code}: {resp.text[:300]}")
    return spent, hops


def measure(name: str, platform_url: str, tool_url: str, link: str, launches: int,
            concurrency: int, cpu: CpuMeter, extra_login: str = "") -> dict:
    netloc = urlsplit(tool_url).netloc
    users = ["alice", "bob", "chen"]
    for n in range(3):  # warm-up: imports, JWKS cache, first key, templates
        launch(platform_url, netloc, users[n % 3], link, extra_login)
    serial, cpu_s, validate_s = [], [], []
    for n in range(launches):
        before, before_validate = cpu.seconds, cpu.validate_seconds
        serial.append(launch(platform_url, netloc, users[n % 3], link, extra_login))
        cpu_s.append(cpu.seconds - before)
        validate_s.append(cpu.validate_seconds - before_validate)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda n: launch(platform_url, netloc, users[n % 3], link, extra_login),
                      range(launches)))
    wall = time.perf_counter() - t0
    times = sorted(s for s, _ in serial)
    return {"tool": name, "tool_ms_median": round(statistics.median(times) * 1000, 2),
            "tool_ms_p95": round(times[int(0.95 * (len(times) - 1))] * 1000, 2),
            "tool_hops": serial[0][1],
            "tool_cpu_ms_median": round(statistics.median(cpu_s) * 1000, 2),
            "pylti1p3_validate_cpu_ms_median": round(statistics.median(validate_s) * 1000, 2),
            "launches_per_s": round(launches / wall, 2), "concurrency": concurrency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--example", help="git dir or folder of pylti1.3-flask-example")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        example_dir = extract_example(args.example, tmp)

        # Branchwise and its LMS (the one stack start-up the demo and the tests use).
        def make_branchwise(url: str):
            app = branchwise_app(tmp / "branchwise", url)
            with app.app_context():
                from lti_tool.keys.services import signing_key

                signing_key()
            return app

        def add_bench_link(platform_app) -> None:
            platform = get_platform(platform_app)
            platform.store.add_resource_link("Fractions", platform.settings.tool.launch_url,
                                             custom={"module": "fractions"}, link_id="rl-bench")

        b_stack = start_stack(make_branchwise, client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID,
                              platform_storage=False,
                              platform_extensions=(demo_lms_hooks.install, add_bench_link))
        b_url, bp_url = b_stack.tool_url, b_stack.platform_url

        # The example and its LMS.
        esock = bind_socket()
        e_url = f"http://127.0.0.1:{esock.getsockname()[1]}"
        epsock, ep_url, e_platform_app = lms_for(e_url, "/login/", "/launch/", "/jwks/")
        e_app = example_app(example_dir, ep_url, "private.key")

        # The null tool and its LMS: the floor of this harness.
        nsock = bind_socket()
        n_url = f"http://127.0.0.1:{nsock.getsockname()[1]}"
        npsock, np_url, n_platform_app = lms_for(n_url, "/login", "/launch", "/jwks")
        n_app = _WsgiHolder(null_tool(np_url, n_url))

        b_cpu, e_cpu, n_cpu = CpuMeter(b_stack.tool_app), CpuMeter(e_app), CpuMeter(n_app)
        meter_pylti1p3_validate()

        servers = [*b_stack.servers, serve_in_thread(e_platform_app, sock=epsock),
                   serve_in_thread(e_app, sock=esock),
                   serve_in_thread(n_platform_app, sock=npsock),
                   serve_in_thread(n_app, sock=nsock)]
        try:
            quiet = io.StringIO()  # the example pprints every launch's claims
            with contextlib.redirect_stdout(quiet):
                example = measure("pylti1.3-flask-example", ep_url, e_url, "rl-1",
                                  args.launches, args.concurrency, e_cpu,
                                  "&lti1p3_new_window=1")
            branchwise = measure("branchwise", bp_url, b_url, "rl-bench", args.launches,
                                 args.concurrency, b_cpu)
            floor = measure("null tool (checks nothing)", np_url, n_url, "rl-1",
                            args.launches, args.concurrency, n_cpu)
        finally:
            for s in servers:
                s.stop()
    result = {"example": example, "branchwise": branchwise,
              "tool_time_ratio": round(branchwise["tool_ms_median"]
                                       / example["tool_ms_median"], 3),
              "tool_cpu_ratio": round(branchwise["tool_cpu_ms_median"]
                                      / example["tool_cpu_ms_median"], 3),
              "launches_per_s_ratio": round(branchwise["launches_per_s"]
                                            / example["launches_per_s"], 3),
              # Half the example's CPU, against what PyLTI1p3's validation alone takes
              # inside Branchwise: the goal's budget and its floor.
              "half_example_cpu_ms": round(example["tool_cpu_ms_median"] / 2, 2),
              # The best any tool can reach here: the null tool's wall time and launches/s
              # against the example's (a wall ratio above 0.5 or a launches/s ratio below
              # 1.5 means the goal is out of reach of any tool in this harness).
              "null_tool": floor,
              "best_possible_time_ratio": round(floor["tool_ms_median"]
                                                / example["tool_ms_median"], 3),
              "best_possible_launches_per_s_ratio": round(floor["launches_per_s"]
                                                          / example["launches_per_s"], 3),
              "threads": threading.active_count()}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
