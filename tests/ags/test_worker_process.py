"""``branchwise worker`` as a real process: SIGKILL it mid-queue, restart, nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.ags import delivery
from lti_tool.ags.passback import submit_progress
from lti_tool.extensions import db
from lti_tool.models import ScoreSubmission

from .conftest import attempt_for, launch
from .stack import ToolStack, wait_for

ROOT = Path(__file__).resolve().parents[2]
USERS = ("alice", "bob", "chen")


def _start_worker(stack: ToolStack, log: Path) -> subprocess.Popen:
    env = {**os.environ, **{f"BRANCHWISE_{k.upper()}": str(v)
                            for k, v in stack.settings.items() if k.islower()}}
    cmd = [sys.executable, "-c", "from lti_tool.cli import main; main()",
           "worker", "--workers", "2", "--max-delay", "0.2"]
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _rows(stack: ToolStack) -> list[ScoreSubmission]:
    with stack.tool_app.app_context():
        rows = list(db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)))
        db.session.expunge_all()
        return rows


@pytest.mark.slow
def test_killed_worker_loses_no_score(make_stack, tmp_path):
    stack = make_stack()
    for user in USERS:
        launch(stack, user)
    stack.set_faults({"scores": {"mode": "down"}})  # every score post answers 503 for now
    log = tmp_path / "worker.log"
    worker = _start_worker(stack, log)
    try:
        final = {}
        with stack.tool_app.app_context():
            for i in range(1, 4):
                for n, user in enumerate(USERS):
                    score = round((i + n) / 10, 4)
                    sid = submit_progress(attempt_for(user), score=score, score_maximum=10,
                                          comment=f"round {i}", completed=i == 3)
                    db.session.commit()
                    delivery.enqueue_committed([sid])
                    final[user] = round(score * 10, 4)
        wait_for(lambda: stack.state()["fault_hits"].get("scores", 0) >= 12, timeout=60,
                 what="the worker to be retrying")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        rows = _rows(stack)
        # Older scores are superseded before sending; each learner's newest waits its turn.
        assert all(r.status in ("pending", "superseded") for r in rows)
        newest = {r.user_pk: r for r in rows}
        assert all(r.status == "pending" for r in newest.values())
        assert any(r.tries >= 2 for r in _rows(stack))

        # A score whose enqueue was lost (committed, never queued): the start-up sweep finds it.
        with stack.tool_app.app_context():
            submit_progress(attempt_for("alice"), score=1.0, score_maximum=10,
                            comment="lost enqueue", completed=True)
            db.session.commit()  # and not enqueued
        final["alice"] = 10.0

        stack.set_faults({"scores": {"mode": "slow", "seconds": 0.5}})  # recovering, slowly
        worker = _start_worker(stack, log)

        def settled():
            rows = _rows(stack)
            return all(r.status in ("sent", "superseded") for r in rows) and rows

        rows = wait_for(settled, timeout=90, what="every score after the restart")
    finally:
        worker.terminate()
        worker.wait(timeout=15)
    for user, expected in final.items():
        held = stack.applied(user)
        assert held is not None and held["scoreGiven"] == expected, (user, held, log.read_text())
    assert len(rows) == 10
    # One token for the whole run, across both worker processes: the cache is shared.
    assert stack.state()["tokens_issued"] == 1
