"""One waiting search update per thread: the job reads the thread when it runs, so a second is redundant."""

from __future__ import annotations

from sqlalchemy import select

from forum.core import outbox
from forum.core.extensions import db
from forum.models import Job, JobStatus
from forum.services import indexing


def waiting_updates(thread_id: int) -> list[Job]:
    return list(db.session.scalars(select(Job).where(
        Job.name == indexing.INDEX_THREAD_JOB, Job.status == JobStatus.QUEUED.value,
        Job.payload_json == f'{{"thread_id": {thread_id}}}')))


def test_many_replies_to_one_thread_leave_one_waiting_update(make):
    thread = make.make_thread()
    for _ in range(5):
        make.make_reply(thread)
    other = make.make_thread()
    assert len(waiting_updates(thread.id)) == 1
    assert len(waiting_updates(other.id)) == 1


def test_a_change_after_the_worker_took_the_update_queues_a_new_one(make):
    thread = make.make_thread()
    claimed = outbox.claim_next({indexing.INDEX_THREAD_JOB})
    assert claimed is not None and waiting_updates(thread.id) == []
    make.make_reply(thread)
    assert len(waiting_updates(thread.id)) == 1  # the running job may have read the thread before the reply
