"""Holding, publishing, hiding, unhiding, deleting and restoring posts keeps every counter exact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.models import NotificationKind
from forum.services import digests, moderation_state, posting, qa, reading, subscriptions
from moderation.models import ReviewItem
from tests.moderation_support import (
    HOLD_WORD,
    exact_counters,
    holding,  # noqa: F401  (fixture)
    moderation_notes,
    notified_kinds,
    reputation_is_consistent,
)


@pytest.fixture
def thread(make, clock_at):
    return make.make_thread()


@pytest.mark.usefixtures("holding")
def test_a_held_reply_is_stored_pending_uncounted_and_unannounced(make, thread, clock_at):
    watcher = make.make_user()
    subscriptions.watch(watcher, thread)
    clock_at.advance(minutes=5)
    post = posting.reply_to_thread(make.make_user(), thread, f"Buy now {HOLD_WORD}")
    assert post.visibility == "pending" and post.moderation_note == moderation_state.PENDING_MESSAGE
    assert (thread.reply_count, thread.first_reply_at, thread.status) == (0, None, "open")
    assert notified_kinds(watcher.id) == []
    assert reading.list_replies(None, thread, 10).items == []
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert item.kind == "approval" and item.is_open and "reviews" in item.reason


@pytest.mark.usefixtures("holding")
def test_publishing_counts_the_reply_and_tells_watchers_like_a_fresh_one(make, thread, clock_at):
    watcher = make.make_user()
    subscriptions.watch(watcher, thread)
    clock_at.advance(minutes=5)
    post = posting.reply_to_thread(make.make_user(), thread, f"Try this {HOLD_WORD}")
    clock_at.advance(hours=1)
    assert moderation_state.publish_post(post, make.make_user("moderator"))
    db.session.commit()
    assert post.visibility == "public" and post.moderation_note is None
    assert (thread.reply_count, thread.status) == (1, "answered")
    assert (thread.reply_count, thread.first_reply_at) == exact_counters(thread)
    assert thread.last_activity_at == clock_at.now
    assert NotificationKind.REPLY.value in notified_kinds(watcher.id)
    assert moderation_notes(post.author_id) == ["A moderator approved your post: everyone can see it now."]
    assert not moderation_state.publish_post(post, None)  # twice changes nothing


@pytest.mark.usefixtures("holding")
def test_a_held_question_hides_its_thread_until_published(make):
    follower, category = make.make_user(), make.make_category()
    subscriptions.watch(follower, category)
    thread = make.make_thread(category=category, body=f"Cheap pills {HOLD_WORD}")
    assert thread.visibility == "pending"
    with pytest.raises(NotFound):
        reading.get_thread(make.make_user(), thread.id)
    assert reading.get_thread(thread.author, thread.id) is thread
    assert notified_kinds(follower.id) == []
    moderation_state.publish_post(reading.question_post(thread), make.make_user("moderator"))
    db.session.commit()
    assert thread.visibility == "public" and reading.get_thread(None, thread.id) is thread
    assert NotificationKind.NEW_QUESTION.value in notified_kinds(follower.id)


def test_hiding_a_reply_uncounts_it_drops_the_solution_and_reverses_its_reputation(make, thread, clock_at):
    clock_at.advance(minutes=5)
    helper = make.make_user()
    reply = make.make_reply(thread, author=helper)
    qa.vote_helpful(make.make_user(), reply)
    qa.accept_solution(thread.author, thread, reply)
    db.session.refresh(helper)
    assert helper.reputation == 25
    assert moderation_state.hide_post(reply, None, "Flagged as spam")
    db.session.commit()
    assert (thread.reply_count, thread.first_reply_at, thread.status) == (0, None, "open")
    assert thread.accepted_post_id is None
    db.session.refresh(helper)
    assert helper.reputation == 0 and reputation_is_consistent(helper, thread.author)
    assert moderation_notes(helper.id) == ["Your post was hidden pending review. Reason: Flagged as spam"]
    assert not moderation_state.hide_post(reply, None, "again")


def test_hiding_the_first_reply_moves_first_reply_at_to_the_next_one(make, thread, clock_at):
    clock_at.advance(minutes=5)
    first = make.make_reply(thread)
    clock_at.advance(minutes=5)
    second = make.make_reply(thread)
    moderation_state.hide_post(first, None, "off topic")
    db.session.commit()
    assert (thread.reply_count, thread.first_reply_at) == (1, second.created_at)
    assert thread.status == "answered"


def test_a_hidden_question_hides_the_thread_from_everyone_but_its_author_and_moderators(make, thread):
    moderation_state.hide_post(reading.question_post(thread), None, "offensive")
    db.session.commit()
    assert thread.visibility == "hidden"
    with pytest.raises(NotFound):
        reading.get_thread(make.make_user(), thread.id)
    assert reading.get_thread(make.make_user("moderator"), thread.id) is thread
    assert reading.get_thread(thread.author, thread.id) is thread


def test_unhiding_counts_the_reply_again_and_restores_its_reputation(make, thread, clock_at):
    clock_at.advance(minutes=5)
    helper = make.make_user()
    reply = make.make_reply(thread, author=helper)
    qa.vote_helpful(make.make_user(), reply)
    moderation_state.hide_post(reply, None, "spam")
    db.session.commit()
    assert moderation_state.unhide_post(reply, make.make_user("moderator"))
    db.session.commit()
    assert (thread.reply_count, thread.first_reply_at, thread.status) == (1, reply.created_at, "answered")
    db.session.refresh(helper)
    assert helper.reputation == 10 and reputation_is_consistent(helper)


def test_deleting_a_hidden_reply_does_not_uncount_it_twice(make, thread, clock_at):
    clock_at.advance(minutes=5)
    kept, hidden = make.make_reply(thread), make.make_reply(thread)
    moderation_state.hide_post(hidden, None, "spam")
    db.session.commit()
    posting.delete_post(make.make_user("moderator"), hidden, reason="Spam")
    assert (thread.reply_count, thread.first_reply_at) == (1, kept.created_at)
    assert (thread.reply_count, thread.first_reply_at) == exact_counters(thread)


def test_restoring_a_deleted_reply_counts_it_again(make, thread, clock_at):
    clock_at.advance(minutes=5)
    reply = make.make_reply(thread)
    posting.delete_post(reply.author, reply)
    assert thread.reply_count == 0
    assert moderation_state.restore_post(reply, make.make_user("moderator"))
    db.session.commit()
    assert reply.deleted_at is None
    assert (thread.reply_count, thread.first_reply_at, thread.status) == (1, reply.created_at, "answered")
    assert not moderation_state.restore_post(reply, None)


def test_restoring_a_deleted_question_brings_back_the_thread(make, thread):
    question = reading.question_post(thread)
    posting.delete_post(thread.author, question)
    assert thread.deleted_at is not None
    moderation_state.restore_post(question, make.make_user("moderator"))
    db.session.commit()
    assert thread.deleted_at is None and reading.get_thread(None, thread.id) is thread


@pytest.mark.usefixtures("holding")
def test_an_edit_the_checks_hold_takes_the_post_out_of_view_until_approved(make, thread, clock_at):
    clock_at.advance(minutes=5)
    reply = make.make_reply(thread)
    posting.edit_post(reply.author, reply, f"Now with a spam link {HOLD_WORD}")
    assert reply.visibility == "pending" and thread.reply_count == 0
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == reply.id))
    assert item.kind == "edit"


@pytest.mark.usefixtures("holding")
def test_counters_equal_a_recount_after_any_order_of_hold_publish_hide_delete_and_restore(make, thread, clock_at):
    moderator = make.make_user("moderator")
    clock_at.advance(minutes=5)
    solution = make.make_reply(thread)
    clock_at.advance(minutes=5)
    held = posting.reply_to_thread(make.make_user(), thread, f"Also try this {HOLD_WORD}")
    qa.vote_helpful(make.make_user(), solution)
    qa.accept_solution(thread.author, thread, solution)
    steps = [
        lambda: moderation_state.hide_post(solution, moderator, "Rude"),
        lambda: moderation_state.publish_post(held, moderator),
        lambda: posting.delete_post(moderator, held, reason="Spam"),
        lambda: moderation_state.unhide_post(solution, moderator),
        lambda: moderation_state.restore_post(held, moderator),
        lambda: moderation_state.hide_post(held, moderator, "Spam"),
        lambda: posting.delete_post(moderator, held, reason="Spam"),
        lambda: moderation_state.unhide_post(held, moderator),
        lambda: moderation_state.restore_post(held, moderator),
    ]
    for step in steps:
        step()
        db.session.commit()
        db.session.refresh(thread)
        assert (thread.reply_count, thread.first_reply_at) == exact_counters(thread)
        assert reputation_is_consistent(solution.author, held.author, thread.author)
    assert (thread.reply_count, thread.status) == (2, "answered")  # the hidden solution stays unaccepted


@pytest.mark.usefixtures("holding")
def test_a_held_question_is_not_in_anyones_weekly_digest(make, clock_at):
    follower, category = make.make_user(), make.make_category()
    subscriptions.watch(follower, category)
    held = make.make_thread(category=category, title="Cheap pills here", body=f"Cheap pills {HOLD_WORD}")
    shown = make.make_thread(category=category, title="Router drops at night")
    assert held.visibility == "pending"
    assert digests.unanswered_in_followed(follower, clock_at.now - timedelta(days=7)) == [shown]


def test_counting_a_reply_is_one_update_that_leaves_the_threads_counters_current(make, thread, clock_at):
    """Inside SQLite's write lock every statement counts: count_reply sets and reads back the counters at once."""
    from tests.queries import count_statements

    clock_at.advance(minutes=5)
    post = make.make_reply(thread)  # counted as usual; now count a second public reply by hand
    second = posting.reply_to_thread(make.make_user(), thread, "A second answer.")
    assert (thread.reply_count, thread.status) == (2, "answered")
    moment = second.created_at  # loads the committed post before counting
    with count_statements() as statements:
        moderation_state.count_reply(thread, second, by_asker=False, moment=moment)
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("UPDATE")
    assert (thread.reply_count, thread.first_reply_at, thread.status) == (3, post.created_at, "answered")
    db.session.expire(thread)
    assert (thread.reply_count, thread.first_reply_at, thread.status) == (3, post.created_at, "answered")
