"""Moderator actions: hide, delete, restore, lock, pin, move, merge, split, edit any post; all audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.core.errors import Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.models import Post
from forum.services import moderation_state, posting, qa, reading
from moderation.services import actions, flags, review_queue
from tests.moderation_support import audit_entries, exact_counters, moderation_notes, reputation_is_consistent


@pytest.fixture
def moderator(make):
    return make.make_user("moderator")


@pytest.fixture
def busy(make, clock_at):
    """A thread with three replies from different members, a minute apart."""
    thread = make.make_thread()
    replies = []
    for _ in range(3):
        clock_at.advance(minutes=1)
        replies.append(make.make_reply(thread))
    return thread, replies


def post_ids(thread_id: int) -> set[int]:
    return set(db.session.scalars(select(Post.id).where(Post.thread_id == thread_id)))


def assert_exact(thread):
    db.session.refresh(thread)
    assert (thread.reply_count, thread.first_reply_at) == exact_counters(thread)


def test_hide_and_unhide_are_audited_and_the_author_is_told(moderator, busy):
    thread, (reply, *_) = busy
    actions.hide_post(moderator, reply, "Personal data in the post")
    assert reply.visibility == "hidden" and thread.reply_count == 2
    actions.unhide_post(moderator, reply, "Edited out")
    assert reply.visibility == "public" and thread.reply_count == 3
    assert [e.action for e in audit_entries()] == ["post.hide", "post.unhide"]
    assert moderation_notes(reply.author_id)[0].endswith("Reason: Personal data in the post")


def test_hiding_needs_a_reason_for_the_author(moderator, busy):
    with pytest.raises(Invalid):
        actions.hide_post(moderator, busy[1][0], " ")


def test_delete_and_restore_are_audited_with_counters_exact(moderator, busy):
    thread, (reply, *_) = busy
    actions.delete_post(moderator, reply, "Duplicate")
    assert_exact(thread)
    actions.restore_post(moderator, reply, "Not a duplicate")
    assert_exact(thread)
    assert thread.reply_count == 3
    delete, restore = audit_entries()
    assert (delete.action, delete.reason, restore.action) == ("post.delete", "Duplicate", "post.restore")
    assert "A moderator deleted your post. Reason: Duplicate" in moderation_notes(reply.author_id)


def test_authors_deleting_their_own_posts_are_neither_audited_nor_told(busy):
    thread, (reply, *_) = busy
    posting.delete_post(reply.author, reply)
    assert audit_entries() == [] and moderation_notes(reply.author_id) == []
    assert_exact(thread)


def test_lock_pin_and_move_write_audit_entries_with_before_and_after(make, moderator, busy):
    thread, _ = busy
    elsewhere = make.make_category()
    actions.set_locked(moderator, thread, True, "Heated")
    actions.set_pinned(moderator, thread, True)
    actions.move_thread(moderator, thread, elsewhere.id, "Wrong category")
    actions.set_locked(moderator, thread, False)
    entries = audit_entries()
    assert [e.action for e in entries] == ["thread.lock", "thread.pin", "thread.move", "thread.unlock"]
    assert json.loads(entries[2].before_json) != json.loads(entries[2].after_json)
    assert json.loads(entries[2].after_json) == {"category_id": elsewhere.id}
    assert thread.category_id == elsewhere.id and thread.pinned and not thread.locked


def test_the_api_style_thread_change_is_audited_too(moderator, busy):
    thread, _ = busy
    posting.update_thread(moderator, thread, posting.ThreadChange(locked=True, pinned=False))
    assert [e.action for e in audit_entries()] == ["thread.lock"]  # pinned did not change


def test_editing_someone_elses_post_keeps_a_revision_and_an_audit_entry(moderator, busy):
    _, (reply, *_) = busy
    actions.edit_post(moderator, reply, "Removed the phone number.", "Privacy")
    assert [r.body for r in reading.post_revisions(moderator, reply)] == ["Try a different channel."]
    [entry] = audit_entries("post.edit")
    assert entry.reason == "Privacy" and json.loads(entry.before_json) == {"body": "Try a different channel."}


def test_merging_moves_every_post_and_redirects_the_source(make, moderator, busy, clock_at):
    source, _ = busy
    target = make.make_thread()
    clock_at.advance(minutes=1)
    make.make_reply(target)
    moved = post_ids(source.id)
    hidden = make.make_reply(source)
    moderation_state.hide_post(hidden, None, "spam")
    db.session.commit()
    before = post_ids(target.id) | moved | {hidden.id}
    actions.merge_threads(moderator, source, target.id, "Same question")
    assert post_ids(target.id) == before and post_ids(source.id) == set()
    assert source.merged_into_id == target.id and source.deleted_at is not None
    assert moderation_state.merged_target(source.id) is target
    assert target.reply_count == 5  # 1 own + 3 moved replies + the old question; the hidden one not counted
    assert_exact(target)
    assert len([p for p in db.session.scalars(select(Post).where(Post.thread_id == target.id)) if p.is_question]) == 1
    [entry] = audit_entries("thread.merge")
    assert entry.target_id == source.id and json.loads(entry.after_json)["merged_into_id"] == target.id
    with pytest.raises(NotFound):
        reading.get_thread(make.make_user(), source.id)


def test_a_thread_cannot_merge_into_itself_or_nowhere(moderator, busy):
    thread, _ = busy
    for target_id in (thread.id, 999999, None):
        with pytest.raises(Invalid):
            actions.merge_threads(moderator, thread, target_id)
    assert thread.merged_into_id is None


def test_splitting_moves_the_chosen_replies_into_a_new_thread(moderator, busy):
    thread, (first, second, third) = busy
    everything = post_ids(thread.id)
    new = actions.split_thread(moderator, thread, [third.id, second.id], "Second problem: the modem light blinks")
    assert post_ids(thread.id) | post_ids(new.id) == everything
    assert post_ids(new.id) == {second.id, third.id}
    assert second.is_question and not third.is_question and new.author_id == second.author_id
    assert (thread.reply_count, new.reply_count) == (1, 1)
    assert_exact(thread)
    assert_exact(new)
    assert new.status == "answered" and new.category_id == thread.category_id
    [entry] = audit_entries("thread.split")
    assert json.loads(entry.after_json)["new_thread_id"] == new.id


def test_split_refuses_bad_choices(make, moderator, busy):
    thread, (first, *_) = busy
    question = reading.question_post(thread)
    other = make.make_reply(make.make_thread())
    for ids in ([], [question.id], [other.id], [first.id, first.id]):
        with pytest.raises(Invalid):
            actions.split_thread(moderator, thread, ids, "A perfectly fine title")
    with pytest.raises(Invalid) as caught:
        actions.split_thread(moderator, thread, [first.id], "short")
    assert "title" in caught.value.errors
    qa.accept_solution(thread.author, thread, first)
    with pytest.raises(Invalid):
        actions.split_thread(moderator, thread, [first.id], "A perfectly fine title")


@pytest.mark.parametrize("role", ["member", "advocate"])
def test_members_and_advocates_are_refused_every_action(make, busy, role):
    thread, (reply, *_) = busy
    user = make.make_user(role, reputation=5000)
    attempts = [
        lambda: actions.hide_post(user, reply, "x"), lambda: actions.unhide_post(user, reply),
        lambda: actions.delete_post(user, reply), lambda: actions.restore_post(user, reply),
        lambda: actions.set_locked(user, thread, True), lambda: actions.set_pinned(user, thread, True),
        lambda: actions.move_thread(user, thread, thread.category_id),
        lambda: actions.merge_threads(user, thread, make.make_thread().id),
        lambda: actions.split_thread(user, thread, [reply.id], "A perfectly fine title"),
        lambda: actions.edit_post(user, reply, "changed"),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert audit_entries() == [] and reply.visibility == "public" and not thread.locked


def test_a_split_thread_counts_its_questions_votes(make, moderator, busy):
    thread, replies = busy
    voter = make.make_user()
    qa.vote_helpful(voter, replies[1])
    new = actions.split_thread(moderator, thread, [replies[1].id], "Another problem entirely")
    assert new.vote_count == replies[1].vote_count == 1
    qa.withdraw_vote(voter, replies[1])  # the thread's count follows its question's, never below zero
    db.session.refresh(new)
    assert new.vote_count == replies[1].vote_count == 0


def test_split_refuses_ids_too_large_to_name_a_post(moderator, busy):
    thread, _replies = busy
    with pytest.raises(Invalid) as refused:
        actions.split_thread(moderator, thread, [2**70], "Another problem entirely")
    assert "post_ids" in refused.value.errors


def test_acting_on_a_flagged_post_decides_its_review_item(make, moderator, busy):
    _thread, replies = busy
    for reply in replies[:2]:
        flags.flag_post(make.make_user(), reply, flags.NewFlag("spam"))
    actions.delete_post(moderator, replies[0], "Spam")
    actions.hide_post(moderator, replies[1], "Spam")
    assert review_queue.list_open(moderator, 50).items == []
    assert flags.score(replies[0].id) == flags.score(replies[1].id) == 0
    assert [json.loads(e.after_json).get("review_item_id") is not None for e in audit_entries("post.hide")] == [True]


def test_counters_and_reputation_survive_hide_delete_restore_merge_and_split(make, moderator, clock_at):
    source, target = make.make_thread(), make.make_thread()
    clock_at.advance(minutes=5)
    solution, other, moved = make.make_reply(target), make.make_reply(target), make.make_reply(source)
    question = reading.question_post(target)
    for post in (solution, other, question, moved):
        qa.vote_helpful(make.make_user(), post)
    qa.accept_solution(target.author, target, solution)
    people = [solution.author, other.author, target.author, moved.author]
    start = [person.reputation for person in people]

    def settled() -> list[int]:
        db.session.refresh(target)
        assert (target.reply_count, target.first_reply_at) == exact_counters(target)
        assert reputation_is_consistent(*people)
        return [person.reputation for person in people]

    posting.delete_post(moderator, question, reason="Spam")
    assert settled() == [0, 0, 0, start[3]]
    actions.restore_post(moderator, question)
    assert settled() == start
    actions.hide_post(moderator, other, "Rude")
    actions.hide_post(moderator, question, "Rude")
    actions.unhide_post(moderator, question)
    assert settled() == [start[0], 0, start[2], start[3]]
    actions.unhide_post(moderator, other)
    assert settled() == start and target.status == "solved"
    actions.merge_threads(moderator, source, target.id)
    assert settled() == start and target.reply_count == 4  # source's question and reply
    actions.split_thread(moderator, target, [other.id, moved.id], "A different problem")
    assert settled() == start and target.reply_count == 2


def test_deleting_a_merged_threads_question_takes_back_what_its_moved_replies_earned(make, moderator, busy):
    source, (reply, *_rest) = busy
    qa.vote_helpful(make.make_user(), reply)
    target = make.make_thread()
    actions.merge_threads(moderator, source, target.id)
    db.session.refresh(reply.author)
    assert reply.author.reputation == 10
    posting.delete_post(moderator, db.session.get(Post, _question_id(target)), reason="Spam")
    db.session.refresh(reply.author)
    assert reply.author.reputation == 0
    assert reputation_is_consistent()


def _question_id(thread) -> int:
    return db.session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.is_question.is_(True)))
