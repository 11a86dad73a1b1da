"""The xAPI delivery jobs on the app's durable huey queue (``lti_tool.jobs.queue``).

``deliver_xapi(deployment, learner)`` runs ``delivery.deliver_learner`` and
schedules itself again when the LRS asked to wait; ``sweep_xapi`` runs every
minute and re-enqueues learners whose statements wait longer than they should (a
job lost in a crash, a worker that was down).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask
from huey import crontab
from huey.api import TaskWrapper

from lti_tool.jobs.queue import get_queue

log = logging.getLogger("branchwise.xapi")

EXTENSION_KEY = "branchwise_xapi_tasks"
MAX_INLINE_RUNS = 200  # batches one job sends back to back before yielding the worker


@dataclass(frozen=True)
class XapiTasks:
    deliver: TaskWrapper
    sweep: TaskWrapper


def init_app(app: Flask) -> XapiTasks:
    """Register the jobs on the app's huey once."""
    existing = app.extensions.get(EXTENSION_KEY)
    if existing is not None:
        return existing
    huey = get_queue(app)

    @huey.task(name="deliver_xapi")
    def deliver_xapi(deployment_pk: int, user_pk: int, batch: int = 50) -> None:
        from lti_tool.xapi.delivery import deliver_learner

        settings = app.config["BRANCHWISE"]
        for _ in range(MAX_INLINE_RUNS):
            with app.app_context():
                outcome = deliver_learner(deployment_pk, user_pk, settings, batch)
            batch = outcome.batch
            if outcome.more or (outcome.retry_in == 0.0):
                continue  # more statements of this learner are waiting, or one by one
            if outcome.retry_in is not None:
                deliver_xapi.schedule((deployment_pk, user_pk, batch),
                                      delay=outcome.retry_in)
            return
        deliver_xapi(deployment_pk, user_pk, batch)

    @huey.periodic_task(crontab(minute="*"), name="sweep_xapi")
    def sweep_xapi() -> None:
        from lti_tool.xapi.delivery import due_learners

        with app.app_context():
            pairs = due_learners(overdue_only=True)
        for deployment_pk, user_pk in pairs:
            deliver_xapi(deployment_pk, user_pk)

    tasks = XapiTasks(deliver=deliver_xapi, sweep=sweep_xapi)
    app.extensions[EXTENSION_KEY] = tasks
    return tasks


def enqueue(app: Flask, deployment_pk: int, user_pk: int) -> None:
    """Wake the delivery of one learner's statements (after they are committed)."""
    tasks: XapiTasks | None = app.extensions.get(EXTENSION_KEY)
    if tasks is None:
        tasks = init_app(app)
    try:
        tasks.deliver(deployment_pk, user_pk)
    except Exception:  # the queue is down: the rows are committed, the sweep sends them
        log.exception("could not enqueue xAPI delivery; the sweep will")


def sweep_now(app: Flask, *, overdue_only: bool = False) -> int:
    """Enqueue every learner with statements waiting (worker start, ``branchwise xapi``)."""
    from lti_tool.xapi.delivery import due_learners

    with app.app_context():
        pairs = due_learners(overdue_only=overdue_only)
    for deployment_pk, user_pk in pairs:
        enqueue(app, deployment_pk, user_pk)
    return len(pairs)
