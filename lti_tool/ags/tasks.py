"""The grade-delivery jobs, registered on the app's huey by the AGS feature.

The job machinery (``lti_tool.jobs``) knows no feature: each feature registers its own
tasks (as ``xapi/tasks.py`` does) and what the worker does when it starts
(``jobs.queue.add_start_hook``). Tasks close over the app they belong to, so each job
runs in a fresh app context (its own database session), also when ``queue_immediate``
runs it inline from the request that committed the score and enqueued it.
"""

from __future__ import annotations

from flask import Flask
from huey import crontab

from lti_tool.ags.delivery import deliver, sweep
from lti_tool.ags.handles import EXTENSION_KEY, Tasks
from lti_tool.ags.lineitem import read_line_item_max
from lti_tool.jobs import queue


def init_app(app: Flask) -> Tasks:
    """Register the jobs on the app's huey once."""
    existing = app.extensions.get(EXTENSION_KEY)
    if existing is not None:
        return existing
    huey = queue.init_app(app)

    # retries: a job that raised (a database hiccup outside the attempt's own error
    # handling) runs again soon instead of leaving its row to the 5-minute sweep.
    @huey.task(name="deliver_score", retries=3, retry_delay=2)
    def deliver_score(submission_id: int) -> None:
        """One delivery attempt; a retry is a new scheduled job at the policy's delay."""
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
        with app.app_context():
            sweep(app, overdue_only=True)

    @huey.task(name="read_line_item")
    def read_line_item(link_pk: int) -> None:
        """Read the link's line item maximum from the LMS (``ags.lineitem``)."""
        with app.app_context():
            read_line_item_max(link_pk, app.config["BRANCHWISE"])

    # At worker start every pending row is queued again (lost enqueues).
    queue.add_start_hook(app, lambda: sweep(app))
    tasks = Tasks(deliver_score=deliver_score, sweep_scores=sweep_scores,
                  read_line_item=read_line_item)
    app.extensions[EXTENSION_KEY] = tasks
    return tasks
