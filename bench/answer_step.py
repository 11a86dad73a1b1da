"""Benchmark the answer step: POST an answer, get the next page rendered.

    .venv/bin/python bench/answer_step.py                      # SQLite
    .venv/bin/python bench/answer_step.py --database-url postgresql+psycopg://...
    .venv/bin/python bench/answer_step.py --database-url postgresql+psycopg://... \
        --redis-url redis://127.0.0.1:6379/0      # the scale-out set-up: queue and cache in Redis

Starts the real tool on gunicorn with 2 sync workers (no access log) in a
throwaway instance folder, seeds a course with many learners already launched
(LaunchSession rows + signed tokens, no LTI round trip), then client threads
answer like "always-correct" learners (the module's first correct answer group)
and continue past lesson pages until a time limit. Reported:

* server time of the step from the runner's ``Server-Timing: app;dur=`` header
  (median, p99) and the client-side latency;
* answers per second over the whole run (every POST is one answer or page step; the
  GET of "Next" after an answer's feedback runs too but is not counted);
* the same for ``GET /healthz`` in the same run, as a baseline, with ratios;
* CPU milliseconds per answer of the client (this process), of gunicorn (master and
  workers) and of a local PostgreSQL server, since all share the machine's cores.

The client speaks minimal HTTP/1.1 over a plain socket (one connection per request, as
gunicorn's sync workers close every connection anyway) and reads the whole response body:
``http.client`` parses headers with the ``email`` package, which cost the client threads
about as much CPU as a server worker's request, on the same cores. It half-closes its
side once the request is sent (HTTP/1.1 allows it with ``Connection: close``): gunicorn
lingers after each response until the peer closes (RFC 9112 §9.6), and a worker would
otherwise sit idle until a client thread got the GIL back to close — the proxy that
normally fronts gunicorn (nginx) does not keep it waiting either.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret"
_FIELD = re.compile(r'name="(t|seq|item|page)" value="([^"]*)"')
_TIMING = re.compile(rb"\r\nServer-Timing: app;dur=([0-9.]+)", re.IGNORECASE)
_LENGTH = re.compile(rb"\r\nContent-Length: *([0-9]+)", re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(env: dict[str, str], learners: int, module_id: str) -> list[str]:
    """Migrate, register a platform and launch ``learners`` learners; return their tokens."""
    os.environ.update(env)
    from lti_tool import create_app
    from lti_tool.db import upgrade_database
    from lti_tool.extensions import db
    from lti_tool.launch import tokens
    from lti_tool.models import Context, Deployment, LaunchSession, Platform, ResourceLink, User
    from lti_tool.models.base import utcnow
    from lti_tool.registration.services import PlatformInput, add_platform

    app = create_app()
    upgrade_database(app)
    with app.app_context():
        add_platform(PlatformInput(
            issuer="https://lms.bench", client_id="bench", deployment_ids=("d1",),
            auth_login_url="https://lms.bench/auth", token_url="https://lms.bench/token",
            jwks_url="https://lms.bench/jwks"))
        platform = db.session.query(Platform).one()
        deployment = db.session.query(Deployment).one()
        context = Context(platform_id=platform.id, deployment_pk=deployment.id,
                          context_id="course-1", title="Bench")
        db.session.add(context)
        db.session.flush()
        link = ResourceLink(context_pk=context.id, resource_link_id="rl-1", title="Bench",
                            module_id=module_id, lineitem_url="https://lms.bench/li/1",
                            ags_scopes=[])
        db.session.add(link)
        out = []
        now = utcnow()
        for n in range(learners):
            user = User(platform_id=platform.id, sub=f"learner-{n}", name=f"Learner {n}")
            db.session.add(user)
            db.session.flush()
            session = LaunchSession(
                id=f"bench{n:06d}", platform_id=platform.id, deployment_pk=deployment.id,
                user_pk=user.id, context_pk=context.id, resource_link_pk=link.id,
                message_type="LtiResourceLinkRequest", role="learner", roles=[], claims={},
                locale="en", return_url="https://lms.bench/course", confirmed=True,
                created_at=now, expires_at=now + timedelta(hours=12))
            db.session.add(session)
            out.append(tokens.issue(SECRET, session.id))
        db.session.commit()
        db.engine.dispose()
    return out


@dataclass
class Stats:
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    errors: int = 0
    finished: int = 0


def _request(port: int, method: str, path: str, body: str | None):
    """One request on a new connection; (status, server ms or None, body text, client ms)."""
    payload = (body or "").encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if body is not None:
        head += ("Content-Type: application/x-www-form-urlencoded\r\n"
                 f"Content-Length: {len(payload)}\r\n")
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n" + payload)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        end = length = -1
        while True:
            chunk = sock.recv(262144)
            if not chunk:
                break
            data += chunk
            if end < 0 and (end := data.find(b"\r\n\r\n")) >= 0:
                match = _LENGTH.search(data, 0, end + 2)
                length = int(match.group(1)) if match else -1
            if end >= 0 and length >= 0 and len(data) >= end + 4 + length:
                break  # the whole body is here: do not wait for the close
    elapsed = (time.perf_counter() - t0) * 1000
    if end < 0:
        raise OSError(f"no HTTP response header from {path}")
    timing = _TIMING.search(data, 0, end + 2)
    return (int(data[9:12]), float(timing.group(1)) if timing else None,
            data[end + 4:].decode(), elapsed)


def _learner_loop(port: int, queue: list[str], lock: threading.Lock, stop: float,
                  module, stats: Stats) -> None:
    from lti_tool.runner.answers import correct_form

    html = ""
    token = None
    while time.perf_counter() < stop:
        if token is None:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            status, _, html, _ = _request(port, "GET", "/activity?" + urlencode({"t": token}),
                                          None)
        fields = dict(_FIELD.findall(html))
        if "next-form" in html:  # the answer's feedback in place: "Next" (not an answer)
            status, _, html, _ = _request(port, "GET", "/activity?" + urlencode(
                {"t": fields["t"]}), None)
            continue
        if "item" in fields:
            form = {"t": fields["t"], "seq": fields["seq"], "item": fields["item"],
                    **correct_form(module.item(fields["item"]))}
            path = "/activity/answer"
        elif "page" in fields:
            form = {"t": fields["t"], "seq": fields["seq"], "page": fields["page"]}
            path = "/activity/page"
        else:  # finished: next learner
            stats.finished += 1
            token = None
            continue
        status, timing, html, elapsed = _request(port, "POST", path, urlencode(form, doseq=True))
        if status != 200:
            stats.errors += 1
            token = None
            continue
        if timing is not None:
            stats.server_ms.append(timing)
        stats.client_ms.append(elapsed)


def _healthz_loop(port: int, stop: float, stats: Stats) -> None:
    while time.perf_counter() < stop:
        status, _, _, elapsed = _request(port, "GET", "/healthz", None)
        if status != 200:
            stats.errors += 1
        stats.client_ms.append(elapsed)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run(threads: int, target, args) -> float:
    workers = [threading.Thread(target=target, args=args) for _ in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - t0


def _client_cpu() -> float:
    """CPU seconds (user + system) of this process: the client threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(master: int) -> tuple[float, float, float]:
    """CPU seconds (user + system) from /proc: gunicorn (master and workers), PostgreSQL, Redis.

    PostgreSQL's are those of every local ``postgres`` process (0 when the database is
    elsewhere or SQLite, which runs inside the workers); Redis's of every local
    ``redis-server``.
    """
    tick = os.sysconf("SC_CLK_TCK")
    server = database = redis = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                name, _, rest = fh.read().partition(" (")[2].rpartition(")")
                fields = rest.split()
        except OSError:  # the process ended meanwhile
            continue
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry) == master or int(fields[1]) == master:  # fields[1]: the parent pid
            server += cpu
        elif name == "postgres":
            database += cpu
        elif name == "redis-server":
            redis += cpu
    return server, database, redis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--redis-url", default="",
                        help="job queue and cache in Redis (default: SQLite queue file)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=20.0)
    # Enough for the whole run at ~500 answers/s (an always-correct learner takes ~7 steps):
    # once they have all finished, client threads stop and the rate drops.
    parser.add_argument("--learners", type=int, default=1500)
    parser.add_argument("--module", default="fractions")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="bw-bench-")
    env = {"BRANCHWISE_INSTANCE_PATH": instance, "BRANCHWISE_SECRET_KEY": SECRET,
           "BRANCHWISE_BASE_URL": "http://127.0.0.1", "BRANCHWISE_LOG_LEVEL": "WARNING"}
    if opts.database_url:
        env["BRANCHWISE_DATABASE_URL"] = opts.database_url
        _reset_postgres(opts.database_url)
    if opts.redis_url:
        env["BRANCHWISE_REDIS_URL"] = opts.redis_url
    tokens = seed(env, opts.learners, opts.module)
    from adaptive.modules.loader import parse_module
    from adaptive.samples import sample_text

    module, _ = parse_module(sample_text(opts.module), opts.module)

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", str(opts.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "lti_tool:create_app()"],
        env={**os.environ, **env}, cwd=str(ROOT))
    try:
        _wait_up(port)
        # Warm up both workers (imports, module parse, render cache) on a few learners.
        warm = Stats()
        warm_tokens = [tokens.pop() for _ in range(min(20, len(tokens) // 4))]
        _run(4, _learner_loop, (port, warm_tokens, threading.Lock(), time.perf_counter() + 3,
                                module, warm))
        base = Stats()
        base_s = _run(opts.clients, _healthz_loop,
                      (port, time.perf_counter() + opts.seconds / 2, base))
        step = Stats()
        cpu0 = _client_cpu(), *_process_cpu(server.pid)
        step_s = _run(opts.clients, _learner_loop,
                      (port, tokens, threading.Lock(), time.perf_counter() + opts.seconds,
                       module, step))
        cpu1 = _client_cpu(), *_process_cpu(server.pid)
        if not tokens:
            print("warning: every learner finished before the time was up; the tail of the "
                  "run had idle clients (raise --learners)", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)

    result = {
        "database": "postgresql" if opts.database_url else "sqlite",
        "queue": "redis" if opts.redis_url else "sqlite",
        "workers": opts.workers, "clients": opts.clients, "seconds": round(step_s, 1),
        "answers": len(step.server_ms), "errors": step.errors, "learners_finished": step.finished,
        "server_ms_p50": round(statistics.median(step.server_ms), 2),
        "server_ms_p99": round(_pct(step.server_ms, 0.99), 2),
        "client_ms_p50": round(statistics.median(step.client_ms), 2),
        "client_ms_p99": round(_pct(step.client_ms, 0.99), 2),
        "answers_per_s": round(len(step.client_ms) / step_s, 1),
        "healthz_client_ms_p50": round(statistics.median(base.client_ms), 2),
        "healthz_client_ms_p99": round(_pct(base.client_ms, 0.99), 2),
        "healthz_per_s": round(len(base.client_ms) / base_s, 1),
        "client_cpu_ms_per_answer": round((cpu1[0] - cpu0[0]) * 1000 / len(step.client_ms), 2),
        "server_cpu_ms_per_answer": round((cpu1[1] - cpu0[1]) * 1000 / len(step.client_ms), 2),
        "database_cpu_ms_per_answer": round(
            (cpu1[2] - cpu0[2]) * 1000 / len(step.client_ms), 2),
        "redis_cpu_ms_per_answer": round((cpu1[3] - cpu0[3]) * 1000 / len(step.client_ms), 2),
    }
    result["ratio_latency_p50"] = round(
        result["client_ms_p50"] / result["healthz_client_ms_p50"], 2)
    result["ratio_throughput"] = round(result["answers_per_s"] / result["healthz_per_s"], 2)
    print(json.dumps(result, indent=None if opts.json else 2))


def _wait_up(port: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
