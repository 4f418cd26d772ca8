"""The worker loop: claim a job, run its handler, record the outcome."""

from __future__ import annotations

import logging
import time
import traceback

from forum.extensions import db
from forum.jobs import queue, registry

log = logging.getLogger(__name__)


def run_one() -> bool:
    """Run the next due job; return False when there was nothing to do."""
    job = queue.claim_next(registry.names())
    if job is None:
        return False
    handler = registry.handler_for(job.name)
    try:
        handler(queue.payload(job))
    except Exception as exc:  # a handler's failure must never stop the worker
        db.session.rollback()
        log.warning("job %s (%s) failed: %s", job.id, job.name, exc)
        queue.fail(db.session.merge(job), "".join(traceback.format_exception_only(exc)).strip())
        return True
    queue.finish(job)
    return True


def run_until_empty(limit: int = 10_000) -> int:
    """Drain every due job (used by tests and the `worker --until-empty` flag)."""
    done = 0
    while done < limit and run_one():
        done += 1
    return done


def schedule_recurring() -> None:
    """Make sure every recurring job has its next run queued; tidy old finished jobs."""
    queue.schedule_periodic({name: every() for name, every in registry.periodic().items()})
    queue.purge_finished()


def run_forever(poll_s: float = 1.0, schedule_every_s: float = 30.0) -> None:
    """Process jobs until interrupted, sleeping briefly when the queue is empty."""
    log.info("worker started")
    next_schedule = 0.0
    while True:
        try:
            if time.monotonic() >= next_schedule:
                schedule_recurring()
                next_schedule = time.monotonic() + schedule_every_s
            if not run_one():
                time.sleep(poll_s)
        finally:
            db.session.remove()
