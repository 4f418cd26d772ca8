"""Accepted solutions, helpful votes and "me too" (service rules; pages and API come with issue 3)."""

from __future__ import annotations

import pytest

from forum.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from forum.services import needs_info, posting, qa, reading


def test_the_asker_accepts_a_reply_and_the_thread_is_solved(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert (thread.status, thread.accepted_post_id, thread.accepted_by_id) == ("solved", reply.id, thread.author_id)
    assert thread.solved_at is not None


def test_accepting_another_reply_moves_the_solution_and_unaccepting_reopens(make):
    thread = make.make_thread()
    first, second = make.make_reply(thread), make.make_reply(thread)
    staff = make.make_user("agent")
    qa.accept_solution(thread.author, thread, first)
    qa.accept_solution(staff, thread, second)
    assert thread.accepted_post_id == second.id and thread.accepted_by_id == staff.id
    qa.unaccept_solution(thread.author, thread)
    assert thread.accepted_post_id is None and thread.status == "answered"


def test_unaccepting_when_only_the_asker_replied_leaves_the_question_open(make):
    thread = make.make_thread()
    own = posting.reply_to_thread(thread.author, thread, "I fixed it myself by rebooting.")
    qa.accept_solution(thread.author, thread, own)
    qa.unaccept_solution(thread.author, thread)
    assert thread.status == "open"


@pytest.mark.parametrize(("role", "error"), [(None, NotAuthenticated), ("member", Forbidden), ("advocate", Forbidden)])
def test_only_the_asker_or_staff_accept(make, role, error):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    with pytest.raises(error):
        qa.accept_solution(make.make_user(role) if role else None, thread, reply)
    assert thread.accepted_post_id is None


def test_the_question_itself_or_another_threads_reply_cannot_be_accepted(make):
    thread, other = make.make_thread(), make.make_thread()
    with pytest.raises(Invalid):
        qa.accept_solution(thread.author, thread, reading.question_post(thread))
    with pytest.raises(Invalid):
        qa.accept_solution(thread.author, thread, make.make_reply(other))


@pytest.mark.parametrize("visibility", ["pending", "hidden"])
def test_a_reply_nobody_else_can_see_cannot_become_the_solution(make, visibility):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    reply.visibility = visibility
    with pytest.raises(Invalid):
        qa.accept_solution(make.make_user("moderator"), thread, reply)
    assert thread.status != "solved"


def test_discussions_have_no_solution(make):
    thread = make.make_thread(kind="discussion")
    with pytest.raises(Conflict):
        qa.accept_solution(thread.author, thread, make.make_reply(thread))


def test_votes_count_once_per_user_and_can_be_withdrawn(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    fan, other = make.make_user(), make.make_user()
    assert qa.vote_helpful(fan, reply) == 1
    assert qa.vote_helpful(fan, reply) == 1
    assert qa.vote_helpful(other, reply) == 2
    assert qa.voted_post_ids(fan, [reply.id]) == {reply.id}
    assert qa.withdraw_vote(fan, reply) == 1
    assert qa.withdraw_vote(fan, reply) == 1
    assert qa.voted_post_ids(fan, [reply.id]) == set()


def test_nobody_votes_for_their_own_post(make):
    thread = make.make_thread()
    with pytest.raises(Forbidden):
        qa.vote_helpful(thread.author, reading.question_post(thread))


def test_me_too_counts_each_customer_once(make):
    thread = make.make_thread()
    customer = make.make_user()
    assert qa.add_me_too(customer, thread) == 1
    assert qa.add_me_too(customer, thread) == 1
    assert qa.remove_me_too(customer, thread) == 0
    with pytest.raises(NotAuthenticated):
        qa.add_me_too(None, thread)


def test_deleting_the_accepted_reply_unsolves_the_thread(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    posting.delete_post(reply.author, reply)
    assert thread.accepted_post_id is None and thread.status == "open"


def test_replies_sorted_by_votes_put_the_accepted_one_first_and_page_cleanly(make):
    thread = make.make_thread()
    replies = [make.make_reply(thread) for _ in range(5)]
    voters = [make.make_user() for _ in range(3)]
    for count, reply in zip([1, 3, 0, 2, 0], replies, strict=True):
        for voter in voters[:count]:
            qa.vote_helpful(voter, reply)
    qa.accept_solution(thread.author, thread, replies[2])
    seen, cursor = [], None
    while True:
        page = reading.list_replies(None, thread, 2, cursor, sort="votes")
        seen.extend(post.id for post in page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = [replies[i].id for i in (2, 1, 3, 0, 4)]
    assert seen == expected
    assert reading.accepted_reply(None, thread).id == replies[2].id


def test_the_asker_cannot_me_too_their_own_question(make):
    thread = make.make_thread()
    with pytest.raises(Forbidden):
        qa.add_me_too(thread.author, thread)
    assert thread.me_too_count == 0


def test_a_solution_ends_a_needs_info_wait(make, clock_at):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    needs_info.request_info(make.make_user("moderator"), thread, "Which model?")
    clock_at.advance(minutes=30)
    qa.accept_solution(thread.author, thread, reply)
    assert thread.needs_info_since is None and thread.paused_seconds == 1800
