"""Concurrent votes and accepts on the same post never double-count the ledger.

Real threads, each with its own app context, session and connection, race on committed data
(SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL runs them at once in READ
COMMITTED). Run it on both: `scripts/with-postgres .venv/bin/python -m pytest tests/integration`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from forum.core.extensions import db
from forum.models import Post, ReputationEvent, Thread, User, Vote
from forum.recognition import reputation, upkeep
from forum.services import qa
from tests import factories
from tests.concurrency import race

VOTE_REASONS = ["reply_voted", "question_voted"]





def vote(user_id: int, post_id: int) -> Callable[[], object]:
    return lambda: qa.vote_helpful(db.session.get(User, user_id), db.session.get(Post, post_id))


def withdraw(user_id: int, post_id: int) -> Callable[[], object]:
    return lambda: qa.withdraw_vote(db.session.get(User, user_id), db.session.get(Post, post_id))


def accept(user_id: int, thread_id: int, post_id: int) -> Callable[[], object]:
    return lambda: qa.accept_solution(db.session.get(User, user_id), db.session.get(Thread, thread_id),
                                      db.session.get(Post, post_id))


def unaccept(user_id: int, thread_id: int) -> Callable[[], object]:
    return lambda: qa.unaccept_solution(db.session.get(User, user_id), db.session.get(Thread, thread_id))


def no_drift() -> None:
    db.session.remove()
    assert upkeep.recompute_totals(fix=False) == []


def standing(*conditions) -> list[ReputationEvent]:
    db.session.remove()
    return reputation.standing_rows(*conditions)


@pytest.fixture
def question(committed):
    """A question with three replies by three helpers; returns plain ids (safe across threads)."""
    thread = factories.make_thread()
    replies = [factories.make_reply(thread) for _ in range(3)]
    return thread.id, thread.author_id, [(reply.id, reply.author_id) for reply in replies]


def test_many_members_voting_on_one_reply_at_once_each_count_once(app, question):
    _thread_id, _asker_id, [(reply_id, author_id), *_] = question
    voters = [factories.make_user().id for _ in range(10)]
    assert race(app, [vote(v, reply_id) for v in voters for _twice in range(2)]) == []
    assert db.session.get(Post, reply_id).vote_count == 10
    rows = standing(ReputationEvent.post_id == reply_id)
    assert sorted(row.actor_id for row in rows) == sorted(voters)
    assert db.session.get(User, author_id).reputation == 100
    no_drift()


def test_concurrent_votes_on_one_authors_posts_cannot_pass_the_daily_cap_together(app, committed):
    """Votes on different posts don't queue on a post's row: only the author's row lock keeps the cap."""
    author = factories.make_user()
    thread = factories.make_thread()
    posts = [factories.make_reply(thread, author=author).id for _ in range(8)]
    author_id = author.id
    voters = [factories.make_user().id for _ in range(3)]
    assert race(app, [vote(v, post_id) for v in voters for post_id in posts]) == []  # 240 points offered, 200 allowed
    assert db.session.get(User, author_id).reputation == 200
    assert sum(db.session.get(Post, post_id).vote_count for post_id in posts) == 24
    no_drift()


def test_concurrent_accepts_of_the_same_and_other_replies_pay_one_solution(app, question):
    thread_id, asker_id, replies = question
    agent_id = factories.make_user("agent").id
    calls = [accept(who, thread_id, reply_id) for who in (asker_id, agent_id) for reply_id, _ in replies] * 2
    assert race(app, calls) == []
    accepted = db.session.get(Thread, thread_id).accepted_post_id
    paid = standing(ReputationEvent.reason == "reply_accepted")
    assert [row.post_id for row in paid] == [accepted]
    assert len(standing(ReputationEvent.reason == "accepted_solution")) <= 1
    no_drift()


def test_a_storm_of_votes_withdrawals_accepts_and_unaccepts_leaves_an_exact_ledger(app, question):
    thread_id, asker_id, replies = question
    agent_id = factories.make_user("agent").id
    voters = [factories.make_user().id for _ in range(6)]
    chooser = random.Random(4)
    for _round in range(3):
        calls = [chooser.choice([vote, vote, withdraw])(v, chooser.choice(replies)[0])
                 for v in voters for _ in range(2)]
        calls += [accept(chooser.choice([asker_id, agent_id]), thread_id, chooser.choice(replies)[0]) for _ in range(3)]
        calls += [unaccept(chooser.choice([asker_id, agent_id]), thread_id) for _ in range(2)]
        chooser.shuffle(calls)
        assert race(app, calls) == []
    no_drift()
    thread = db.session.get(Thread, thread_id)
    acceptance = standing(ReputationEvent.reason.in_(["reply_accepted", "accepted_solution"]))
    assert {row.post_id for row in acceptance} <= {thread.accepted_post_id}
    votes = Counter((row.post_id, row.actor_id) for row in standing(ReputationEvent.reason.in_(VOTE_REASONS)))
    existing = {tuple(row) for row in db.session.execute(select(Vote.post_id, Vote.user_id))}
    assert set(votes) == existing and set(votes.values()) <= {1}
    for reply_id, _author in replies:
        count = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == reply_id))
        assert db.session.get(Post, reply_id).vote_count == count
