"""Mail through a real SMTP server: delivery, outages with backoff, killed workers and dead jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import accounts
from forum.core import outbox
from forum.core.extensions import db
from forum.mail import sending as mail
from forum.models import Job, JobStatus, OutboundEmail

RESET_LINK_PREFIX = "http://localhost/auth/reset/"


@pytest.fixture
def ana(make):
    return make.make_user(username="ana", email="ana@example.com")


def request_reset(email: str) -> Job:
    """Ask for a reset link; return the mail job the service queued in the same transaction."""
    accounts.request_password_reset(email)
    return db.session.scalars(select(Job).where(Job.name == mail.SEND_JOB).order_by(Job.id.desc())).first()


def test_reset_email_reaches_the_smtp_server_with_its_link(clock_at, ana, smtp_server, run_jobs):
    job = request_reset("ANA@example.com")
    assert smtp_server.messages == []  # nothing is sent inside the request

    assert run_jobs() == 1

    [message] = smtp_server.messages
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Reset your Horseshoe password"
    assert RESET_LINK_PREFIX in smtp_server.texts()[0]
    assert db.session.get(Job, job.id).status == JobStatus.DONE
    assert db.session.scalar(select(OutboundEmail)).sent_at == clock_at.now


def test_mail_waits_out_an_smtp_outage_and_arrives_once(clock_at, ana, smtp_server, run_jobs):
    smtp_server.stop()
    job = request_reset(ana.email)

    assert run_jobs() == 1
    db.session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert "refused" in job.last_error.lower()
    assert job.run_at > clock_at.now
    assert run_jobs() == 0  # backing off: not due yet, and still queued (nothing lost)
    assert db.session.scalar(select(OutboundEmail)).sent_at is None

    smtp_server.start()
    clock_at.set(job.run_at + timedelta(seconds=1))
    assert run_jobs() == 1
    assert run_jobs() == 0
    assert len(smtp_server.messages) == 1
    db.session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_a_job_left_by_a_killed_worker_runs_again_after_its_lease(clock_at, ana, smtp_server, run_jobs):
    job = request_reset(ana.email)
    claimed = outbox.claim_next({mail.SEND_JOB})  # the worker dies here, before sending
    assert claimed.id == job.id and claimed.locked_until > clock_at.now

    assert run_jobs() == 0  # the lease still holds
    clock_at.set(claimed.locked_until + timedelta(seconds=1))
    assert run_jobs() == 1

    assert len(smtp_server.messages) == 1
    db.session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_a_job_that_keeps_failing_ends_dead_after_max_attempts(clock_at, ana, smtp_server, run_jobs):
    smtp_server.stop()
    job = request_reset(ana.email)

    for attempt in range(1, job.max_attempts + 1):
        assert run_jobs() == 1, f"attempt {attempt} did not run"
        db.session.refresh(job)
        assert job.attempts == attempt
        clock_at.set(job.run_at + timedelta(seconds=1))

    assert job.status == JobStatus.DEAD
    assert job.finished_at is not None and job.last_error
    smtp_server.start()
    clock_at.advance(days=1)
    assert run_jobs() == 0
    assert smtp_server.messages == []
