"""A synchronized start (issue 20 item 5): N learners launch within a window, answer 12 steps.

The tool runs as real processes: ``branchwise serve`` (gunicorn) × ``--serves`` and one
``branchwise worker``; the demo LMS (``lti1p3platform``) runs in this process and limits
AGS scores to ``--score-rate``/s, answering 429 + Retry-After above it. Halfway through,
one gunicorn web worker is SIGKILLed (its master starts another) and the queue worker is
SIGKILLed and started again. Learners are spread over the serve processes (a load
balancer). The learners run in ``--client-procs`` processes of their own, so the load
generator does not share a GIL with the LMS. How fast learners answer (``--pace``):
``assistments`` (the default) draws each step's reading-and-answering time from real
learners' first-response times (``bench/pacing.py``; ``--think-scale`` compresses it, a busier
room than the data); ``uniform`` draws it from 0.4–1.6 × ``--think``; ``closed`` answers as soon
as the page arrives, a stress test in which ``--clients`` learners keep the tool saturated
(its latencies are then clients ÷ throughput, Little's law, not an exam room's).

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
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adaptive.samples import load_sample  # noqa: E402
from bench.pacing import Pace, first_response_seconds  # noqa: E402
from lti_tool.demo_platform import get_platform  # noqa: E402
from lti_tool.runner.answers import correct_form  # noqa: E402
from tests.support.lms_client import parse_form  # noqa: E402
from tests.support.process_stack import start_process_stack  # noqa: E402

CLIENT_ID, DEPLOYMENT_ID = "exam-client", "exam-deployment"
HIDDEN = re.compile(r'name="(t|seq|item|page)" value="([^"]*)"')
APP_TIMING = re.compile(r"app;dur=([0-9.]+)")
CANONICAL = re.compile(r'name="bw-canonical-url" content="([^"]*)"')


@dataclass
class Stats:
    """Counters and timings of the learners of one client process (merged in the parent)."""

    launch_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)
    # The runner's own time of each answer (its Server-Timing header): the rest of
    # answer_s is waiting in front of the app (gunicorn's backlog, a core) and the client.
    answer_app_s: list[float] = field(default_factory=list)
    accepted: int = 0
    errors_5xx: list[tuple[float, int]] = field(default_factory=list)
    failed_learners: int = 0
    failures: list[str] = field(default_factory=list)
    late_start_s: float = 0.0  # how late this process was for the common start
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            (self.launch_s if kind == "launch" else self.answer_s).append(seconds)

    def plain(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "lock"}

    def merge(self, other: dict) -> None:
        for key, value in other.items():
            if key == "late_start_s":
                self.late_start_s = max(self.late_start_s, value)
            else:
                setattr(self, key, getattr(self, key) + value)


def learner(user: str, tool_url: str, platform_url: str, module, stats: Stats,
            steps: int, pace: Pace) -> None:
    """One learner: launch, then ``steps`` answers/pages (a 5xx is retried once), each
    after a reading-and-answering time drawn from ``pace``."""
    http = requests.Session()
    pause = random.Random(user)
    page = None
    for _attempt in range(2):
        # A launch cut by the worker's kill (or answered 5xx) is clicked again once, as a
        # learner would; both are counted.
        login = requests.get(f"{platform_url}/_test/launch_url",
                             params={"user": user, "link": "rl-exam"}, timeout=60).json()["url"]
        t0 = time.perf_counter()
        try:
            auth = http.get(login, timeout=60)  # tool login -> 302 -> LMS auth (form)
            form = parse_form(auth.text, auth.url)
            page = http.post(form.action, data=form.fields, timeout=60)
        except requests.RequestException:
            page = None
            with stats.lock:
                stats.errors_5xx.append((time.time(), 0))
            continue
        stats.add("launch", time.perf_counter() - t0)
        if page.status_code < 500:
            break
        with stats.lock:
            stats.errors_5xx.append((time.time(), page.status_code))
    if page is None or page.status_code != 200:
        with stats.lock:
            stats.failed_learners += 1
            stats.failures.append(f"launch answered {page.status_code if page else 'nothing'}"
                                  f": {page.text[:160] if page else ''}")
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
        if pace.paced:
            time.sleep(pace.draw(pause))
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


def run_learners(numbers: list[int], users: list[str], tool_urls: list[str],
                 platform_url: str, start: float, window: float, total: int, steps: int,
                 pace: Pace, threads: int) -> dict:
    """One client process: its share of the learners, each launching at its moment of the
    window (``start`` is wall-clock time, common to every process)."""
    import logging

    logging.getLogger("urllib3").setLevel(logging.ERROR)
    module = load_sample("fractions")
    stats = Stats(late_start_s=max(0.0, time.time() - start))

    def run(n: int, user: str) -> None:
        delay = start + window * n / total - time.time()
        if delay > 0:
            time.sleep(delay)
        tool = tool_urls[n % len(tool_urls)]
        try:
            learner(user, tool, platform_url, module, stats, steps, pace)
        except Exception as exc:  # counted, and why (a request cut by the kill, ...)
            with stats.lock:
                stats.failed_learners += 1
                stats.failures.append(f"{type(exc).__name__}: {str(exc)[:160]}")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, numbers, users))
    return stats.plain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--window", type=float, default=30.0, help="launch window, seconds")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--serves", type=int, default=1)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--pace", choices=("assistments", "uniform", "closed"),
                        default="assistments",
                        help="assistments: each step takes a real learner's first-response "
                             "time (bench/pacing.py); uniform: 0.4-1.6 x --think; closed: "
                             "answer as soon as the page arrives (--clients learners at once)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="--pace uniform: mean seconds a learner takes over a step")
    parser.add_argument("--think-scale", type=float, default=1.0,
                        help="--pace assistments: multiply the measured times (0.25: a room "
                             "four times faster than the data)")
    parser.add_argument("--think-cap", type=float, default=120.0,
                        help="--pace assistments: longest time on a step, seconds (the "
                             "data's long tail is learners who left; capping it keeps them "
                             "in the room)")
    parser.add_argument("--clients", type=int, default=64,
                        help="--pace closed: learners answering at once")
    parser.add_argument("--client-procs", type=int, default=2,
                        help="processes the simulated learners run in")
    parser.add_argument("--score-rate", type=float, default=10.0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--settle", type=float, default=300.0)
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="exam-day-"))
    stack = start_process_stack(
        tmp, database_url=args.database_url or None, redis_url=args.redis_url or None,
        serves=args.serves, web_workers=args.web_workers, client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID, platform_settings={"score_rate": args.score_rate},
        extra_env={
            "BRANCHWISE_SECRET_KEY": "exam-" + "k" * 40, "BRANCHWISE_LOG_LEVEL": "WARNING",
            # The demo LMS is on 127.0.0.1 (outbound calls there are refused by default),
            # and every simulated learner comes from 127.0.0.1 (a per-address login limit
            # meant for one network would refuse the synchronized start).
            "BRANCHWISE_OUTBOUND_ALLOW_PRIVATE": "true",
            "BRANCHWISE_LOGIN_RATE_LIMIT": "1000000"})
    platform_url, database_url, serves = stack.platform_url, stack.database_url, stack.serves
    p = get_platform(stack.platform_app)
    users = p.store.add_learners(args.learners)
    p.store.add_resource_link("Exam", stack.urls[0] + "/lti/launch",
                              custom={"module": "fractions"}, link_id="rl-exam")

    def start_worker() -> subprocess.Popen:
        return stack.start_worker("--workers", "4", "--max-delay", "0.5")

    worker = start_worker()

    if args.pace == "assistments":
        pace = Pace(times=tuple(first_response_seconds()), scale=args.think_scale,
                    cap=args.think_cap)
    elif args.pace == "uniform":
        pace = Pace(mean=args.think)
    else:
        pace = Pace()
    procs = max(1, min(args.client_procs, args.learners))
    per_proc = -(-args.learners // procs)
    threads = per_proc if pace.paced else max(1, args.clients // procs)
    stats = Stats()
    kill_at = {}
    # The client processes start (import the tool's code, parse the module) before the
    # common start, so none of them is late for its first learners.
    start = time.time() + 12.0

    def killer() -> None:
        time.sleep(max(0.0, start + args.window * 0.6 - time.time()))
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
    jobs = []
    for i in range(procs):
        numbers = list(range(i, args.learners, procs))
        jobs.append((numbers, [users[n] for n in numbers], stack.urls, platform_url, start,
                     args.window, args.learners, args.steps, pace, threads))
    # spawn, not fork: this process runs the LMS's and the stack's threads.
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        for part in pool.starmap(run_learners, jobs):
            stats.merge(part)
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
    stack.stop()

    def p95(values: list[float]) -> float:
        values = sorted(values)
        return round(values[int(0.95 * (len(values) - 1))] * 1000, 1) if values else 0.0

    near_kill = [e for e in stats.errors_5xx
                 if any(abs(e[0] - t) < 5 for t in kill_at.values())]
    result = {
        "learners": args.learners, "window_s": args.window,
        "learners_done_after_s": round(end - start, 1), "pace": args.pace,
        "mean_think_s": round(pace.expected(), 1), "serves": args.serves,
        "web_workers": args.web_workers,
        "clients_at_once": args.learners if pace.paced else args.clients,
        "client_procs": procs, "client_late_start_s": round(stats.late_start_s, 1),
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
        "learners_failed": stats.failed_learners, "failures": stats.failures[:5],
        "final_grades_equal": f"{same}/{total}",
        "grades_settled_after_s": None if settled_after is None else round(settled_after, 1),
        "score_rows": statuses, "lms": p.ags.as_dict(),
        "database_bytes": size,
        "database_mb_per_1000_learners": round(size / 1e6 * 1000 / args.learners, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
