"""The job queue: jobs exist only if their transaction commits, retry with backoff, then die."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from forum.core import job_registry, outbox, worker
from forum.core.extensions import db
from forum.models import Job


def _count(name: str) -> int:
    return db.session.query(Job).filter_by(name=name).count()


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(db):
    db.session.begin_nested()
    outbox.enqueue("test.noop", {"id": 1})
    db.session.rollback()
    assert _count("test.noop") == 0


def test_failing_jobs_back_off_then_go_dead(db, clock_at):
    calls = []

    def explode(payload):
        calls.append(payload["n"])
        raise RuntimeError("remote is down")

    job_registry.register("test.explode", explode)
    job = outbox.enqueue("test.explode", {"n": 7}, max_attempts=2)
    db.session.commit()
    assert worker.run_until_empty() == 1
    assert job.status == "queued" and job.attempts == 1 and "remote is down" in job.last_error
    assert job.run_at > clock_at.now
    assert worker.run_until_empty() == 0  # not due yet
    clock_at.set(job.run_at)
    worker.run_until_empty()
    assert job.status == "dead" and calls == [7, 7]


def test_backoff_grows_exponentially_with_jitter():
    delays = [outbox.retry_delay_s(attempt) for attempt in (1, 2, 3, 4)]
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert 24 <= delays[0] <= 36


def test_recurring_jobs_keep_exactly_one_pending_run(db, clock_at):
    assert outbox.schedule_periodic({"test.tick": 60}) == 1
    assert outbox.schedule_periodic({"test.tick": 60}) == 0
    pending = db.session.scalars(db.select(Job).where(Job.name == "test.tick")).all()
    assert len(pending) == 1 and (pending[0].run_at - clock_at.now).total_seconds() == 60


def test_the_worker_loop_survives_a_locked_database(db, monkeypatch):
    calls = {"n": 0}
    real_claim = outbox.claim_next

    def flaky_claim(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return real_claim(*args, **kwargs)

    ran = []
    job_registry.register("test.after_outage", lambda payload: ran.append(payload["n"]))
    outbox.enqueue("test.after_outage", {"n": 1})
    db.session.commit()
    monkeypatch.setattr(outbox, "claim_next", flaky_claim)
    monkeypatch.setattr(worker, "schedule_recurring", lambda: None)
    monkeypatch.setattr(worker.time, "sleep", lambda _s: None)
    worker.run_forever(poll_s=0, stop=lambda: calls["n"] >= 3)
    assert ran == [1]


def test_a_run_that_outlived_its_lease_cannot_overwrite_the_newer_run(db, clock_at):
    outbox.enqueue("test.slow", {})
    db.session.commit()
    first = outbox.claim_next({"test.slow"})
    first_attempt = first.attempts
    clock_at.advance(seconds=outbox.LEASE_SECONDS + 1)
    second = outbox.claim_next({"test.slow"})
    assert second.id == first.id and second.attempts == first_attempt + 1
    stale = Job(id=first.id, attempts=first_attempt, max_attempts=8)  # what the first worker still holds
    assert outbox.fail(stale, "late failure") is False
    assert outbox.finish(second) is True
    assert db.session.get(Job, first.id).status == "done"


def test_a_job_that_keeps_killing_its_worker_ends_dead(db, clock_at):
    job = outbox.enqueue("test.crashy", {}, max_attempts=2)
    db.session.commit()
    for _ in range(2):
        assert outbox.claim_next({"test.crashy"}) is not None
        clock_at.advance(seconds=outbox.LEASE_SECONDS + 1)
    assert outbox.claim_next({"test.crashy"}) is None
    assert db.session.get(Job, job.id).status == "dead"
