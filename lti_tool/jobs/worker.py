"""Run the huey consumer for an app (``branchwise worker``)."""

from __future__ import annotations

import logging

from flask import Flask

from lti_tool.jobs.heartbeat import beat
from lti_tool.jobs.queue import get_queue, start_hooks

log = logging.getLogger("branchwise.jobs")


def make_consumer(app: Flask, *, workers: int = 2, max_delay: float = 10.0):
    """A thread-based consumer; the start hooks run first (pending scores re-enqueued:
    lost enqueues)."""
    huey = get_queue(app)
    with app.app_context():
        beat()
        queued = sum(hook() for hook in start_hooks(app))
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


def start_embedded_consumer(app: Flask, *, workers: int = 2, max_delay: float = 1.0):
    """Run the consumer in threads of this process (``branchwise demo``); returns ``stop()``.

    Signal handlers are left alone: the embedding program owns the main thread.
    """
    consumer = make_consumer(app, workers=workers, max_delay=max_delay)
    consumer._set_signal_handlers = lambda: None  # type: ignore[method-assign]
    consumer.start()

    def stop() -> None:
        consumer.stop(graceful=True)

    return stop
