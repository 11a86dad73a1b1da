"""Run the huey consumer for an app (``branchwise worker``)."""

from __future__ import annotations

import logging

from flask import Flask

from lti_tool.jobs.queue import get_queue

log = logging.getLogger("branchwise.jobs")


def make_consumer(app: Flask, *, workers: int = 2, max_delay: float = 10.0):
    """A thread-based consumer; pending scores are re-enqueued first (lost enqueues)."""
    from lti_tool.ags.delivery import sweep
    from lti_tool.jobs.heartbeat import beat

    huey = get_queue(app)
    with app.app_context():
        beat()
        queued = sweep(app)
    if queued:
        log.info("re-enqueued %s pending score(s) at start", queued)
    return huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                initial_delay=0.1, backoff=1.15, max_delay=max_delay,
                                scheduler_interval=1)


def run_worker(app: Flask, *, workers: int = 2, max_delay: float = 10.0) -> None:
    """Block running the consumer until SIGINT/SIGTERM (huey handles the signals)."""
    logging.basicConfig(level=app.config["BRANCHWISE"].log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    make_consumer(app, workers=workers, max_delay=max_delay).run()
