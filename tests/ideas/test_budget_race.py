"""Votes at the same moment never pass the budget nor drift from their rows, also while staff merge.

Real threads, each with its own app context, session and connection, race on committed data (SQLite
serialises writers with BEGIN IMMEDIATE; PostgreSQL runs them at once in READ COMMITTED).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from forum.core.extensions import db
from forum.ideas import IdeaClosed, NoVotesLeft, change_status, vote
from forum.ideas.upkeep import inconsistencies
from forum.models import Idea, IdeaVote, User
from tests import factories
from tests.concurrency import race


def voting(user_id: int, idea_id: int) -> Callable[[], object]:
    return lambda: vote(db.session.get(User, user_id), db.session.get(Idea, idea_id))


def merging(staff_id: int, source_id: int, target_id: int) -> Callable[[], object]:
    return lambda: change_status(db.session.get(User, staff_id), db.session.get(Idea, source_id), "duplicate",
                                 duplicate_of=target_id)


def open_votes(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(IdeaVote)
                             .where(IdeaVote.user_id == user_id, IdeaVote.released_at.is_(None)))


def test_twenty_votes_at_once_by_one_member_spend_exactly_the_budget(app, committed):
    category, author = factories.make_ideas_category(), factories.make_user()
    ideas = [factories.make_idea(author=author, category=category).thread_id for _ in range(20)]
    member = factories.make_user().id
    failures = race(app, [voting(member, idea_id) for idea_id in ideas])
    assert len(failures) == 10 and all(isinstance(failure, NoVotesLeft) for failure in failures), failures
    db.session.remove()
    assert db.session.scalar(select(func.sum(Idea.vote_count)).where(Idea.thread_id.in_(ideas))) == 10
    assert open_votes(member) == 10
    assert inconsistencies() == []


def test_ten_members_voting_on_one_idea_at_once_each_count_once(app, committed):
    idea = factories.make_idea().thread_id
    members = [factories.make_user().id for _ in range(10)]
    assert race(app, [voting(member, idea) for member in members for _twice in range(2)]) == []
    db.session.remove()
    assert db.session.get(Idea, idea).vote_count == 10
    assert inconsistencies() == []


def test_votes_racing_a_merge_keep_every_count_equal_to_its_rows(app, committed):
    category = factories.make_ideas_category()
    source, target = (factories.make_idea(category=category).thread_id for _ in range(2))
    staff = factories.make_user(role="moderator").id
    early = [factories.make_user().id for _ in range(4)]
    for member in early:
        vote(db.session.get(User, member), db.session.get(Idea, source))
    late = [factories.make_user().id for _ in range(6)]
    calls = [merging(staff, source, target)]
    calls += [voting(member, target) for member in early]  # some of them voted for both
    calls += [voting(member, source if n % 2 else target) for n, member in enumerate(late)]
    failures = race(app, calls)
    assert all(isinstance(failure, IdeaClosed) for failure in failures), failures
    db.session.remove()
    assert inconsistencies() == []
    assert db.session.get(Idea, source).vote_count == 0
    voters = set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == target)))
    assert set(early) <= voters  # each early voter holds exactly one vote, on the target
    assert all(open_votes(member) <= 1 for member in early + late)
    assert db.session.get(Idea, target).vote_count == len(voters)
