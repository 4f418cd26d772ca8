"""The worker loop: claim a job, run its handler, record the outcome."""

from __future__ import annotations

import gc
import logging
import time
import traceback
from collections.abc import Callable

from forum.core import job_registry, outbox, request_ids
from forum.core.extensions import db

log = logging.getLogger(__name__)
FULL_COLLECTION_EVERY = 500  # jobs between collections that walk every object (tidy_after_job)


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
    try:
        _loop(poll_s, schedule_every_s, stop)
    finally:
        gc.unfreeze()  # what tidy_after_job froze is the caller's to collect again (tests run the loop in-process)


def _loop(poll_s: float, schedule_every_s: float, stop: Callable[[], bool]) -> None:
    next_schedule = 0.0
    failures = jobs_done = 0
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
        if worked:
            jobs_done += 1
            tidy_after_job(jobs_done)
        else:
            time.sleep(poll_s)


def tidy_after_job(jobs_done: int) -> None:
    """Collect the job's garbage before the next job, and keep what outlived it out of later collections.

    A full collection frees the job's reference cycles and the interpreter's free lists, whose blocks
    would keep otherwise empty memory arenas alive: at 40,000 posts the pass of periodic jobs and the
    200 index updates they cause peaked 4 MB higher without it (issue 21 bounds the job worker at 150 MB).
    Walking every object costs ~150 ms in the worker, so what survives a job is frozen (gc.freeze) and
    the next collections walk only what later jobs made (under 1 ms). Every FULL_COLLECTION_EVERY jobs
    everything is unfrozen first, so cycles that formed among survivors since (evicted cache entries, a
    replaced search index) are reclaimed too.
    """
    if jobs_done % FULL_COLLECTION_EVERY == 0:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
