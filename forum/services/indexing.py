"""Ask the search worker to re-index a thread (by job name: forum never imports the search package)."""

from __future__ import annotations

import json

from sqlalchemy import select

from forum.core import outbox
from forum.core.extensions import db
from forum.models import Job, JobStatus

INDEX_THREAD_JOB = "search.index_thread"


def reindex_thread(thread_id: int) -> None:
    """Queue an index update in the caller's transaction; it runs only if that commits.

    A thread that already has an update waiting needs no second one: the job reads the thread as
    it is when it runs. The waiting job's row is locked until this transaction ends (SKIP LOCKED:
    if a worker is claiming it right now, queue our own), so it can't start before this change
    commits and index the thread without it. Posting many replies to one thread queued one job each.
    """
    payload = {"thread_id": thread_id}
    waiting = db.session.scalar(
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED.value, Job.name == INDEX_THREAD_JOB,
               Job.payload_json == json.dumps(payload, sort_keys=True))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if waiting is None:
        outbox.enqueue(INDEX_THREAD_JOB, payload)
