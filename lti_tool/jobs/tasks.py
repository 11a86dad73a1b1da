"""The app's background jobs, registered on its huey.

Tasks close over the app they belong to, so each job runs in a fresh app
context (its own database session), also when ``queue_immediate`` runs it
inline from the committing request's after-commit hook.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from huey import crontab
from huey.api import TaskWrapper

from lti_tool.jobs import heartbeat, housekeeping
from lti_tool.jobs.queue import get_queue

EXTENSION_KEY = "branchwise_tasks"


@dataclass(frozen=True)
class Tasks:
    """Handles to enqueue the app's jobs: ``deliver_score(id)`` or ``.schedule(...)``."""

    deliver_score: TaskWrapper
    sweep_scores: TaskWrapper
    read_line_item: TaskWrapper | None = None


def init_app(app: Flask) -> Tasks:
    """Register the jobs on the app's huey once."""
    existing = app.extensions.get(EXTENSION_KEY)
    if existing is not None:
        return existing
    huey = get_queue(app)

    # retries: a job that raised (a database hiccup outside the attempt's own error
    # handling) runs again soon instead of leaving its row to the 5-minute sweep.
    @huey.task(name="deliver_score", retries=3, retry_delay=2)
    def deliver_score(submission_id: int) -> None:
        """One delivery attempt; a retry is a new scheduled job at the policy's delay."""
        from lti_tool.ags.delivery import deliver

        with app.app_context():
            outcome = deliver(submission_id, app.config["BRANCHWISE"])
        if outcome.status in ("retry", "deferred"):
            # The attempt may have ended on a newer score of the same learner.
            again = outcome.submission_id or submission_id
            deliver_score.schedule((again,), delay=outcome.delay)

    # Every minute: pending rows long overdue lost their job (e.g. a crash between the
    # commit and the enqueue); queue them again.
    @huey.periodic_task(crontab(minute="*"), name="sweep_scores")
    def sweep_scores() -> None:
        from lti_tool.ags.delivery import sweep

        with app.app_context():
            sweep(app, overdue_only=True)

    @huey.task(name="read_line_item")
    def read_line_item(link_pk: int) -> None:
        """Read the link's line item maximum from the LMS (``ags.lineitem``)."""
        from lti_tool.ags.lineitem import read_line_item_max

        with app.app_context():
            read_line_item_max(link_pk, app.config["BRANCHWISE"])

    housekeeping.register(huey, app)  # pruning of logins and launches (every 10 min)
    heartbeat.register(huey, app)
    tasks = Tasks(deliver_score=deliver_score, sweep_scores=sweep_scores,
                  read_line_item=read_line_item)
    app.extensions[EXTENSION_KEY] = tasks
    return tasks


def get_tasks(app: Flask | None = None) -> Tasks:
    """The job handles of ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions[EXTENSION_KEY]
