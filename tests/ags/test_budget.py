"""The per-platform budget after rate limits: scores still leave (issue 20, the 429 bug).

Root cause of ``test_faults.py::...[429]`` leaving a score unsettled: a job booked
its sending time with ``reserve_send`` (which moves the platform's ``next_slot_at``
on by the spacing) and then, after waiting for that time, asked whether a 429 had
come for another worker meanwhile by comparing ``next_slot_at`` with its own time
plus 0.5 s. Once four rate-limit answers had widened the spacing to 0.8 s (0.1, 0.2,
0.4, 0.8), its own booking always looked like a block: every job deferred itself,
came back, booked again and deferred again, and no score ever left, whatever the
wait (the spacing only narrows on an accepted score). With several jobs booked
back to back the same happened at smaller spacings.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lti_tool.ags import delivery, pacing
from lti_tool.ags.passback import submit_progress
from lti_tool.extensions import db
from lti_tool.models import Platform, PlatformBudget

from .conftest import attempt_for, launch
from .stack import ToolStack


def _platform_id(stack: ToolStack) -> int:
    with stack.tool_app.app_context():
        return db.session.scalars(select(Platform.id)).one()


def _widen_spacing(stack: ToolStack, answers: int) -> float:
    """``answers`` rate-limit answers, each after the previous block ended (as when the
    platform refuses one score at a time); returns the spacing they left."""
    pid = _platform_id(stack)
    with stack.tool_app.app_context():
        pacing.budget_for(pid)
        for _ in range(answers):
            pacing.note_rate_limited(pid, 0.0)  # Retry-After 0: the block is over at once
        return db.session.get(PlatformBudget, pid, populate_existing=True).interval


def _record(stack: ToolStack, user: str, score: float) -> int:
    with stack.tool_app.app_context():
        sid = submit_progress(attempt_for(user), score=score, score_maximum=10, comment="",
                              completed=True)
        db.session.commit()
        delivery.enqueue_committed([sid])
        return sid


def test_a_score_leaves_after_four_rate_limits_widened_the_spacing(make_stack):
    stack = make_stack()
    launch(stack, "alice")
    assert _widen_spacing(stack, 4) == pytest.approx(0.8)  # the state the 429 case reached
    sid = _record(stack, "alice", 0.7)
    with stack.tool_app.app_context():
        outcome = delivery.deliver(sid, stack.tool_app.config["BRANCHWISE"])
    # Before the fix: "deferred" ("platform rate limit"), on every attempt, forever.
    assert outcome.status == "sent", outcome
    assert stack.applied("alice")["scoreGiven"] == 7.0


def test_bookings_made_by_other_workers_while_waiting_are_not_a_block(make_stack, monkeypatch):
    """Two other workers book the next times (0.4 s apart) while this job waits for its
    own: no 429 came, so the score leaves at its time."""
    stack = make_stack()
    launch(stack, "alice")
    assert _widen_spacing(stack, 3) == pytest.approx(0.4)
    sid = _record(stack, "alice", 0.5)
    pid = _platform_id(stack)
    real_sleep = delivery._sleep_until

    def sleep_while_others_book(when: float) -> None:
        pacing.reserve_send(pid)
        pacing.reserve_send(pid)
        real_sleep(when)

    monkeypatch.setattr(delivery, "_sleep_until", sleep_while_others_book)
    with stack.tool_app.app_context():
        outcome = delivery.deliver(sid, stack.tool_app.config["BRANCHWISE"])
    assert outcome.status == "sent", outcome


def test_a_429_for_another_worker_while_waiting_still_defers(make_stack, monkeypatch):
    """What the check is for: a block that came in while this job waited is honoured."""
    stack = make_stack()
    launch(stack, "alice")
    sid = _record(stack, "alice", 0.3)
    pid = _platform_id(stack)
    real_sleep = delivery._sleep_until
    calls = []

    def sleep_and_meanwhile_a_429(when: float) -> None:
        if not calls:
            pacing.note_rate_limited(pid, 2.0)  # another worker's POST was refused
        calls.append(when)
        real_sleep(when)

    monkeypatch.setattr(delivery, "_sleep_until", sleep_and_meanwhile_a_429)
    with stack.tool_app.app_context():
        t0 = time.time()
        outcome = delivery.deliver(sid, stack.tool_app.config["BRANCHWISE"])
    assert outcome.status == "deferred" and outcome.error == "platform rate limit"
    assert t0 + outcome.delay >= t0 + 1.9  # after the other worker's Retry-After
    assert stack.applied("alice") is None  # nothing was posted into the block
