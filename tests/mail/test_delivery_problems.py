"""Delivery problems (issue 24, item 5): mail that fails for real against a stopped SMTP server shows on the
admin page with its error; Resend delivers it once, Discard puts it aside, both audited; admins only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import accounts
from forum.core import outbox
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.mail import delivery_problems
from forum.mail import sending as mail
from forum.mail.pages import delivery as problem_pages
from forum.models import AuditEntry, Job, JobStatus, OutboundEmail
from tests.queries import count_statements
from tests.web import conftest as web_fixtures
from tests.web.helpers import FORBIDDEN, SIGN_IN, expect, text

community, switch_user, act_as = web_fixtures.community, web_fixtures.switch_user, web_fixtures.act_as
PAGE = "/admin/delivery"
SUBJECT = "Reset your Horseshoe password"


@pytest.fixture(autouse=True)
def settled(community, smtp_server, run_jobs):
    """The community's own jobs (its notification mail, badges, search) done first, with the mail server up."""
    run_jobs()
    smtp_server.messages.clear()


@pytest.fixture
def ana(make):
    return make.make_user(username="ana", email="ana@example.com")


def reset_mail(user) -> Job:
    """A password-reset email for user, queued (not yet tried): the mail.send job the service wrote."""
    accounts.request_password_reset(user.email)
    return db.session.scalars(select(Job).where(Job.name == mail.SEND_JOB).order_by(Job.id.desc())).first()


def fail_until_dead(job: Job, clock_at, run_jobs) -> Job:
    """Run the worker at each retry time until the job has used every attempt (the SMTP server is down)."""
    while True:
        assert run_jobs() == 1
        db.session.refresh(job)
        if job.status == JobStatus.DEAD:
            return job
        clock_at.set(job.run_at + timedelta(seconds=1))


def dead_mail(ana, smtp_server, clock_at, run_jobs) -> Job:
    smtp_server.stop()
    return fail_until_dead(reset_mail(ana), clock_at, run_jobs)


def email_of(job: Job) -> OutboundEmail:
    return db.session.get(OutboundEmail, json.loads(job.payload_json)["id"])


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_mail_dead_after_every_attempt_shows_with_its_error_and_resend_delivers_it_once(
        act_as, ana, smtp_server, clock_at, run_jobs):
    job = dead_mail(ana, smtp_server, clock_at, run_jobs)
    assert job.attempts == job.max_attempts == 8

    client = act_as("admin")
    page = text(client.get(PAGE))
    assert "Email to ana@example.com: “Reset your Horseshoe password”" in page
    assert "Connection refused" in page and "8 of 8" in page and ">Dead<" in page
    assert "<strong>1</strong> dead (1 of them an email)" in page
    assert '<span class="queue-count">1<span class="visually-hidden"> dead</span>' in page  # the admin menu
    assert smtp_server.messages == []

    smtp_server.start()
    expect(client.post(f"{PAGE}/{job.id}/resend"), "redirect")
    assert "is queued again" in text(client.get(PAGE))
    db.session.refresh(job)
    assert (job.status, job.attempts, job.last_error, job.run_at) == (JobStatus.QUEUED, 0, "", clock_at.now)
    [entry] = audit("job.resend")
    before = json.loads(entry.before_json)
    assert (entry.target_type, entry.target_id, before["status"], before["attempts"]) == ("job", job.id, "dead", 8)
    assert "Connection refused" in before["last_error"]  # the error the job no longer carries is kept here
    audit_page = text(client.get("/moderation/audit"))
    assert 'queued again the failed job <span class="audit-plain">“mail.send”</span>' in audit_page

    assert run_jobs() == 1
    assert run_jobs() == 0
    [message] = smtp_server.messages
    assert (message["To"], message["Subject"]) == ("ana@example.com", SUBJECT)
    assert email_of(job).sent_at == clock_at.now
    assert problem_pages.EMPTY in text(client.get(PAGE))


def test_failing_mail_shows_as_retrying_with_its_next_attempt(act_as, ana, smtp_server, clock_at, run_jobs):
    smtp_server.stop()
    job = reset_mail(ana)
    assert run_jobs() == 1
    db.session.refresh(job)

    page = text(act_as("admin").get(PAGE))
    assert ">Retrying<" in page and "1 of 8" in page and "Next attempt" in page and "Connection refused" in page
    assert f'datetime="{job.run_at:%Y-%m-%dT%H:%M:%SZ}"' in page
    assert delivery_problems.summary() == delivery_problems.DeliverySummary(dead=0, retrying=1, mail_waiting=1,
                                                                            dead_mail=0)


def test_discard_asks_first_then_takes_the_mail_off_the_list_for_good(act_as, ana, smtp_server, clock_at, run_jobs):
    job = dead_mail(ana, smtp_server, clock_at, run_jobs)
    client = act_as("admin")
    confirm = text(client.get(f"{PAGE}/{job.id}/discard"))
    assert "Discard this email?" in confirm and "Connection refused" in confirm
    assert 'class="button button-danger">Discard email<' in confirm

    unconfirmed = client.post(f"{PAGE}/{job.id}/discard")
    assert unconfirmed.status_code == 422 and problem_pages.UNCONFIRMED in text(unconfirmed)
    assert db.session.get(Job, job.id).status == JobStatus.DEAD and audit("job.discard") == []

    expect(client.post(f"{PAGE}/{job.id}/discard", data={"confirm": "discard"}), "redirect")
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DISCARDED
    assert email_of(job).discarded_at == clock_at.now
    [entry] = audit("job.discard")
    assert json.loads(entry.after_json) == {"name": "mail.send", "status": "discarded"}
    assert "is discarded: it is not tried again." in text(client.get(PAGE))
    page = text(client.get(PAGE))
    assert problem_pages.EMPTY in page and "ana@example.com" not in page
    assert "discarded the failed job" in text(client.get("/moderation/audit"))

    smtp_server.start()
    clock_at.advance(days=1)
    assert run_jobs() == 0 and smtp_server.messages == []  # never tried again
    again = client.post(f"{PAGE}/{job.id}/discard", data={"confirm": "discard"})
    assert again.status_code == 303 and len(audit("job.discard")) == 1  # a second click changes nothing


def test_a_discarded_job_is_purged_after_a_week_and_a_dead_one_waits_for_an_admin(
        community, ana, smtp_server, clock_at, run_jobs):
    discarded = dead_mail(ana, smtp_server, clock_at, run_jobs).id
    still_dead = dead_mail(ana, smtp_server, clock_at, run_jobs).id
    delivery_problems.discard(community.user("admin"), discarded)
    clock_at.advance(days=8)

    outbox.purge_finished()

    db.session.expire_all()
    assert db.session.get(Job, discarded) is None
    assert db.session.get(Job, still_dead).status == JobStatus.DEAD


def test_a_job_trying_right_now_can_be_neither_discarded_nor_resent(act_as, community, ana, smtp_server, clock_at,
                                                                   run_jobs):
    smtp_server.stop()
    job = reset_mail(ana)
    assert run_jobs() == 1
    db.session.refresh(job)
    clock_at.set(job.run_at)
    assert outbox.claim_next({mail.SEND_JOB}).id == job.id  # a worker is on its second attempt

    client = act_as("admin")
    assert "Trying now" in text(client.get(PAGE))
    refused = client.post(f"{PAGE}/{job.id}/discard", data={"confirm": "discard"})
    assert refused.status_code == 409 and "is running right now" in text(refused)
    with pytest.raises(Conflict):
        delivery_problems.resend(community.admin, job.id)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.RUNNING
    assert audit("job.discard") == audit("job.resend") == []


def test_resending_mail_that_went_out_after_all_does_not_send_it_twice(act_as, ana, smtp_server, clock_at, run_jobs):
    job = dead_mail(ana, smtp_server, clock_at, run_jobs)
    email = email_of(job)
    email.sent_at = clock_at.now  # the server took it, but the worker died before the job was settled
    db.session.commit()
    smtp_server.start()

    client = act_as("admin")
    client.post(f"{PAGE}/{job.id}/resend")
    assert "had been sent after all, so it is not sent twice" in text(client.get(PAGE))
    assert run_jobs() == 1
    assert smtp_server.messages == []
    assert db.session.get(Job, job.id).status == JobStatus.DONE


def test_a_dead_job_that_is_not_mail_shows_too(act_as, run_jobs):
    job = outbox.enqueue("notifications.email", {"notifications": [5]}, max_attempts=1)  # a payload it cannot read
    db.session.commit()
    assert run_jobs() == 1
    db.session.refresh(job)
    assert job.status == JobStatus.DEAD

    client = act_as("admin")
    page = text(client.get(PAGE))
    assert "notifications.email: notifications 5" in page and "KeyError" in page and "1 of 1" in page
    assert "Resend all dead mail" not in page
    confirm = text(client.get(f"{PAGE}/{job.id}/discard"))
    assert "Discard this job?" in confirm and "what it was to do stays undone" in confirm


def test_resend_all_dead_mail_at_once_after_an_outage(act_as, make, ana, smtp_server, clock_at, run_jobs):
    other = make.make_user(username="bob", email="bob@example.com")
    smtp_server.stop()
    jobs = [reset_mail(ana), reset_mail(other)]
    for job in jobs:
        job.max_attempts = 1
    stuck = outbox.enqueue("notifications.email", {}, max_attempts=1)
    db.session.commit()
    assert run_jobs() == 3

    client = act_as("admin")
    assert "Resend all dead mail (2)" in text(client.get(PAGE))
    smtp_server.start()
    client.post(f"{PAGE}/resend-mail")
    assert "2 emails are queued again." in text(client.get(PAGE))
    assert run_jobs() == 2
    assert sorted(message["To"] for message in smtp_server.messages) == ["ana@example.com", "bob@example.com"]
    assert db.session.get(Job, stuck.id).status == JobStatus.DEAD  # only mail is resent
    assert len(audit("job.resend")) == 2


SENDS = [("get", ""), ("post", "/{id}/resend"), ("get", "/{id}/discard"), ("post", "/{id}/discard"),
         ("post", "/resend-mail")]


@pytest.mark.parametrize(("method", "path"), SENDS)
@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN),
                                                 ("moderator", FORBIDDEN)])
def test_only_admins_see_or_touch_delivery_problems(act_as, ana, smtp_server, clock_at, run_jobs, method, path,
                                                    caller, outcome):
    job = dead_mail(ana, smtp_server, clock_at, run_jobs)
    client = act_as(caller)
    send = getattr(client, method)
    expect(send(PAGE + path.format(id=job.id), data={"confirm": "discard"}) if method == "post"
           else send(PAGE + path.format(id=job.id)), outcome)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DEAD
    assert audit("job.resend") == audit("job.discard") == []


def test_nothing_failed_shows_the_empty_state(act_as, ana, smtp_server, run_jobs):
    reset_mail(ana)
    assert run_jobs() == 1  # delivered: not a problem
    page = text(act_as("admin").get(PAGE))
    assert "Nothing has failed. Mail and background jobs are running normally." in page
    assert "<table" not in page and "Resend all" not in page
    assert "<strong>0</strong> dead" in page


def test_the_list_pages_newest_first(act_as, run_jobs, monkeypatch):
    jobs = [outbox.enqueue("notifications.email", {"n": index}, max_attempts=1) for index in range(3)]
    db.session.commit()
    assert run_jobs() == 3
    monkeypatch.setattr(delivery_problems, "PER_PAGE", 2)
    client = act_as("admin")
    first = text(client.get(PAGE))
    assert first.index(f"#{jobs[2].id}<") < first.index(f"#{jobs[1].id}<") and f"#{jobs[0].id}<" not in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = text(client.get(f"{PAGE}?cursor={cursor}"))
    assert f"#{jobs[0].id}<" in second and f"#{jobs[1].id}<" not in second
    assert client.get(f"{PAGE}?cursor=not-a-cursor").status_code == 422


def test_the_summary_is_one_query(ana, smtp_server, clock_at, run_jobs):
    dead_mail(ana, smtp_server, clock_at, run_jobs)
    reset_mail(ana)  # waiting, never tried
    stuck = outbox.enqueue("notifications.email", {}, max_attempts=2)
    db.session.commit()
    clock_at.advance(days=2)
    assert run_jobs() == 2  # the new mail fails once, the stuck job once: both retrying
    db.session.refresh(stuck)
    assert (stuck.status, stuck.attempts) == (JobStatus.QUEUED, 1)

    with count_statements() as statements:
        counts = delivery_problems.summary()
    assert len(statements) == 1
    assert counts == delivery_problems.DeliverySummary(dead=1, retrying=2, mail_waiting=1, dead_mail=1)
