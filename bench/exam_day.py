"""A synchronized start (issue 20 item 5): N learners launch within a window, answer 12 steps.

The tool runs as real processes: ``branchwise serve`` (gunicorn) × ``--serves`` and one
``branchwise worker``; the demo LMS (``lti1p3platform``) runs in this process and limits
AGS scores to ``--score-rate``/s, answering 429 + Retry-After above it. Halfway through,
one gunicorn web worker is SIGKILLed (its master starts another) and the queue worker is
SIGKILLed and started again. Learners are spread over the serve processes (a load
balancer) and answer as fast as the tool answers.

Reported: 5xx outside the killed worker's requests in flight, answers the client saw
accepted vs recorded, learners whose final grade at the LMS equals the tool's within
``--settle`` seconds of the end, p95 answer and launch times, database size.

    .venv/bin/python bench/exam_day.py --learners 500                       # embedded SQLite
    .venv/bin/python bench/exam_day.py --learners 500 --serves 2 \\
        --database-url postgresql+psycopg://... --redis-url redis://...
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adaptive.samples import load_sample  # noqa: E402
from lti_tool.demo_platform import (  # noqa: E402
    PlatformSettings,
    ToolLink,
    bind_socket,
    get_platform,
    serve_in_thread,
)
from lti_tool.runner.answers import correct_form  # noqa: E402
from tests.support.demo_lms_hooks import create_test_platform_app  # noqa: E402
from tests.support.lms_client import parse_form  # noqa: E402

CLIENT_ID, DEPLOYMENT_ID = "exam-client", "exam-deployment"
HIDDEN = re.compile(r'name="(t|seq|item|page)" value="([^"]*)"')
APP_TIMING = re.compile(r"app;dur=([0-9.]+)")
CANONICAL = re.compile(r'name="bw-canonical-url" content="([^"]*)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stats:
    """Thread-safe counters and timings of the learners."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.launch_s: list[float] = []
        self.answer_s: list[float] = []
        # The runner's own time of each answer (its Server-Timing header): the rest of
        # answer_s is waiting in front of the app (gunicorn's backlog, a core) and the client.
        self.answer_app_s: list[float] = []
        self.accepted = 0
        self.errors_5xx: list[tuple[float, int]] = []
        self.failed_learners = 0

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            (self.launch_s if kind == "launch" else self.answer_s).append(seconds)


def learner(user: str, tool_url: str, platform_url: str, module, stats: Stats,
            steps: int, think: float = 0.0) -> None:
    """One learner: launch, then ``steps`` answers/pages (a 5xx is retried once), waiting
    ``think`` seconds (±50 %) before each answer, as a person reading the step would."""
    pace = random.Random(user)
    http = requests.Session()
    login = requests.get(f"{platform_url}/_test/launch_url",
                         params={"user": user, "link": "rl-exam"}, timeout=60).json()["url"]
    t0 = time.perf_counter()
    auth = http.get(login, timeout=60)  # tool login -> 302 -> LMS auth (form)
    form = parse_form(auth.text, auth.url)
    page = http.post(form.action, data=form.fields, timeout=60)
    stats.add("launch", time.perf_counter() - t0)
    if page.status_code >= 500:
        with stats.lock:
            stats.errors_5xx.append((time.time(), page.status_code))
    if page.status_code != 200:
        with stats.lock:
            stats.failed_learners += 1
        return
    html = page.text
    for _ in range(steps):
        fields = dict(HIDDEN.findall(html))
        if "item" not in fields and "page" not in fields and "next-form" in html:
            # The answer's feedback is shown in place; "Next" (a GET) shows the next step.
            try:
                resp = http.get(tool_url + "/activity", params={"t": fields.get("t", "")},
                                timeout=60)
            except requests.RequestException:
                resp = None
            if resp is None or resp.status_code >= 500:
                with stats.lock:
                    stats.errors_5xx.append((time.time(), resp.status_code if resp else 0))
            if resp is None or resp.status_code != 200:
                return
            html = resp.text
            fields = dict(HIDDEN.findall(html))
        if think > 0:
            time.sleep(think * pace.uniform(0.5, 1.5))
        if "item" in fields:
            path = "/activity/answer"
            data = {**fields, **correct_form(module.item(fields["item"]))}
        elif "page" in fields:
            path, data = "/activity/page", fields
        else:
            break
        for _attempt in range(2):
            t0 = time.perf_counter()
            try:
                resp = http.post(tool_url + path, data=data, timeout=60)
            except requests.RequestException:
                resp = None
            stats.add("answer", time.perf_counter() - t0)
            timing = APP_TIMING.search(resp.headers.get("Server-Timing", "")) if resp else None
            if timing:
                with stats.lock:
                    stats.answer_app_s.append(float(timing.group(1)) / 1000)
            if resp is not None and resp.status_code < 500:
                break
            with stats.lock:
                stats.errors_5xx.append((time.time(), resp.status_code if resp else 0))
        if resp is None or resp.status_code not in (200, 409):
            return
        if resp.status_code == 200 and path == "/activity/answer":
            with stats.lock:
                stats.accepted += 1
        html = resp.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--window", type=float, default=30.0, help="launch window, seconds")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--serves", type=int, default=1)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=64, help="client threads")
    parser.add_argument("--score-rate", type=float, default=10.0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--settle", type=float, default=300.0)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a learner reads a step before answering (±50 %%); "
                             "0: answer as soon as the page arrives (a closed loop of "
                             "--clients learners, the most the tool can take)")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="exam-day-"))
    ports = [_free_port() for _ in range(args.serves)]
    base = f"http://127.0.0.1:{ports[0]}"
    psock = bind_socket()
    platform_url = f"http://127.0.0.1:{psock.getsockname()[1]}"
    env = {**os.environ, "BRANCHWISE_INSTANCE_PATH": str(tmp / "instance"),
           "BRANCHWISE_BASE_URL": base, "BRANCHWISE_SECRET_KEY": "exam-" + "k" * 40,
           "BRANCHWISE_LOG_LEVEL": "WARNING",
           # The demo LMS is on 127.0.0.1 (outbound calls there are refused by default),
           # and every simulated learner comes from 127.0.0.1 (a per-address login limit
           # meant for one network would refuse the synchronized start).
           "BRANCHWISE_OUTBOUND_ALLOW_PRIVATE": "true",
           "BRANCHWISE_LOGIN_RATE_LIMIT": "1000000"}
    for key, value in (("BRANCHWISE_DATABASE_URL", args.database_url),
                       ("BRANCHWISE_REDIS_URL", args.redis_url)):
        if value:
            env[key] = value
        else:
            env.pop(key, None)

    from lti_tool import create_app
    from lti_tool.db import upgrade_database
    from lti_tool.extensions import db
    from lti_tool.registration.services import PlatformInput, add_platform
    from tests.conftest import clean_tables

    overrides = {"instance_path": str(tmp / "instance"), "base_url": base,
                 **({"database_url": args.database_url} if args.database_url else {}),
                 **({"redis_url": args.redis_url} if args.redis_url else {})}
    tool_app = create_app(overrides)
    upgrade_database(tool_app)
    with tool_app.app_context():
        clean_tables()
        add_platform(PlatformInput(
            issuer=platform_url, client_id=CLIENT_ID, deployment_ids=(DEPLOYMENT_ID,),
            auth_login_url=platform_url + "/auth", token_url=platform_url + "/token",
            jwks_url=platform_url + "/.well-known/jwks.json"))
        database_url = tool_app.config["SQLALCHEMY_DATABASE_URI"]
        db.engine.dispose()
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    platform_app = create_test_platform_app(PlatformSettings(
        issuer=platform_url, platform_storage=False, score_rate=args.score_rate,
        tool=ToolLink(CLIENT_ID, DEPLOYMENT_ID, base + "/lti/login", base + "/lti/launch",
                      base + "/lti/deep-link", base + "/.well-known/jwks.json")))
    p = get_platform(platform_app)
    users = p.store.add_learners(args.learners)
    p.store.add_resource_link("Exam", base + "/lti/launch", custom={"module": "fractions"},
                              link_id="rl-exam")
    platform = serve_in_thread(platform_app, sock=psock)

    cli = [sys.executable, "-m", "lti_tool.cli"]
    log = (tmp / "procs.log").open("ab")
    serves = [subprocess.Popen(cli + ["serve", "--port", str(port), "--workers",
                                      str(args.web_workers)], env=env, stdout=log, stderr=log)
              for port in ports]

    def start_worker() -> subprocess.Popen:
        return subprocess.Popen(cli + ["worker", "--workers", "4", "--max-delay", "0.5"],
                                env=env, stdout=log, stderr=log)

    worker = start_worker()
    for port in ports:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)

    module = load_sample("fractions")
    stats = Stats()
    kill_at = {}
    start = time.time()

    def run(n: int) -> None:
        delay = start + args.window * n / args.learners - time.time()
        if delay > 0:
            time.sleep(delay)
        tool = f"http://127.0.0.1:{ports[n % len(ports)]}"
        try:
            learner(users[n], tool, platform_url, module, stats, args.steps, args.think)
        except Exception:
            with stats.lock:
                stats.failed_learners += 1

    def killer() -> None:
        time.sleep(args.window * 0.6)
        children = subprocess.run(["pgrep", "-P", str(serves[0].pid)], capture_output=True,
                                  text=True).stdout.split()
        if children:
            os.kill(int(children[0]), signal.SIGKILL)  # one gunicorn web worker
            kill_at["web"] = time.time()
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kill_at["queue"] = time.time()
        time.sleep(2.0)

    killing = threading.Thread(target=killer)
    killing.start()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(run, range(args.learners)))
    killing.join()
    worker = start_worker()
    end = time.time()

    engine = create_engine(database_url)

    def grades_match() -> tuple[int, int]:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT u.sub, s.score_given, s.activity_progress FROM score_submissions s "
                "JOIN users u ON u.id = s.user_pk ORDER BY s.id")).all()
        newest = {sub: (given, prog) for sub, given, prog in rows}
        held = {}
        with p.store.lock:
            for r in p.store.scores:
                if r.applied:
                    held[r.user_id] = (r.score.get("scoreGiven"), r.score["activityProgress"])
        same = sum(1 for sub, v in newest.items() if held.get(sub) == v)
        return same, len(newest)

    settled_after = None
    while time.time() - end < args.settle:
        same, total = grades_match()
        if same == total:
            settled_after = time.time() - end
            break
        time.sleep(2.0)
    same, total = grades_match()
    with engine.connect() as conn:
        recorded = conn.execute(text("SELECT count(*) FROM answer_events")).scalar()
        statuses = dict(conn.execute(text(
            "SELECT status, count(*) FROM score_submissions GROUP BY status")).all())
        if engine.dialect.name == "postgresql":
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        else:
            size = Path(engine.url.database).stat().st_size
    engine.dispose()
    for proc in (*serves, worker):
        proc.terminate()
    for proc in (*serves, worker):
        proc.wait(timeout=30)
    platform.stop()
    log.close()

    def p95(values: list[float]) -> float:
        values = sorted(values)
        return round(values[int(0.95 * (len(values) - 1))] * 1000, 1) if values else 0.0

    near_kill = [e for e in stats.errors_5xx
                 if any(abs(e[0] - t) < 5 for t in kill_at.values())]
    result = {
        "learners": args.learners, "serves": args.serves, "web_workers": args.web_workers,
        "clients": args.clients, "think_s": args.think,
        "database": "postgresql" if args.database_url.startswith("postgresql") else "sqlite",
        "redis": bool(args.redis_url), "score_rate_limit": args.score_rate,
        "launch_p95_ms": p95(stats.launch_s),
        "launch_median_ms": round(statistics.median(stats.launch_s) * 1000, 1),
        "answer_p95_ms": p95(stats.answer_s),
        "answer_median_ms": round(statistics.median(stats.answer_s) * 1000, 1),
        "answer_app_p95_ms": p95(stats.answer_app_s),
        "answer_app_median_ms": round(statistics.median(stats.answer_app_s) * 1000, 1)
        if stats.answer_app_s else None,
        "answers_accepted": stats.accepted, "answers_recorded": recorded,
        "5xx_total": len(stats.errors_5xx), "5xx_within_5s_of_a_kill": len(near_kill),
        "learners_failed": stats.failed_learners,
        "final_grades_equal": f"{same}/{total}",
        "grades_settled_after_s": None if settled_after is None else round(settled_after, 1),
        "score_rows": statuses, "lms": p.ags.as_dict(),
        "database_bytes": size,
        "database_mb_per_1000_learners": round(size / 1e6 * 1000 / args.learners, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
