"""Reviewer probes (r2) for the worker-rendered notification email and keep_loaded reply answer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sqlalchemy import func, select

from forum import incidents
from forum.core.extensions import db
from forum.models import Job, Notification, OutboundEmail, Subscription, Visibility
from forum.services import moderation_state, notifications, posting, subscriptions
from forum.services.mail import absolute_url
from moderation.services import actions as moderation_actions
from moderation.services import suspensions
from tests.moderation_support import HOLD_WORD, holding  # noqa: F401


def _mail(user) -> list[OutboundEmail]:
    return list(db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.to_address == user.email,
                                    OutboundEmail.subject != "You earned a badge").order_by(OutboundEmail.id)))


def test_probe_email_content_subject_link_unsubscribe(make, run_jobs):
    thread = make.make_thread(title="Fax machine eats paper")
    watcher = make.make_user(display_name="Wanda Watcher")
    subscriptions.watch(watcher, thread)
    helper = make.make_user(display_name="Harry Helper")
    post = posting.reply_to_thread(helper, thread, "Open the rear tray.")
    run_jobs()
    [email] = _mail(watcher)
    assert email.subject == "New reply: Fax machine eats paper"
    link = absolute_url(f"/t/{thread.id}/{thread.slug}#p{post.id}")
    assert f"Open it: {link}" in email.text_body and f'href="{link}"' in email.html_body
    assert email.unsubscribe_url == notifications.unsubscribe_url(watcher)
    assert email.text_body.startswith("Hello Wanda Watcher,")


def test_probe_api_reply_answer_matches_the_stored_post(make, api_client):
    thread = make.make_thread()
    helper = make.make_user(username="probe_helper")
    response = api_client(helper).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Swap the **cable**."})
    assert response.status_code == 201
    answer = response.get_json()
    db.session.expire_all()
    listed = api_client(helper).get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
    [stored] = [p for p in listed if p["id"] == answer["id"]]
    stored.pop("viewer", None)
    assert {k: v for k, v in answer.items() if k != "warnings"} == stored
    assert answer["warnings"] == []


def test_probe_api_reply_then_thread_read_in_same_session(make, api_client):
    thread = make.make_thread()
    helper = make.make_user()
    client = api_client(helper)
    assert client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "First idea."}).status_code == 201
    shown = api_client().get(f"/api/v1/threads/{thread.id}").get_json()
    assert shown["reply_count"] == 1 and shown["status"] == "answered"


def test_probe_split_thread_auto_watch(make):
    moderator = make.make_user("moderator")
    thread = make.make_thread()
    first = make.make_reply(thread, body="I have the same problem on a different model.")
    new = moderation_actions.split_thread(moderator, thread, [first.id], "Same problem, other model", "off topic")
    assert subscriptions.state_of(first.author, new) == "watching"
    rows = db.session.scalars(select(Subscription).where(Subscription.user_id == first.author_id)).all()
    assert all(r.thread_id is not None or r.category_id is not None or r.tag_id is not None for r in rows)


@pytest.mark.usefixtures("holding")
def test_probe_held_reply_approved_emails_watchers_once_and_author_watches(make, run_jobs):
    thread = make.make_thread(title="Held reply thread")
    watcher = make.make_user()
    subscriptions.watch(watcher, thread)
    helper = make.make_user()
    post = posting.reply_to_thread(helper, thread, f"Try this {HOLD_WORD}")
    run_jobs()
    assert _mail(watcher) == []
    assert moderation_state.publish_post(post, make.make_user("moderator"))
    db.session.commit()
    run_jobs()
    assert [e.subject for e in _mail(watcher)] == ["New reply: Held reply thread"]
    assert subscriptions.state_of(helper, thread) == "watching"


def test_probe_suspension_notice_is_emailed(make, run_jobs, clock_at):
    moderator = make.make_user("moderator")
    member = make.make_user()
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(
        until=clock_at.now + timedelta(days=3), reason="Spam links"))
    run_jobs()
    assert [e.subject for e in _mail(member)] == ["About your account"]


def test_probe_rerun_after_crash_mid_job_sends_once(watched_probe, run_jobs, monkeypatch):
    thread, watchers = watched_probe
    posting.reply_to_thread(make_helper := watchers[0], thread, "x")  # noqa: F841
    [job] = db.session.scalars(select(Job).where(Job.name == notifications.EMAIL_JOB)).all()
    payload = json.loads(job.payload_json)
    calls = {"n": 0}
    real = notifications.queue_email

    def dies_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(notifications, "queue_email", dies_on_second)
    try:
        notifications.email_notifications_job(payload)
    except RuntimeError:
        db.session.rollback()
    monkeypatch.setattr(notifications, "queue_email", real)
    notifications.email_notifications_job(payload)
    for w in watchers[1:]:
        assert len(_mail(w)) == 1


@pytest.fixture
def watched_probe(make):
    thread = make.make_thread(title="Probe thread")
    people = [make.make_user() for _ in range(4)]
    for person in people:
        subscriptions.watch(person, thread)
    return thread, people


def test_probe_notifications_unique_per_recipient(make):
    thread = make.make_thread()
    expert = make.make_user(username="probe_expert")
    subscriptions.watch(expert, thread)
    posting.reply_to_thread(make.make_user(), thread, "@probe_expert any idea?")
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == expert.id)).all()
    assert kinds == ["mention"]
    assert db.session.scalar(select(func.count(Job.id)).where(Job.name == notifications.EMAIL_JOB)) == 2
    _ = incidents
