"""Enqueue, claim, finish and retry jobs stored as rows (a transactional outbox).

enqueue() only adds a row to the caller's session, so the job exists exactly when the
change that caused it commits. claim_next() leases one job at a time: PostgreSQL skips
rows other workers hold (FOR UPDATE SKIP LOCKED); SQLite serialises writers through
BEGIN IMMEDIATE. A worker that dies leaves its lease to expire, and the job runs again.

A job queued while a request id is bound (forum.core.request_ids: during a request, or while the worker runs a
job that a request queued) carries it in its payload under "request_id", written last so the rest of the JSON
reads as before; payload() hands handlers the payload without it, and same_payload() matches a job by its own
keys whatever request queued it.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update

from forum.core import clock, request_ids
from forum.core.extensions import db
from forum.models import Job, JobStatus

LEASE_SECONDS = 300
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 6 * 3600
REQUEST_ID_KEY = "request_id"


def enqueue(name: str, payload: dict | None = None, *, delay_s: float = 0, max_attempts: int = 8) -> Job:
    """Add a job to the current transaction; it runs only if that transaction commits."""
    moment = clock.now()
    job = Job(
        name=name,
        payload_json=_payload_json(payload or {}, request_ids.current()),
        status=JobStatus.QUEUED.value,
        run_at=moment + timedelta(seconds=delay_s),
        created_at=moment,
        max_attempts=max_attempts,
        attempts=0,
        last_error="",
        progress="",
    )
    db.session.add(job)
    return job


def _payload_json(payload: dict, request_id: str | None) -> str:
    """The payload as sorted JSON, then the request id (when there is one and the payload has none of its own)."""
    text = json.dumps(payload, sort_keys=True)
    if request_id is None or REQUEST_ID_KEY in payload:
        return text
    return _with_request_id_prefix(text, payload) + json.dumps(request_id) + "}"


def _with_request_id_prefix(text: str, payload: dict) -> str:
    """'{"thread_id": 5}' → '{"thread_id": 5, "request_id": ' (what a job queued during a request starts with)."""
    return text[:-1] + (", " if payload else "") + json.dumps(REQUEST_ID_KEY) + ": "


def same_payload(payload: dict) -> ColumnElement[bool]:
    """Jobs whose payload is this one, queued with or without a request id (for "is one already waiting?")."""
    text = json.dumps(payload, sort_keys=True)
    return or_(Job.payload_json == text,
               Job.payload_json.startswith(_with_request_id_prefix(text, payload), autoescape=True))


def claim_next(names: set[str] | None = None, lease_s: int = LEASE_SECONDS) -> Job | None:
    """Lease the next due job (or one whose lease expired) and commit the lease.

    A job whose lease expired after its last attempt (it crashed its worker every time)
    is marked dead instead of being run again.
    """
    moment = clock.now()
    due = or_(
        (Job.status == JobStatus.QUEUED.value) & (Job.run_at <= moment),
        (Job.status == JobStatus.RUNNING.value) & (Job.locked_until < moment),
    )
    query = select(Job).where(due).order_by(Job.run_at, Job.id).limit(1).with_for_update(skip_locked=True)
    if names:
        query = query.where(Job.name.in_(names))
    job = db.session.scalars(query).first()
    if job is None:
        db.session.commit()  # end the read-only transaction
        return None
    if job.attempts >= job.max_attempts:
        job.status, job.finished_at, job.locked_until = JobStatus.DEAD.value, moment, None
        job.last_error = job.last_error or "The worker stopped during every attempt (lease expired)."
        db.session.commit()
        return claim_next(names, lease_s)
    job.status = JobStatus.RUNNING.value
    job.locked_until = moment + timedelta(seconds=lease_s)
    job.attempts += 1
    db.session.commit()
    return job


def _settle(job: Job, **values) -> bool:
    """Record an outcome only if this worker still holds the lease (attempts is the lease's token).

    A run that outlived its lease was handed to another worker; its late result must not
    overwrite the newer run's state.
    """
    settled = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.attempts == job.attempts, Job.status == JobStatus.RUNNING.value)
        .values(locked_until=None, **values)
    ).rowcount
    db.session.commit()
    return bool(settled)


def finish(job: Job) -> bool:
    return _settle(job, status=JobStatus.DONE.value, finished_at=clock.now())


def retry_delay_s(attempts: int) -> float:
    """Exponential backoff with jitter, so failing jobs don't retry in lockstep."""
    base = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)  # nosec B311  # retry jitter, not security


def fail(job: Job, error: str) -> bool:
    """Record a failure: retry later with backoff, or mark dead after max_attempts."""
    if job.attempts >= job.max_attempts:
        return _settle(job, status=JobStatus.DEAD.value, finished_at=clock.now(), last_error=error[-2000:])
    return _settle(
        job, status=JobStatus.QUEUED.value, last_error=error[-2000:],
        run_at=clock.now() + timedelta(seconds=retry_delay_s(job.attempts)),
    )


def payload(job: Job) -> dict:
    """What the handler gets: the payload it was queued with, without the request id."""
    values = json.loads(job.payload_json)
    values.pop(REQUEST_ID_KEY, None)
    return values


def request_id_of(job: Job) -> str | None:
    """The id of the request that queued the job (directly or through other jobs), if one did."""
    value = json.loads(job.payload_json).get(REQUEST_ID_KEY)
    return value if isinstance(value, str) else None


def schedule_periodic(jobs: dict[str, float]) -> int:
    """Keep exactly one pending run of each recurring job, due after its interval.

    Checking for a pending row inside the (IMMEDIATE) transaction keeps several workers
    from piling up copies; a duplicate on PostgreSQL is harmless because handlers are idempotent.
    """
    pending = set(
        db.session.scalars(
            select(Job.name).where(
                Job.name.in_(list(jobs)), Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
            )
        )
    )
    missing = [name for name in jobs if name not in pending]
    for name in missing:
        enqueue(name, {}, delay_s=jobs[name], max_attempts=1)
    db.session.commit()
    return len(missing)


def purge_finished(older_than_s: float = 7 * 86400) -> int:
    """Delete done and discarded jobs older than a week so the table doesn't grow forever.

    Dead jobs stay until an admin resends or discards them on the Delivery problems page (forum.mail).
    """
    cutoff = clock.now() - timedelta(seconds=older_than_s)
    finished = (JobStatus.DONE.value, JobStatus.DISCARDED.value)
    removed = db.session.execute(
        delete(Job).where(Job.status.in_(finished), Job.finished_at < cutoff)
    ).rowcount
    db.session.commit()
    return removed
