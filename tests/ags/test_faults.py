"""A real huey consumer (threads, SQLite queue file) delivering through injected faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from lti_tool.ags import delivery
from lti_tool.ags.passback import submit_progress
from lti_tool.extensions import db
from lti_tool.jobs.worker import make_consumer
from lti_tool.models import ScoreSubmission

from .conftest import attempt_for, launch
from .stack import ToolStack, wait_for

USERS = ("alice", "bob", "chen")


def _run_consumer(stack: ToolStack) -> Iterator[ToolStack]:
    for user in USERS:
        launch(stack, user)
    consumer = make_consumer(stack.tool_app, workers=3, max_delay=0.1)
    consumer._set_signal_handlers = lambda: None  # pytest owns the main thread's signals
    consumer.start()
    yield stack
    consumer.stop(graceful=True)


@pytest.fixture
def running(make_stack) -> Iterator[ToolStack]:
    """A stack whose tool app has a consumer running in threads."""
    yield from _run_consumer(make_stack())


@pytest.fixture
def running_on_redis(make_stack, redis_url) -> Iterator[ToolStack]:
    """The same with Redis as the queue (and the shared cache), as several hosts use it."""
    stack = make_stack(redis_url=redis_url)
    from lti_tool.jobs.queue import get_queue

    get_queue(stack.tool_app).flush()  # no jobs left over from an earlier run
    yield from _run_consumer(stack)


def _submit_rounds(stack: ToolStack, rounds: int) -> dict[str, float]:
    """Each learner progresses ``rounds`` times; returns each one's final expected score."""
    final = {}
    with stack.tool_app.app_context():
        for i in range(1, rounds + 1):
            for n, user in enumerate(USERS):
                score = round((i + n) / (rounds + len(USERS)), 4)
                sid = submit_progress(attempt_for(user), score=score, score_maximum=10,
                                      comment=f"round {i}", completed=i == rounds)
                db.session.commit()
                delivery.enqueue_committed([sid])
                final[user] = round(score * 10, 4)
    return final


def _settled(stack: ToolStack) -> list[ScoreSubmission] | None:
    with stack.tool_app.app_context():
        rows = list(db.session.scalars(select(ScoreSubmission)))
        db.session.expunge_all()
    return rows if rows and all(r.status in ("sent", "superseded") for r in rows) else None


def _check_final(stack: ToolStack, final: dict[str, float]) -> None:
    for user, expected in final.items():
        held = stack.applied(user)
        assert held is not None and held["scoreGiven"] == expected, (user, held)
        assert held["activityProgress"] == "Completed"


@pytest.mark.slow
@pytest.mark.parametrize("fault", [
    {"mode": "status", "status": 500, "count": 6},
    # Four 429s, each after the previous block ended, widen the spacing to 0.8 s: a job
    # once took its own booking for a block and no score ever left (test_budget.py).
    {"mode": "status", "status": 429, "retry_after": 1, "count": 4},
    {"mode": "down", "count": 6},
    {"mode": "slow", "seconds": 3, "count": 2},  # longer than http_timeout: a timeout
], ids=["500", "429", "down", "slow"])
def test_every_final_score_arrives_through_faults(running, fault):
    running.set_faults({"scores": fault})
    final = _submit_rounds(running, 4)
    rows = wait_for(lambda: _settled(running), timeout=60, what="all scores settled")
    _check_final(running, final)
    state = running.state()
    assert state["fault_hits"].get("scores", 0) >= 1
    assert state["tokens_issued"] == 1  # cached in the shared cache across jobs and threads
    if fault.get("status") == 429:
        # A rate limit is the platform's state, not the score's: no try is used up.
        assert all(r.tries <= 1 for r in rows)
    else:
        # The faulted attempt was retried, or a newer score of that learner replaced it
        # before the retry (supersede before sending) and was sent instead.
        assert any(r.tries > 1 for r in rows) or any(
            r.status == "superseded" and r.tries >= 1 for r in rows)
    sent = [s for s in state["scores"] if s["applied"]]
    assert len(sent) >= len(USERS)


@pytest.mark.slow
@pytest.mark.redis
def test_every_final_score_arrives_through_429s_with_redis_as_the_queue(running_on_redis):
    running_on_redis.set_faults({"scores": {"mode": "status", "status": 429,
                                            "retry_after": 1, "count": 4}})
    final = _submit_rounds(running_on_redis, 4)
    rows = wait_for(lambda: _settled(running_on_redis), timeout=60, what="all scores settled")
    _check_final(running_on_redis, final)
    assert running_on_redis.state()["fault_hits"]["scores"] == 4
    assert all(r.tries <= 1 for r in rows)


@pytest.mark.slow
def test_token_endpoint_down_then_recovers(running):
    running.set_faults({"token": {"mode": "status", "status": 503, "count": 3}})
    final = _submit_rounds(running, 2)
    wait_for(lambda: _settled(running), timeout=60, what="all scores settled")
    _check_final(running, final)
    assert running.state()["tokens_issued"] == 1


@pytest.mark.slow
def test_expired_token_is_renewed_once(running):
    final = _submit_rounds(running, 1)
    wait_for(lambda: _settled(running), timeout=30, what="first round")
    running.expire_tokens()  # the platform revokes early; our cache still holds it
    with running.tool_app.app_context():
        sid = submit_progress(attempt_for("alice"), score=1.0, score_maximum=10,
                              comment="done", completed=True)
        db.session.commit()
        delivery.enqueue_committed([sid])
    final["alice"] = 10.0
    wait_for(lambda: _settled(running), timeout=30, what="second round")
    _check_final(running, final)
    assert running.state()["tokens_issued"] == 2


@pytest.mark.slow
def test_gives_up_into_failed_list_then_replay(running):
    """Still 503 after grade_retry_max tries: failed with the reason, replay sends it."""
    running.set_faults({"scores": {"mode": "down"}})
    with running.tool_app.app_context():
        sid = submit_progress(attempt_for("alice"), score=0.5, score_maximum=10, comment="",
                              completed=True)
        db.session.commit()
        delivery.enqueue_committed([sid])

    def failed():
        with running.tool_app.app_context():
            return delivery.list_submissions(failed_only=True)

    (row,) = wait_for(failed, timeout=60, what="the score to give up")
    assert row["tries"] == 8 and "gave up after 8 tries" in row["last_error"]
    running.set_faults({})
    with running.tool_app.app_context():
        assert delivery.replay(all_failed=True) == [row["id"]]
    wait_for(lambda: _settled(running), timeout=30, what="the replayed score")
    assert running.applied("alice")["scoreGiven"] == 5.0
