"""The worker loop: claim a job, run its handler, record the outcome."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

from forum.core import job_registry, outbox, request_ids
from forum.core.extensions import db

log = logging.getLogger(__name__)


def run_one() -> bool:
    """Run the next due job; return False when there was nothing to do."""
    job = outbox.claim_next(job_registry.names())
    if job is None:
        return False
    handler = job_registry.handler_for(job.name)
    request_id = outbox.request_id_of(job)
    if request_id:
        log.info("job %s (%s) runs for request %s", job.id, job.name, request_id, extra={"request_id": request_id})
    try:
        with request_ids.bound(request_id):  # jobs this one queues carry the request's id too
            handler(outbox.payload(job))
    except Exception as exc:  # a handler's failure must never stop the worker
        db.session.rollback()
        log.warning("job %s (%s) failed: %s", job.id, job.name, exc, extra={"request_id": request_id})
        outbox.fail(db.session.merge(job), "".join(traceback.format_exception_only(exc)).strip())
        return True
    outbox.finish(job)
    return True


def run_until_empty(limit: int = 10_000) -> int:
    """Drain every due job (used by tests and the `worker --until-empty` flag)."""
    done = 0
    while done < limit and run_one():
        done += 1
    return done


def schedule_recurring() -> None:
    """Make sure every recurring job has its next run queued; tidy old finished jobs."""
    outbox.schedule_periodic({name: every() for name, every in job_registry.periodic().items()})
    outbox.purge_finished()


def run_forever(poll_s: float = 1.0, schedule_every_s: float = 30.0, stop: Callable[[], bool] = lambda: False) -> None:
    """Process jobs until interrupted (or stop() says so), sleeping briefly when the queue is empty."""
    log.info("worker started")
    next_schedule = 0.0
    failures = 0
    while not stop():
        try:
            if time.monotonic() >= next_schedule:
                schedule_recurring()
                next_schedule = time.monotonic() + schedule_every_s
            worked = run_one()
            failures = 0
        except Exception:  # a locked database or a dropped connection must not end the worker
            failures += 1
            log.exception("worker loop error (%d in a row); retrying", failures)
            db.session.rollback()
            time.sleep(min(60.0, poll_s * 2**failures))
            continue
        finally:
            db.session.remove()
        if not worked:
            time.sleep(poll_s)
