"""The review queue: who reviews, what they see, and what each decision does to the post."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from forum.services import posting, qa
from moderation.services import actions, flags, review_queue
from moderation.services.flags import NewFlag
from moderation.services.review_queue import Decision
from tests.moderation_support import (
    HOLD_WORD,
    audit_after,
    audit_entries,
    exact_counters,
    holding,  # noqa: F401  (fixture)
    moderation_notes,
    reputation_is_consistent,
)


@pytest.fixture
def moderator(make):
    return make.make_user("moderator")


@pytest.fixture
def flagged(make):
    """A reply with a vote, hidden by three member flags."""
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.vote_helpful(make.make_user(), reply)
    flaggers = [make.make_user() for _ in range(3)]
    for flagger in flaggers:
        flags.flag_post(flagger, reply, NewFlag("spam"))
    assert reply.visibility == "hidden"
    return reply, flaggers


def item_for(viewer, post):
    return next(item for item in review_queue.list_open(viewer, 50).items if item.post_id == post.id)


def test_approving_a_flagged_post_shows_it_again_and_lowers_the_flaggers_accuracy(moderator, flagged):
    reply, flaggers = flagged
    item = review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("approve", "Not spam"))
    assert (item.resolution, item.is_open, item.open_post_id) == ("approve", False, None)
    assert reply.visibility == "public" and reply.thread.reply_count == 1
    assert flags.accuracy([f.id for f in flaggers]) == {f.id: (0, 1) for f in flaggers}
    assert flags.score(reply.id) == 0 and reputation_is_consistent(reply.author)
    [entry] = audit_entries("queue.approve")
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, reply.id, "Not spam")
    assert audit_after(entry)["visibility"] == "public"


def test_hiding_upholds_the_flags(moderator, flagged):
    reply, flaggers = flagged
    review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("hide"))
    assert reply.visibility == "hidden"
    assert flags.accuracy([flaggers[0].id]) == {flaggers[0].id: (1, 0)}
    assert [e.action for e in audit_entries()][-1] == "queue.hide"


def test_deleting_reverses_the_reputation_the_post_earned(make, moderator):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.vote_helpful(make.make_user(), reply)
    qa.accept_solution(thread.author, thread, reply)
    flags.flag_post(make.make_user(), reply, NewFlag("off_topic"))
    assert reply.author.reputation == 25 and reply.visibility == "public"
    review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("delete", "Copied from elsewhere"))
    assert reply.deleted_at is not None and thread.accepted_post_id is None
    assert (thread.reply_count, thread.first_reply_at) == exact_counters(thread) == (0, None)
    assert reputation_is_consistent(reply.author, thread.author) and reply.author.reputation == 0
    assert audit_entries("queue.delete")[0].reason == "Copied from elsewhere"


def test_dismissing_closes_the_item_and_leaves_post_and_accuracy_alone(make, moderator):
    reply = make.make_reply(make.make_thread())
    flagger = make.make_user()
    flags.flag_post(flagger, reply, NewFlag("spam"))
    review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("dismiss"))
    assert reply.visibility == "public" and flags.accuracy([flagger.id]) == {flagger.id: (0, 0)}
    assert review_queue.list_open(moderator, 50).items == []


@pytest.mark.usefixtures("holding")
def test_approving_a_held_post_publishes_it(make, moderator):
    thread = make.make_thread()
    post = posting.reply_to_thread(make.make_user(), thread, f"My first link {HOLD_WORD}")
    item = item_for(moderator, post)
    assert item.kind == "approval"
    review_queue.resolve_item(moderator, item.id, Decision("approve"))
    assert post.visibility == "public" and thread.reply_count == 1 and thread.status == "answered"


@pytest.mark.usefixtures("holding")
def test_a_held_post_needs_a_decision_not_a_dismissal(make, moderator):
    post = posting.reply_to_thread(make.make_user(), make.make_thread(), f"link {HOLD_WORD}")
    with pytest.raises(Invalid):
        review_queue.resolve_item(moderator, item_for(moderator, post).id, Decision("dismiss"))
    review_queue.resolve_item(moderator, item_for(moderator, post).id, Decision("hide", "Spam link"))
    assert post.visibility == "hidden" and post.thread.reply_count == 0


def test_an_item_is_decided_once(moderator, flagged):
    reply, _ = flagged
    item_id = item_for(moderator, reply).id
    review_queue.resolve_item(moderator, item_id, Decision("approve"))
    with pytest.raises(Conflict):
        review_queue.resolve_item(moderator, item_id, Decision("hide"))
    assert reply.visibility == "public"


def test_unknown_actions_and_long_notes_are_refused(moderator, flagged):
    reply, _ = flagged
    with pytest.raises(Invalid) as caught:
        review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("ban", "x" * 2000))
    assert set(caught.value.errors) == {"action", "note"}


def test_trusted_advocates_review_but_needs_staff_items_are_for_staff(make, moderator):
    reply = make.make_reply(make.make_thread())
    staff_only = make.make_reply(make.make_thread())
    flags.flag_post(make.make_user(), reply, NewFlag("spam"))
    flags.flag_post(make.make_user(), staff_only, NewFlag("needs_staff"))
    trusted = make.make_user("advocate", reputation=1000)
    assert [i.post_id for i in review_queue.list_open(trusted, 50).items] == [reply.id]
    assert review_queue.open_count(trusted) == 1 and review_queue.open_count(moderator) == 2
    staff_item = item_for(moderator, staff_only)
    with pytest.raises(NotFound):
        review_queue.resolve_item(trusted, staff_item.id, Decision("dismiss"))
    review_queue.resolve_item(trusted, item_for(trusted, reply).id, Decision("hide"))
    assert reply.visibility == "hidden"


@pytest.mark.parametrize(("role", "reputation", "error"), [
    (None, 0, NotAuthenticated), ("member", 5000, Forbidden), ("advocate", 999, Forbidden)])
def test_everyone_else_is_refused_the_queue(make, role, reputation, error, flagged):
    user = make.make_user(role, reputation=reputation) if role else None
    with pytest.raises(error):
        review_queue.list_open(user, 10)
    with pytest.raises(error):
        review_queue.resolve_item(user, 1, Decision("approve"))
    assert review_queue.open_count(user) == 0


def test_the_queue_pages_oldest_first(make, moderator):
    posts = [make.make_reply(make.make_thread()) for _ in range(3)]
    for post in posts:
        flags.flag_post(make.make_user(), post, NewFlag("spam"))
    first = review_queue.list_open(moderator, 2)
    second = review_queue.list_open(moderator, 2, first.next_cursor)
    assert [i.post_id for i in first.items + second.items] == [p.id for p in posts]
    assert second.next_cursor is None


def _trusted_advocate(make):
    advocate = make.make_user("advocate")
    advocate.reputation = 1000
    return advocate


@pytest.mark.usefixtures("holding")
def test_a_post_raised_to_staff_stays_staff_only_when_its_edit_is_held(make, moderator):
    reply = make.make_reply(make.make_thread())
    flags.flag_post(make.make_user(), reply, NewFlag("needs_staff", "It shows my account number 4711"))
    posting.edit_post(reply.author, reply, f"Edited {HOLD_WORD}")
    advocate = _trusted_advocate(make)
    assert review_queue.list_open(advocate, 50).items == [] and review_queue.open_count(advocate) == 0
    item = item_for(moderator, reply)
    with pytest.raises(NotFound):
        review_queue.resolve_item(advocate, item.id, Decision("approve"))
    assert reply.visibility == "pending"


def test_dismissing_a_post_hidden_by_flags_is_refused_so_it_is_not_left_hidden_unreviewed(moderator, flagged):
    reply, _flaggers = flagged
    item = item_for(moderator, reply)
    with pytest.raises(Invalid) as refused:
        review_queue.resolve_item(moderator, item.id, Decision("dismiss"))
    assert "approve" in refused.value.errors["action"][0]
    assert item.is_open and item_for(moderator, reply) is item


def test_a_suspended_advocate_may_not_review(make, flagged, clock_at):
    advocate = _trusted_advocate(make)
    advocate.suspended_until = clock_at.now + timedelta(days=3)
    reply, _flaggers = flagged
    with pytest.raises(Forbidden):
        review_queue.list_open(advocate, 50)
    assert review_queue.open_count(advocate) == 0
    with pytest.raises(Forbidden):
        review_queue.resolve_item(advocate, item_for(make.make_user("moderator"), reply).id, Decision("approve"))


def test_hiding_without_a_note_tells_the_author_the_flag_reasons_but_never_the_flaggers_notes(make, moderator):
    reply = make.make_reply(make.make_thread())
    flags.flag_post(make.make_user(), reply, NewFlag("spam", "I know who this is: my neighbour Ann"))
    review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("hide"))
    [note] = moderation_notes(reply.author_id)
    assert "spam" in note and "Ann" not in note


@pytest.mark.usefixtures("holding")
def test_a_held_post_deleted_then_restored_waits_in_the_queue_again(make, moderator):
    reply = posting.reply_to_thread(make.make_user(), make.make_thread(), f"Look {HOLD_WORD}")
    review_queue.resolve_item(moderator, item_for(moderator, reply).id, Decision("delete"))
    actions.restore_post(moderator, reply)
    assert reply.visibility == "pending"
    assert item_for(moderator, reply).kind == "approval"


def test_a_flagged_post_its_author_deletes_leaves_the_queue(make, moderator):
    reply = make.make_reply(make.make_thread())
    flags.flag_post(make.make_user(), reply, NewFlag("off_topic"))
    assert any(item.post_id == reply.id for item in review_queue.list_open(moderator, 50).items)
    posting.delete_post(reply.author, reply)
    assert not any(item.post_id == reply.id for item in review_queue.list_open(moderator, 50).items)
