"""Grade passback end to end against the demo LMS over real HTTP (jobs run inline)."""

from __future__ import annotations

import json
from datetime import datetime

from click.testing import CliRunner
from sqlalchemy import select

from lti_tool.ags import delivery
from lti_tool.ags.passback import submit_progress
from lti_tool.cli import main
from lti_tool.demo_platform import get_platform
from lti_tool.extensions import db
from lti_tool.jobs.queue import get_queue
from lti_tool.models import ResourceLink, ScoreSubmission

from .conftest import attempt_for, launch


def _progress(app, user: str, link: str = "rl-1", *steps) -> None:
    """Record ``steps`` = (score, completed, started) in one transaction each."""
    with app.app_context():
        attempt = attempt_for(user, link)
        for score, completed, started in steps:
            sid = submit_progress(attempt, score=score, score_maximum=10,
                                  comment="fractions 0.8", completed=completed,
                                  started=started)
            db.session.commit()
            delivery.enqueue_committed([sid])  # as the runner does after its commit


def _rows(app) -> list[ScoreSubmission]:
    with app.app_context():
        rows = list(db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)))
        db.session.expunge_all()
        return rows


def test_progress_reaches_the_gradebook_in_order(make_stack):
    """Started → InProgress → Completed arrive with increasing timestamps; the last wins."""
    stack = make_stack(queue_immediate=True)
    launch(stack)
    _progress(stack.tool_app, "alice", "rl-1",
              (None, False, True), (0.4, False, False), (0.6, False, False), (0.9, True, False))
    assert [r.status for r in _rows(stack.tool_app)] == ["sent"] * 4
    state = stack.state()
    scores = [s["score"] for s in state["scores"]]
    assert all(s["applied"] for s in state["scores"])
    assert [(s["activityProgress"], s["gradingProgress"]) for s in scores] == [
        ("Started", "NotReady"), ("InProgress", "Pending"), ("InProgress", "Pending"),
        ("Completed", "FullyGraded")]
    assert "scoreGiven" not in scores[0]
    assert [s.get("scoreGiven") for s in scores[1:]] == [4.0, 6.0, 9.0]
    stamps = [datetime.fromisoformat(s["timestamp"]) for s in scores]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert all(s["comment"] == "fractions 0.8" for s in scores[1:])
    assert state["tokens_issued"] == 1  # one token for every score (shared cache)
    assert state["line_items"][0]["id"] == "1"  # the launch's line item, none created


def test_line_item_is_created_once_and_reused(make_stack):
    """A link whose launch has no ``lineitem``: created via ``lineitems``, stored, reused."""
    stack = make_stack(queue_immediate=True)
    p = get_platform(stack.platform_app)
    p.store.add_resource_link("Fractions practice", p.settings.tool.launch_url, link_id="rl-2")
    launch(stack, "alice", "rl-2")
    launch(stack, "bob", "rl-2")
    _progress(stack.tool_app, "alice", "rl-2", (0.5, False, False), (0.7, True, False))
    _progress(stack.tool_app, "bob", "rl-2", (0.3, True, False))
    items = [i for i in stack.state()["line_items"] if i["resource_link_id"] == "rl-2"]
    assert len(items) == 1
    item = items[0]
    assert item["tag"] == delivery.LINEITEM_TAG and item["score_maximum"] == 10
    assert item["label"] == "Fractions practice"
    with stack.tool_app.app_context():
        link = db.session.scalars(
            select(ResourceLink).where(ResourceLink.resource_link_id == "rl-2")).one()
        assert link.lineitem_url.endswith(f"/lineitems/{item['id']}")
    launch(stack, "chen", "rl-2")  # a later launch (no lineitem claim) keeps the stored URL
    with stack.tool_app.app_context():
        link = db.session.scalars(
            select(ResourceLink).where(ResourceLink.resource_link_id == "rl-2")).one()
        assert link.lineitem_url.endswith(f"/lineitems/{item['id']}")
        results = delivery.read_results(link, stack.tool_app.config["BRANCHWISE"])
    by_user = {r["userId"]: r for r in results}
    assert by_user["alice"]["resultScore"] == 7 and by_user["bob"]["resultScore"] == 3
    assert stack.applied("alice", item["id"])["activityProgress"] == "Completed"


def test_older_score_is_superseded_before_sending(make_stack):
    """Only the newest pending score of a learner is sent; older ones never leave."""
    stack = make_stack()  # a real (file) queue, but no worker: we deliver by hand
    launch(stack)
    _progress(stack.tool_app, "alice", "rl-1", (0.2, False, False), (0.5, False, False),
              (0.8, True, False))
    old, middle, new = _rows(stack.tool_app)
    settings = stack.tool_app.config["BRANCHWISE"]
    with stack.tool_app.app_context():
        assert get_queue().pending_count() == 3  # enqueued once each, after their commits
        assert delivery.deliver(old.id, settings).status == "superseded"
        assert stack.state()["scores"] == []  # nothing was posted for the stale ones
        assert delivery.deliver(middle.id, settings).status == "skipped"  # already superseded
        assert delivery.deliver(new.id, settings).status == "sent"
        assert delivery.deliver(new.id, settings).status == "skipped"  # duplicate job
    assert [r.status for r in _rows(stack.tool_app)] == ["superseded", "superseded", "sent"]
    assert [s["score"]["scoreGiven"] for s in stack.state()["scores"]] == [8.0]


def test_newer_score_sent_first_supersedes_a_replayed_older_one(make_stack):
    """A failed older score replayed after a newer one was sent: skipped, never overwrites."""
    stack = make_stack()
    launch(stack)
    _progress(stack.tool_app, "alice", "rl-1", (0.2, False, False))
    (old,) = _rows(stack.tool_app)
    settings = stack.tool_app.config["BRANCHWISE"]
    with stack.tool_app.app_context():
        db.session.get(ScoreSubmission, old.id).status = "failed"
        db.session.commit()
    _progress(stack.tool_app, "alice", "rl-1", (0.8, True, False))
    new = _rows(stack.tool_app)[-1]
    with stack.tool_app.app_context():
        assert delivery.deliver(new.id, settings).status == "sent"
        assert delivery.replay([old.id]) == [old.id]
        assert delivery.deliver(old.id, settings).status == "superseded"
    assert [s["score"]["scoreGiven"] for s in stack.state()["scores"]] == [8.0]


def test_rolled_back_scores_are_not_enqueued(make_stack):
    stack = make_stack()
    launch(stack)
    with stack.tool_app.app_context():
        attempt = attempt_for("alice")
        submit_progress(attempt, score=0.5, score_maximum=10, comment="", completed=False)
        db.session.rollback()
        db.session.commit()
        assert get_queue().pending_count() == 0
        assert db.session.scalar(select(ScoreSubmission.id)) is None


def test_missing_score_scope_fails_visibly(make_stack):
    """Moodle without grade sync, or a scope not granted: a failed row with its reason."""
    stack = make_stack(queue_immediate=True)
    launch(stack)
    with stack.tool_app.app_context():
        link = db.session.scalars(select(ResourceLink)).one()
        link.ags_scopes = [s for s in link.ags_scopes if not s.endswith("/score")]
        db.session.commit()
    _progress(stack.tool_app, "alice", "rl-1", (0.5, False, False))
    (row,) = _rows(stack.tool_app)
    assert row.status == "failed" and "score scope" in row.last_error


def test_400_lands_in_failed_list_and_cli_replay_sends_it(make_stack):
    stack = make_stack(queue_immediate=True)
    launch(stack)
    stack.set_faults({"scores": {"mode": "status", "status": 400}})
    _progress(stack.tool_app, "alice", "rl-1", (0.5, False, False))
    (row,) = _rows(stack.tool_app)
    assert row.status == "failed" and "400" in row.last_error and row.tries == 1
    env = {f"BRANCHWISE_{k.upper()}": str(v) for k, v in stack.settings.items()
           if k.islower()}
    env["BRANCHWISE_QUEUE_IMMEDIATE"] = "true"
    runner = CliRunner()
    listed = runner.invoke(main, ["grades", "list", "--failed", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.output)
    assert entry["id"] == row.id and entry["status"] == "failed" and "400" in entry["last_error"]
    text = runner.invoke(main, ["grades", "list", "--failed"], env=env)
    assert "injected fault" in text.output
    stack.set_faults({})
    replayed = runner.invoke(main, ["grades", "replay", "--all-failed"], env=env)
    assert replayed.exit_code == 0 and f"[{row.id}]" in replayed.output, replayed.output
    assert [r.status for r in _rows(stack.tool_app)] == ["sent"]
    assert stack.applied("alice")["scoreGiven"] == 5.0
    empty = runner.invoke(main, ["grades", "list", "--failed"], env=env)
    assert "no failed scores" in empty.output
    assert runner.invoke(main, ["grades", "replay"], env=env).exit_code == 2
    # A sent score is not sent again, and an id that does not exist is an error, not
    # "queued 0" with exit 0 (an admin's typo must not look like success).
    again = runner.invoke(main, ["grades", "replay", str(row.id)], env=env)
    assert again.exit_code == 0 and "queued 0" in again.output
    assert "already in the gradebook" in again.stderr
    typo = runner.invoke(main, ["grades", "replay", str(row.id + 1000)], env=env)
    assert typo.exit_code == 1 and f"no score with id {row.id + 1000}" in typo.stderr
    assert [r.status for r in _rows(stack.tool_app)] == ["sent"]
