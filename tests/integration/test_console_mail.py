"""Without HORSESHOE_MAIL_SERVER (`make run`), the worker prints each email to its log once and moves on.

No connection is tried: nothing listens on the test app's mail port here, so an SMTP attempt would fail
the job ("Connection refused") and leave it queued for a retry.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from forum import accounts, create_app
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.mail import sending as mail
from forum.models import Job, JobStatus, OutboundEmail

MAIL_LOGGER = "forum.mail.sending"


@pytest.fixture
def no_mail_server(app, monkeypatch):
    monkeypatch.setattr(app.config["HORSESHOE"], "mail_server", "")


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.INFO, logger=MAIL_LOGGER)
    return lambda: [record.getMessage() for record in caplog.records if record.name == MAIL_LOGGER]


def test_each_email_is_printed_once_with_its_link_and_counts_as_delivered(no_mail_server, mail_log, clock_at,
                                                                          make, run_jobs):
    make.make_user(username="ana", email="ana@example.com")
    accounts.request_password_reset("ana@example.com")
    job = db.session.scalars(select(Job).where(Job.name == mail.SEND_JOB)).one()

    assert run_jobs() == 1

    [printed] = mail_log()
    assert "To: ana@example.com" in printed
    assert "Subject: Reset your Horseshoe password" in printed
    assert "http://localhost/auth/reset/" in printed  # the text body: the link can be followed
    db.session.refresh(job)
    assert (job.status, job.attempts, job.last_error) == (JobStatus.DONE, 1, "")  # one attempt, no error
    email = db.session.scalar(select(OutboundEmail))
    assert email.sent_at == clock_at.now

    mail.send_email_job({"id": email.id})  # the job again (a worker killed before finishing it): not printed twice
    assert run_jobs() == 0
    assert len(mail_log()) == 1


def test_the_worker_says_at_start_up_where_mail_goes(app, db, no_mail_server, mail_log):
    result = app.test_cli_runner().invoke(args=["worker", "--until-empty"])
    assert result.exit_code == 0, result.output
    assert mail_log() == [
        "Mail: no HORSESHOE_MAIL_SERVER set, so no email is sent: the worker prints each one to its console instead."
    ]


def test_the_web_app_says_once_where_mail_goes(tmp_path, mail_log):
    console = create_app(Settings(data_dir=str(tmp_path / "console"), secret_key="x", testing=True))
    smtp = create_app(Settings(data_dir=str(tmp_path / "smtp"), secret_key="x", testing=True,
                               mail_server="smtp.example.org", mail_port=587))
    assert mail_log() == [mail.delivery_mode(console.config["HORSESHOE"]), mail.delivery_mode(smtp.config["HORSESHOE"])]
    assert "no HORSESHOE_MAIL_SERVER set" in mail_log()[0]
    assert mail_log()[1] == "Mail: delivered through the SMTP server at smtp.example.org:587."
