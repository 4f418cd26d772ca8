"""A notification goes out once, even when the immediate-email job and the daily digest race for it.

Found by review of issue 21: the email moved to the worker, so a member who switches to the daily digest
while the job runs could get the reply twice on PostgreSQL (SQLite serialises the two writers).
"""

from __future__ import annotations

import json
import threading

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from forum.core.extensions import db
from forum.models import Job, Notification, OutboundEmail, User
from forum.services import digests, notifications
from tests import factories


def _reply_with_email_job() -> tuple[dict, str]:
    thread = factories.make_thread(title="Race thread about the router")
    factories.make_reply(thread, author=factories.make_user(), body="A reply for the race.")
    [job] = db.session.scalars(select(Job).where(Job.name == notifications.EMAIL_JOB)).all()
    payload, asker = json.loads(job.payload_json), thread.author.email
    db.session.remove()
    return payload, asker


def _emails_to(address: str) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.to_address == address))


def test_a_digest_racing_the_email_job_leaves_one_email(app: Flask, committed, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises the two writers (BEGIN IMMEDIATE)")
    payload, asker = _reply_with_email_job()
    job_loaded, digest_read, job_done = threading.Event(), threading.Event(), threading.Event()
    real_claim, real_queue = notifications._claim_email, digests.queue_email

    def claim_after_the_digest_read(row):
        job_loaded.set()
        digest_read.wait(10)
        return real_claim(row)

    def digest_mail_after_the_job(*args, **kwargs):
        digest_read.set()
        job_done.wait(10)
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(notifications, "_claim_email", claim_after_the_digest_read)
    monkeypatch.setattr(digests, "queue_email", digest_mail_after_the_job)

    def job():
        with app.app_context():
            try:
                notifications.email_notifications_job(payload)
            finally:
                job_done.set()
                db.session.remove()

    def digest():
        with app.app_context():
            job_loaded.wait(10)
            with db.engine.begin() as connection:  # the asker switches to the daily digest meanwhile
                connection.execute(update(User).where(User.email == asker).values(email_frequency="daily"))
            digests.send_daily_digests()
            db.session.remove()

    workers = [threading.Thread(target=job), threading.Thread(target=digest)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    db.session.remove()
    [notification] = db.session.scalars(
        select(Notification).join(User, User.id == Notification.user_id).where(User.email == asker)
    ).all()
    assert notification.emailed_at is not None
    assert _emails_to(asker) == 1, "the reply was emailed at once and again in the daily digest"
