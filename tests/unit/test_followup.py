"""Keeping questions from rotting: feedback, reminders, needs-info and digests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from forum.core.errors import Conflict, Forbidden, Invalid
from forum.core.extensions import db
from forum.models import Feedback, Notification, OutboundEmail
from forum.services import digests, feedback, needs_info, posting, subscriptions, sweeps


def _kinds_for(user) -> list[str]:
    return [n.kind for n in db.session.scalars(db.select(Notification).where(Notification.user_id == user.id))]


def test_the_asker_is_asked_once_24_hours_after_the_first_reply(make, clock_at):
    thread = make.make_thread()
    make.make_reply(thread)
    clock_at.advance(hours=23)
    assert sweeps.request_due_feedback() == 0
    clock_at.advance(hours=2)
    assert sweeps.request_due_feedback() == 1
    assert sweeps.request_due_feedback() == 0
    assert _kinds_for(thread.author).count("feedback_request") == 1


def test_reminders_come_3_and_7_days_after_the_first_reply(make, clock_at):
    thread = make.make_thread()
    make.make_reply(thread)
    clock_at.advance(days=3, minutes=1)
    sweeps.remind_askers()
    assert _kinds_for(thread.author).count("reminder") == 1
    clock_at.advance(days=4)
    sweeps.remind_askers()
    sweeps.remind_askers()
    assert _kinds_for(thread.author).count("reminder") == 2


def test_a_hidden_question_is_not_chased(make, clock_at):
    thread = make.make_thread()
    make.make_reply(thread)
    thread.visibility = "hidden"
    db.session.commit()
    clock_at.advance(days=8)
    assert sweeps.request_due_feedback() == 0
    sweeps.remind_askers()
    assert _kinds_for(thread.author) == ["reply"]  # from before it was hidden; no reminder since


def test_a_question_found_past_both_reminder_dates_gets_one_reminder(make, clock_at):
    thread = make.make_thread()
    make.make_reply(thread)
    clock_at.advance(days=8)
    sweeps.remind_askers()
    sweeps.remind_askers()
    assert _kinds_for(thread.author).count("reminder") == 1


def test_only_the_asker_gives_feedback_and_a_no_offers_escalation(make):
    thread = make.make_thread()
    with pytest.raises(Forbidden):
        feedback.give_feedback(make.make_user(), thread, feedback.FeedbackInput(True, 5))
    answer = feedback.give_feedback(thread.author, thread, feedback.FeedbackInput(False, 2, "Still broken"))
    assert feedback.offers_escalation(answer)
    assert feedback.latest_feedback(thread).comment == "Still broken"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (feedback.FeedbackInput("yes"), "resolved"),
        (feedback.FeedbackInput(True, 6), "rating"),
        (feedback.FeedbackInput(True, True), "rating"),
        (feedback.FeedbackInput(True, 3, "x" * 2001), "comment"),
    ],
)
def test_bad_feedback_is_refused_by_field(make, data, field):
    thread = make.make_thread()
    with pytest.raises(Invalid) as caught:
        feedback.give_feedback(thread.author, thread, data)
    assert field in caught.value.errors


def test_needs_info_notifies_the_asker_and_their_reply_clears_it(make, clock_at):
    thread = make.make_thread()
    advocate = make.make_user("advocate")
    needs_info.request_info(advocate, thread, "Which router model is it?")
    assert thread.status == "needs_info" and "needs_info" in _kinds_for(thread.author)
    clock_at.advance(hours=2)
    posting.reply_to_thread(thread.author, thread, "It is the XR-500.")
    assert thread.status == "open" and thread.needs_info_note is None
    assert thread.paused_seconds == 7200


def test_members_cannot_ask_for_info_and_solved_threads_cannot_wait(make):
    thread = make.make_thread()
    with pytest.raises(Forbidden):
        needs_info.request_info(make.make_user(), thread, "More please")
    with pytest.raises(Invalid):
        needs_info.request_info(make.make_user("moderator"), thread, "   ")
    thread.status = "solved"
    with pytest.raises(Conflict):
        needs_info.request_info(make.make_user("moderator"), thread, "More please")


def test_daily_digest_collects_unsent_notifications_once_a_day(make, clock_at):
    thread = make.make_thread()
    reader = make.make_user(email_frequency="daily")
    subscriptions.watch(reader, thread)
    make.make_reply(thread)
    make.make_reply(thread)
    assert digests.send_daily_digests() == 1
    make.make_reply(thread)
    assert digests.send_daily_digests() == 0  # not a day yet
    clock_at.advance(days=1)
    assert digests.send_daily_digests() == 1
    mails = db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.to_address == reader.email)).all()
    assert [m.subject for m in mails] == ["Your Horseshoe digest: 2 updates", "Your Horseshoe digest: 1 updates"]


def test_weekly_digest_lists_unanswered_questions_in_followed_categories(make, clock_at):
    category = make.make_category()
    expert = make.make_user("advocate", weekly_digest=True)  # digests are opt-in
    subscriptions.watch(expert, category)
    waiting = make.make_thread(category=category, title="Invoice shows the wrong VAT rate")
    make.make_thread(category=category, replies=1, title="Answered question about refunds")
    assert digests.send_weekly_digests() == 1
    mail = db.session.scalars(
        db.select(OutboundEmail).where(
            OutboundEmail.to_address == expert.email, OutboundEmail.subject.like("%waiting%")
        )
    ).one()
    assert waiting.title in mail.text_body and "refunds" not in mail.text_body
    assert "/unsubscribe/" in mail.text_body
    assert digests.send_weekly_digests() == 0


def test_answering_again_replaces_the_earlier_feedback(make):
    thread = make.make_thread()
    feedback.give_feedback(thread.author, thread, feedback.FeedbackInput(False, 2))
    feedback.give_feedback(thread.author, thread, feedback.FeedbackInput(True, 5, "Fixed after the update"))
    rows = db.session.scalars(db.select(Feedback).where(Feedback.thread_id == thread.id)).all()
    assert [(row.resolved, row.rating) for row in rows] == [(True, 5)]


def test_a_second_worker_holding_stale_rows_asks_nobody_twice(make, clock_at):
    thread = make.make_thread()
    make.make_reply(thread)
    clock_at.advance(hours=25)
    assert feedback.request_feedback(thread) is True
    set_committed_value(thread, "feedback_requested_at", None)  # what another worker read earlier
    assert feedback.request_feedback(thread) is False
    assert _kinds_for(thread.author).count("feedback_request") == 1
