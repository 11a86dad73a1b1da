"""A score the runner records is handed to grade delivery explicitly, once, after its commit.

No process-global commit listener picks new scores out of the session (issue 19): the
runner's service enqueues what the ``StepWriter`` says it wrote. A score that is
committed but never enqueued would wait for the worker's sweep (minutes); one enqueued
before its commit could be looked for by a job before it exists.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from lti_tool.ags import delivery
from lti_tool.extensions import db
from lti_tool.models import ScoreSubmission
from lti_tool.modules.library import get_module

from .conftest import Learner, launch_token
from .test_activity import AGS, _to_item


def test_no_commit_listener_is_registered(app):
    """Nothing runs on a session's commit or rollback behind the caller's back."""
    session = db.session()
    assert len(session.dispatch.after_commit) == 0
    assert len(session.dispatch.after_soft_rollback) == 0


@pytest.fixture
def enqueued(monkeypatch, database_url) -> list[tuple[int, bool]]:
    """Every id handed to delivery's queue, with whether its row was committed by then
    (read on a connection of its own, which sees only committed rows)."""
    calls: list[tuple[int, bool]] = []
    other = create_engine(database_url)

    def spy(ids, app=None, eta=None) -> int:
        ids = list(ids)
        with other.connect() as conn:
            for sid in ids:
                found = conn.execute(text("SELECT id FROM score_submissions WHERE id = :id"),
                                     {"id": sid}).first()
                calls.append((sid, found is not None))
        return len(ids)

    monkeypatch.setattr(delivery, "enqueue", spy)
    yield calls
    other.dispose()


def _score_ids() -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(select(ScoreSubmission.id).order_by(ScoreSubmission.id)))


def test_each_score_is_enqueued_once_after_its_commit(client, lms, enqueued):
    learner = _to_item(Learner(client, launch_token(client, lms, **AGS)).open())
    module = get_module("fractions")
    started = _score_ids()
    assert len(started) == 1  # "Started", recorded with the attempt
    assert enqueued == [(started[0], True)]

    seq, item = learner.seq, learner.item_id
    learner.answer_correctly(module)
    assert learner.status == 200 and "Correct!" in learner.html
    ids = _score_ids()
    assert len(ids) == 2
    assert enqueued == [(ids[0], True), (ids[1], True)]

    # The same answer again (a double-clicked submit): the compare-and-set loses, no score
    # is written and nothing more is enqueued.
    from lti_tool.runner.answers import correct_form

    learner.answer(correct_form(module.item(item)), seq=seq, item=item)
    assert learner.status == 200 and "already recorded" in learner.html.lower()
    assert _score_ids() == ids
    assert len(enqueued) == 2


def test_a_failed_enqueue_loses_no_grade(client, lms, monkeypatch):
    """The queue is down: the learner's answer is still recorded, the score row stays
    pending for the worker's sweep (as a lost enqueue always was)."""
    def down(ids, app=None, eta=None) -> int:
        raise ConnectionError("queue down")

    monkeypatch.setattr(delivery, "enqueue", down)
    learner = _to_item(Learner(client, launch_token(client, lms, **AGS)).open())
    learner.answer_correctly(get_module("fractions"))
    assert learner.status == 200 and "Correct!" in learner.html
    db.session.rollback()
    pending = db.session.scalar(select(func.count()).select_from(ScoreSubmission)
                                .where(ScoreSubmission.status == "pending"))
    assert pending == 2
