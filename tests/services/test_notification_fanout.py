"""Reply notifications: the worker renders the emails, and everyone who should hear still hears once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from forum.core.extensions import db
from forum.models import Job, JobStatus, Notification, OutboundEmail, Subscription
from forum.services import digests, notifications, posting, qa, subscriptions
from moderation.services.anonymize import anonymize_user
from tests.queries import count_statements


def _emails_to(*users) -> list[str]:
    """Subjects of the emails to users (badges earned meanwhile left out: the worker grants those too)."""
    addresses = [user.email for user in users]
    return list(db.session.scalars(
        select(OutboundEmail.subject)
        .where(OutboundEmail.to_address.in_(addresses), OutboundEmail.subject != "You earned a badge")
        .order_by(OutboundEmail.id)))


def _email_jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.name == notifications.EMAIL_JOB).order_by(Job.id)))


@pytest.fixture
def watched(make):
    """A question its asker watches, with two more watchers who want email at once, one daily and one never."""
    thread = make.make_thread(title="Printer prints blank pages")
    people = {"asker": thread.author, "helper": make.make_user(), "lurker": make.make_user(),
              "daily": make.make_user(email_frequency="daily"), "off": make.make_user(email_frequency="off")}
    for name in ("lurker", "daily", "off"):
        subscriptions.watch(people[name], thread)
    return thread, people


def test_the_worker_emails_each_watcher_who_wants_it_now_and_the_request_renders_none(watched, run_jobs):
    thread, people = watched
    posting.reply_to_thread(people["helper"], thread, "Check the toner cartridge's seal.")
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0  # nothing rendered in the request
    assert len(_email_jobs()) == 1

    run_jobs()

    subject = "Re: Printer prints blank pages"  # every email about the thread has its subject
    assert _emails_to(people["asker"]) == [subject] and _emails_to(people["lurker"]) == [subject]
    assert _emails_to(people["helper"], people["daily"], people["off"]) == []  # not the replier, not now
    daily = db.session.scalars(select(Notification).where(Notification.user_id == people["daily"].id)).one()
    assert daily.emailed_at is None  # left for the daily digest
    assert digests.send_daily_digests() == 1
    assert _emails_to(people["daily"]) == ["Your Horseshoe digest: 1 updates"]


def test_a_mentioned_member_is_emailed_the_mention_by_the_worker(make, run_jobs):
    thread = make.make_thread(title="Scanner skips every other page")
    expert = make.make_user(username="scan_expert")
    posting.reply_to_thread(make.make_user(), thread, "@scan_expert have you seen this one?")
    run_jobs()
    assert _emails_to(expert) == ["Re: Scanner skips every other page"]  # the thread's subject in every email
    body = db.session.scalar(select(OutboundEmail.text_body).where(OutboundEmail.to_address == expert.email))
    assert "mentioned you: Scanner skips every other page" in body


def test_running_an_email_job_again_sends_nothing_twice(watched, run_jobs):
    thread, people = watched
    posting.reply_to_thread(people["helper"], thread, "Try the cleaning cycle.")
    [job] = _email_jobs()
    run_jobs()
    notifications.email_notifications_job(json.loads(job.payload_json))  # a worker killed after its commit
    assert len(_emails_to(people["asker"])) == 1 and len(_emails_to(people["lurker"])) == 1


def test_switching_to_the_daily_digest_before_the_worker_runs_moves_the_email_to_the_digest(watched, run_jobs):
    thread, people = watched
    posting.reply_to_thread(people["helper"], thread, "Update the printer's firmware.")
    notifications.set_email_preferences(people["lurker"], "daily", weekly_digest=False)
    run_jobs()
    assert _emails_to(people["lurker"]) == []
    assert digests.send_daily_digests() == 2  # the lurker and the member who was daily all along
    assert _emails_to(people["lurker"]) == ["Your Horseshoe digest: 1 updates"]


def test_a_member_erased_before_the_worker_runs_is_never_emailed(watched, make, run_jobs):
    thread, people = watched
    address = people["lurker"].email
    posting.reply_to_thread(people["helper"], thread, "Reseat the paper tray.")
    anonymize_user(make.make_user("admin"), people["lurker"], "their request")
    run_jobs()
    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.to_address.in_([address, people["lurker"].email]))) == 0
    assert _emails_to(people["asker"]) == ["Re: Printer prints blank pages"]


def test_a_failing_email_job_keeps_the_reply_and_sends_the_email_on_a_later_attempt(
        watched, api_client, run_jobs, clock_at, monkeypatch):
    thread, people = watched
    response = api_client(people["helper"]).post(f"/api/v1/threads/{thread.id}/posts",
                                                 json={"body": "Print a test page from the printer's menu."})
    assert response.status_code == 201
    with monkeypatch.context() as patched:
        patched.setattr(notifications, "queue_email", _mail_server_template_broken)
        run_jobs()
    job = _email_jobs()[0]  # the reply's (a badge the worker granted meanwhile has its own)
    assert job.status == JobStatus.QUEUED.value and job.attempts == 1 and "template" in job.last_error
    listed = api_client().get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
    assert [post["id"] for post in listed] == [response.get_json()["id"]]  # the reply stands
    assert _emails_to(people["asker"]) == []

    clock_at.advance(hours=1)  # past the retry's backoff
    run_jobs()
    assert _emails_to(people["asker"]) == ["Re: Printer prints blank pages"]
    assert db.session.get(Job, job.id).status == JobStatus.DONE.value


def _mail_server_template_broken(*_args, **_kwargs):
    raise RuntimeError("the notification template failed to render")


def test_votes_and_members_who_want_no_email_queue_no_email_job(make):
    thread = make.make_thread(author=make.make_user(email_frequency="off"))
    reply = make.make_reply(thread, author=make.make_user(email_frequency="daily"))
    qa.vote_helpful(make.make_user(), reply)
    assert _email_jobs() == []
    assert {n.kind for n in db.session.scalars(select(Notification))} == {"reply", "votes"}


def test_the_replier_watches_the_thread_once_however_often_they_reply(make):
    thread = make.make_thread()
    helper = make.make_user()
    for text in ("First idea: restart it.", "Second idea: reset it."):
        posting.reply_to_thread(helper, thread, text)
    assert subscriptions.state_of(helper, thread) == "watching"
    rows = db.session.scalar(select(func.count(Subscription.id)).where(
        Subscription.user_id == helper.id, Subscription.thread_id == thread.id))
    assert rows == 1
    make.make_reply(thread)
    assert [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == helper.id))] \
        == ["reply"]


def test_replying_to_a_muted_thread_keeps_it_muted(make):
    thread = make.make_thread()
    helper = make.make_user()
    subscriptions.mute(helper, thread)
    posting.reply_to_thread(helper, thread, "One more thought, then I am out.")
    assert subscriptions.state_of(helper, thread) == "muted"


def test_the_api_answers_a_reply_without_reading_back_what_it_just_wrote(make, api_client):
    thread = make.make_thread()
    helper = make.make_user(username="quiet_helper")
    client = api_client(helper)
    with count_statements(savepoints=True) as recorded:
        response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Swap the USB cable."})
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["author"]["username"] == "quiet_helper" and answer["is_accepted"] is False
    assert answer["thread_id"] == thread.id and answer["body"] == "Swap the USB cable."
    statements = [sql.lstrip().upper() for sql in recorded]
    committed = max(i for i, sql in enumerate(statements) if sql.startswith("RELEASE"))  # the reply's commit
    assert [sql for sql in statements[committed + 1:] if sql.startswith("SELECT")] == []
