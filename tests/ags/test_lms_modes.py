"""No grade lost on an LMS that behaves like Moodle or Canvas (issue 20, items 1 and 2).

The demo LMS is switched into ``moodle`` mode (whole-second timestamps, its own
processing time kept for in-progress scores, 409 on a timestamp not newer) or
``canvas`` mode (400 on an older timestamp, 403 "Rate Limit Exceeded"), with or
without a score rate limit; the tool delivers over real HTTP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from sqlalchemy import select

from lti_tool.ags import client as ags
from lti_tool.ags import delivery
from lti_tool.ags.passback import submit_progress
from lti_tool.demo_platform import get_platform
from lti_tool.extensions import db
from lti_tool.jobs.worker import make_consumer
from lti_tool.models import Platform, PlatformBudget, ResourceLink, ScoreSubmission, User

from .conftest import attempt_for, launch
from .stack import ToolStack, wait_for


def _behave(stack: ToolStack, **config) -> None:
    requests.post(f"{stack.platform_url}/_test/ags", json=config, timeout=10).raise_for_status()


def _counters(stack: ToolStack) -> dict:
    return requests.get(f"{stack.platform_url}/_test/ags", timeout=10).json()


def _set_product(stack: ToolStack, product: str) -> None:
    with stack.tool_app.app_context():
        for p in db.session.scalars(select(Platform)):
            p.product = product
        db.session.commit()


def _record(stack: ToolStack, user: str, score: float | None, *, completed=False,
            started=False) -> int:
    with stack.tool_app.app_context():
        sid = submit_progress(attempt_for(user), score=score, score_maximum=10, comment="",
                              completed=completed, started=started)
        db.session.commit()
        delivery.enqueue_committed([sid])
        return sid


def _rows(stack: ToolStack) -> list[ScoreSubmission]:
    with stack.tool_app.app_context():
        rows = list(db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)))
        db.session.expunge_all()
        return rows


def _settled(stack: ToolStack) -> list[ScoreSubmission] | None:
    rows = _rows(stack)
    return rows if rows and all(r.status in ("sent", "superseded") for r in rows) else None


def _just_after_a_second() -> None:
    """Start right after a whole second, so what follows fits in one second."""
    time.sleep(1.02 - (time.time() % 1.0))


def _two_scores_in_one_second(stack: ToolStack, settings, final_score: float):
    """Deliver an in-progress score and then a final one within one second.

    On a loaded machine the pair may straddle a second (then Moodle accepts both and
    there is nothing to test): try again with a new pair, up to five times.
    Returns (the final score's id, the outcome of its first delivery).
    """
    for _ in range(5):
        _just_after_a_second()
        first = _record(stack, "alice", 0.4)
        with stack.tool_app.app_context():
            assert delivery.deliver(first, settings).status == "sent"
        final = _record(stack, "alice", final_score, completed=True)
        with stack.tool_app.app_context():
            outcome = delivery.deliver(final, settings)
        if outcome.status != "sent":
            return final, outcome
    raise AssertionError("could not deliver two scores within one second")


@pytest.fixture
def consumer(make_stack) -> Iterator:
    """Factory: a stack with a threaded huey consumer delivering for its tool app."""
    started = []

    def start(stack: ToolStack, workers: int = 3):
        c = make_consumer(stack.tool_app, workers=workers, max_delay=0.1)
        c._set_signal_handlers = lambda: None  # pytest owns the main thread's signals
        c.start()
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop(graceful=True)


def test_moodle_equal_second_409_is_resent_with_a_fresh_stamp(make_stack):
    """The lost-grade case: a generic registration of a Moodle, two scores in one second.

    The second is refused (409); the tool learns whole seconds, re-sends the newest
    state with a later timestamp, and the final grade is in the gradebook.
    """
    stack = make_stack()  # file queue, no worker: deliveries by hand, in order
    launch(stack)
    _behave(stack, mode="moodle")
    settings = stack.tool_app.config["BRANCHWISE"]
    final, outcome = _two_scores_in_one_second(stack, settings, 0.9)
    assert outcome.status == "retry" and "409" in outcome.error
    with stack.tool_app.app_context():
        assert db.session.scalars(select(PlatformBudget)).one().resolution == 1.0
    assert _counters(stack)["conflicts"] == 1
    time.sleep(outcome.delay)
    with stack.tool_app.app_context():
        assert delivery.deliver(final, settings).status == "sent"
    held = stack.applied("alice")
    assert held["activityProgress"] == "Completed" and held["scoreGiven"] == 9.0
    stamps = [datetime.fromisoformat(s["score"]["timestamp"]).timestamp()
              for s in stack.state()["scores"] if s["applied"]]
    assert math.floor(stamps[-1]) > math.floor(stamps[-2])


def test_moodle_409_after_giving_up_is_replayed_with_a_fresh_stamp(make_stack):
    """``grades replay`` of a score refused with 409 sends it again, newly stamped."""
    stack = make_stack(grade_retry_max=1)
    launch(stack)
    _behave(stack, mode="moodle")
    settings = stack.tool_app.config["BRANCHWISE"]
    final, outcome = _two_scores_in_one_second(stack, settings, 0.8)
    assert outcome.status == "failed"
    with stack.tool_app.app_context():
        failed = db.session.get(ScoreSubmission, final)
        assert "409" in failed.last_error
        recorded = failed.timestamp
        time.sleep(1.0)
        assert delivery.replay(all_failed=True) == [final]
        assert delivery.deliver(final, settings).status == "sent"
        assert db.session.get(ScoreSubmission, final).timestamp == recorded
    held = stack.applied("alice")
    assert held["scoreGiven"] == 8.0 and held["activityProgress"] == "Completed"


def test_a_moodle_registration_spaces_scores_by_whole_seconds(make_stack, consumer):
    """With product=moodle no score is ever refused: each waits for the next second."""
    stack = make_stack()
    launch(stack)
    _set_product(stack, "moodle")
    _behave(stack, mode="moodle")
    consumer(stack)
    _record(stack, "alice", None, started=True)
    for score in (0.2, 0.4, 0.6):
        _record(stack, "alice", score)
        time.sleep(0.3)
    _record(stack, "alice", 0.7, completed=True)
    wait_for(lambda: _settled(stack), timeout=30, what="every score settled")
    assert _counters(stack)["conflicts"] == 0
    held = stack.applied("alice")
    assert held["scoreGiven"] == 7.0 and held["activityProgress"] == "Completed"
    applied = [s for s in stack.state()["scores"] if s["applied"]]
    seconds = [math.floor(datetime.fromisoformat(s["score"]["timestamp"]).timestamp())
               for s in applied]
    assert seconds == sorted(set(seconds))  # one score per second at most, in order


def test_older_score_refused_while_a_newer_waits_is_superseded_not_failed(make_stack):
    """A 409 for a score that a newer one replaces is recorded ``superseded``."""
    stack = make_stack()
    launch(stack)
    settings = stack.tool_app.config["BRANCHWISE"]
    first = _record(stack, "alice", 0.3)
    with stack.tool_app.app_context():
        delivery.deliver(first, settings)
    second = _record(stack, "alice", 0.5)
    # The LMS refuses the next POST as Moodle does (409), whatever the clock says.
    stack.set_faults({"scores": {"mode": "status", "status": 409, "count": 1}})
    newer: list[int] = []

    def learner_answers_again(resp, *args, **kwargs):
        # While the refused POST is answered, the learner's next answer is recorded.
        if resp.status_code == 409 and not newer:
            newer.append(_record(stack, "alice", 0.9, completed=True))

    http = requests.Session()
    http.hooks["response"].append(learner_answers_again)
    with stack.tool_app.app_context():
        assert delivery.deliver(second, settings, http=http).status == "superseded"
        time.sleep(1.0)
        assert delivery.deliver(newer[0], settings).status == "sent"
    statuses = {r.id: r.status for r in _rows(stack)}
    assert statuses == {first: "sent", second: "superseded", newer[0]: "sent"}
    assert stack.applied("alice")["scoreGiven"] == 9.0


def test_canvas_older_timestamp_answer_is_a_timestamp_conflict(make_stack):
    """Canvas's 400 "before last updated timestamp" is recognised (real HTTP)."""
    stack = make_stack()
    launch(stack)
    _behave(stack, mode="canvas")
    _record(stack, "alice", 0.5)
    with stack.tool_app.app_context():
        delivery.deliver(_rows(stack)[0].id, stack.tool_app.config["BRANCHWISE"])
        link = db.session.scalars(select(ResourceLink)).one()
        platform = db.session.scalars(select(Platform)).one()
        client = delivery.client_for(platform, link, stack.tool_app.config["BRANCHWISE"])
        with pytest.raises(ags.AgsError) as caught:
            client.post_score(link.lineitem_url, {
                "userId": "alice", "activityProgress": "Completed",
                "gradingProgress": "FullyGraded", "scoreGiven": 1, "scoreMaximum": 10,
                "timestamp": "2020-01-01T00:00:00.000+00:00"})
    assert caught.value.status == 400 and caught.value.timestamp_conflict
    assert not caught.value.retryable or caught.value.timestamp_conflict


@pytest.mark.slow
@pytest.mark.parametrize("mode,product", [("moodle", "moodle"), ("canvas", "canvas")])
def test_rate_limited_lms_gets_every_final_grade_with_few_extra_posts(
        make_stack, consumer, mode, product):
    """A burst from many learners against a rate-limited LMS (429 / Canvas 403).

    Every learner's final grade arrives, no POST is refused for its timestamp, rate
    limits use up no tries, and the LMS sees at most 1.2 POSTs per score sent.
    """
    learners = 24
    stack = make_stack(grade_retry_max=3)
    users = get_platform(stack.platform_app).store.add_learners(learners)
    for user in users:
        launch(stack, user)
    _set_product(stack, product)
    _behave(stack, mode=mode, rate=8, burst=4)
    consumer(stack, workers=4)
    final: dict[str, float] = {}
    for step in range(1, 5):
        for n, user in enumerate(users):
            score = round((step * 7 + n) % 10 / 10, 2)
            _record(stack, user, score, completed=step == 4)
            final[user] = round(score * 10, 4)
        time.sleep(1.5)  # learners answer at their pace; most scores need sending
    rows = wait_for(lambda: _settled(stack), timeout=120, interval=0.5,
                    what="every score settled")
    counters = _counters(stack)
    for user, expected in final.items():
        held = stack.applied(user)
        assert held is not None and held["scoreGiven"] == expected, (user, held)
        assert held["activityProgress"] == "Completed"
    sent = [r for r in rows if r.status == "sent"]
    assert counters["rate_limited"] >= 1  # the limit was really hit
    assert counters["conflicts"] == 0
    assert all(r.tries == 1 for r in sent)  # a rate limit costs a score no try
    assert counters["posts"] <= 1.2 * len(sent), (counters, len(sent))
    with stack.tool_app.app_context():
        assert db.session.scalars(select(PlatformBudget)).one().rate_limited >= 1
        assert len(db.session.scalars(select(User)).all()) == learners
