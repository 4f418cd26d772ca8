"""Notifications reach the right people (never the author), batch votes, and respect mutes."""

from __future__ import annotations

import pytest

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import Notification, OutboundEmail
from forum.services import notifications, posting, qa, subscriptions


def _kinds_for(user) -> list[str]:
    return [n.kind for n in db.session.scalars(db.select(Notification).where(Notification.user_id == user.id))]


def test_watchers_hear_of_replies_but_the_replier_does_not(make):
    thread = make.make_thread()
    helper, third = make.make_user(), make.make_user()
    make.make_reply(thread, author=helper)
    make.make_reply(thread, author=third)
    assert _kinds_for(thread.author) == ["reply", "reply"]
    assert _kinds_for(helper) == ["reply"]  # auto-watched after replying, told about the third's reply
    assert _kinds_for(third) == []


def test_a_muted_thread_stays_quiet_even_after_replying_again(make):
    thread = make.make_thread()
    subscriptions.mute(thread.author, thread)
    posting.reply_to_thread(thread.author, thread, "Adding details myself")
    make.make_reply(thread)
    assert _kinds_for(thread.author) == []


def test_mentions_notify_the_named_user_once(make):
    thread = make.make_thread()
    expert = make.make_user(username="router_expert")
    make.make_reply(thread, body="Maybe @Router_Expert knows? cc @router_expert and @nobody_here")
    assert _kinds_for(expert) == ["mention"]
    assert _kinds_for(thread.author) == ["reply"]


def test_category_and_tag_followers_hear_of_new_questions(make):
    category = make.make_category()
    by_category, by_tag, elsewhere = make.make_user(), make.make_user(), make.make_user()
    subscriptions.watch(by_category, category)
    make.make_thread(category=make.make_category(), tags=["printer"])
    subscriptions.watch(by_tag, posting.tags_by_name(["printer"])[0])
    thread = make.make_thread(category=category, tags=["printer"])
    assert _kinds_for(by_category) == ["new_question"]
    assert _kinds_for(by_tag) == ["new_question"]
    assert _kinds_for(elsewhere) == []
    assert thread.author_id not in {by_category.id, by_tag.id}


def test_acceptance_tells_the_helper_and_asks_the_asker(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert "accepted" in _kinds_for(reply.author)
    assert "feedback_request" in _kinds_for(thread.author)
    assert thread.feedback_requested_at is not None


def test_votes_are_batched_into_one_unread_notification(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    for _ in range(3):
        qa.vote_helpful(make.make_user(), reply)
    rows = db.session.scalars(db.select(Notification).where(Notification.user_id == reply.author_id)).all()
    votes = [row for row in rows if row.kind == "votes"]
    assert len(votes) == 1 and votes[0].count == 3
    notifications.mark_read(reply.author)
    qa.vote_helpful(make.make_user(), reply)
    assert notifications.unread_count(reply.author) == 1


def test_immediate_email_is_queued_but_daily_and_off_users_get_none_now(make, run_jobs):
    thread = make.make_thread()
    daily = make.make_user(email_frequency="daily")
    off = make.make_user(email_frequency="off")
    for user in (daily, off):
        subscriptions.watch(user, thread)
    make.make_reply(thread)
    run_jobs()  # the worker renders notification emails, not the request
    recipients = [e.to_address for e in db.session.scalars(db.select(OutboundEmail))]
    assert thread.author.email in recipients
    assert daily.email not in recipients and off.email not in recipients


def test_listing_and_marking_read(make):
    thread = make.make_thread()
    for _ in range(3):
        make.make_reply(thread)
    page = notifications.list_notifications(thread.author, limit=2)
    assert len(page.items) == 2 and page.next_cursor
    rest = notifications.list_notifications(thread.author, limit=2, cursor=page.next_cursor)
    assert len(rest.items) == 1
    assert notifications.mark_read(thread.author, [page.items[0].id]) == 1
    assert notifications.unread_count(thread.author) == 2
    with pytest.raises(Invalid):
        notifications.mark_read(thread.author, ["x"])


def test_unsubscribe_links_work_and_cannot_be_forged(make):
    user = make.make_user()
    token = notifications.unsubscribe_url(user).rsplit("/", 1)[1]
    with pytest.raises(Invalid):
        notifications.unsubscribe(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    other_token = notifications.unsubscribe_url(make.make_user()).rsplit("/", 1)[1]
    forged = token.split(".")[0] + "." + other_token.split(".")[1]  # user's payload, another's signature
    assert forged != token
    with pytest.raises(Invalid):
        notifications.unsubscribe(forged)
    assert notifications.unsubscribe(token).email_frequency == "off"
    assert user.weekly_digest is False


def test_accepting_the_same_reply_twice_tells_the_helper_once(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    qa.accept_solution(thread.author, thread, reply)
    assert _kinds_for(reply.author).count("accepted") == 1
