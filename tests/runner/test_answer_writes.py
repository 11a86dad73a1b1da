"""The answer step's cheaper writes keep their meaning.

The score row is a Core INSERT whose returned id is what the runner queues after its commit
(no ORM object any more), and the engine copies the state with a JSON-shaped copy
instead of ``copy.deepcopy``: the answered state must still be independent of the old one.
"""

from __future__ import annotations

import copy

from sqlalchemy import select

from adaptive.engine import AskItem, ItemAnswer, PageSeen, current_step, next_step, start
from adaptive.samples import load_sample
from lti_tool.ags import delivery
from lti_tool.extensions import db
from lti_tool.models import ScoreSubmission
from lti_tool.modules.library import get_module
from lti_tool.runner.answers import correct_form, parse_answer

from .conftest import Learner, launch_token
from .test_activity import AGS, _to_item


def test_each_answer_queues_the_score_row_it_committed(client, lms, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(delivery, "enqueue", lambda ids, app=None, eta=None: queued.extend(ids))
    learner = _to_item(Learner(client, launch_token(client, lms, **AGS)).open())
    db.session.expire_all()
    before = set(db.session.scalars(select(ScoreSubmission.id)))
    assert queued == sorted(before)  # the "Started" score of the first launch
    queued.clear()
    learner.answer_correctly(get_module("fractions"))
    assert learner.status == 200 and "Correct!" in learner.html
    db.session.expire_all()
    new = set(db.session.scalars(select(ScoreSubmission.id))) - before
    assert len(new) == 1 and queued == sorted(new)


def test_next_step_leaves_the_old_state_untouched():
    module = load_sample("fractions")
    state = start(module, seed=7).state
    while not isinstance(step := current_step(module, state), AskItem):
        state = next_step(module, state, PageSeen(step.page_id, seq=state["seq"])).state
    snapshot = copy.deepcopy(state)
    item = module.item(step.item_id)
    raw = parse_answer(item, correct_form(item))
    result = next_step(module, state, ItemAnswer(item.id, raw, seq=state["seq"]))
    assert result.evaluation is not None and result.evaluation.correct
    assert state == snapshot and result.state["seq"] == state["seq"] + 1
    # No container is shared: changing the new state cannot reach the old one.
    for skill in result.state["skills"].values():
        skill["est"] = "changed"
    result.state["history"].append("x")
    assert state == snapshot
