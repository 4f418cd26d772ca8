"""Voting for ideas with a limited budget: each member has ideas.vote_budget open votes at once.

The budget is not stored: a member's open votes are counted from their rows each time (models/ideas.py).
A count and an insert are safe together only if nobody else counts and inserts for the same member in
between, so vote() locks the voter's user row first, then the idea row (the lock order every writer of
idea votes keeps: user, then ideas by id), and only then checks and inserts. A merge locks the same idea
rows, so a vote and a merge never interleave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update

from forum.core import clock
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.ideas import settings
from forum.ideas.ballots import lock_ideas
from forum.models import CLOSED_STATUSES, Idea, IdeaVote, User
from forum.recognition.reputation import lock_users
from forum.services import community_settings
from forum.services.permissions import Action, require


class NoVotesLeft(Conflict):
    """Every vote of the member's budget is on an open idea (problem type no-votes-left)."""

    title = N_("No votes left")


class IdeaClosed(Conflict):
    """The idea shipped, was declined or merged: it takes no votes, and its votes were given back (idea-closed)."""

    title = N_("Idea closed")


@dataclass(frozen=True)
class Tally:
    """The idea's count and the member's votes left after a vote or a withdrawal; changed: something moved."""

    vote_count: int
    votes_left: int
    changed: bool


def vote_budget() -> int:
    return int(community_settings.cached_setting(settings.VOTE_BUDGET))


def open_votes(user_id: int) -> int:
    return int(db.session.scalar(select(func.count()).select_from(IdeaVote).where(
        IdeaVote.user_id == user_id, IdeaVote.released_at.is_(None))) or 0)


def votes_left(user: User | None) -> int:
    """How many more ideas the member may vote for now (0 when signed out, or over a lowered budget)."""
    if user is None or user.id is None:
        return 0
    return max(0, vote_budget() - open_votes(user.id))


def voted_idea_ids(viewer: User | None, idea_ids: Iterable[int]) -> set[int]:
    """Which of these ideas the viewer voted for (votes given back included), in one query for a page."""
    ids = set(idea_ids)
    if viewer is None or viewer.id is None or not ids:
        return set()
    return set(db.session.scalars(select(IdeaVote.idea_id).where(IdeaVote.user_id == viewer.id,
                                                                 IdeaVote.idea_id.in_(ids))))


def vote(actor: User, idea: Idea) -> Tally:
    """Spend one of actor's votes on the idea; voting again counts once and spends nothing (changed False).

    Refused with IdeaClosed on a closed idea, NoVotesLeft when the budget is spent; nothing is stored then.
    """
    require(actor, Action.IDEA_VOTE, idea)
    _lock(actor, idea)
    if _has_vote(actor.id, idea.thread_id):
        return _done(actor, idea, changed=False)
    if open_votes(actor.id) >= vote_budget():
        db.session.rollback()
        raise NoVotesLeft(_("You have used all your votes. A vote comes back when its idea ships or is "
                            "declined, or when you withdraw it."))
    db.session.execute(insert(IdeaVote).values(user_id=actor.id, idea_id=idea.thread_id, created_at=clock.now()))
    db.session.execute(update(Idea).where(Idea.thread_id == idea.thread_id)
                       .values(vote_count=Idea.vote_count + 1).execution_options(synchronize_session=False))
    return _done(actor, idea, changed=True)


def withdraw(actor: User, idea: Idea) -> Tally:
    """Take back actor's open vote; withdrawing a vote never cast changes nothing (changed False).

    On a closed idea the vote was given back already: IdeaClosed.
    """
    require(actor, Action.IDEA_VOTE, idea)
    _lock(actor, idea)
    removed = db.session.execute(
        delete(IdeaVote).where(IdeaVote.user_id == actor.id, IdeaVote.idea_id == idea.thread_id,
                               IdeaVote.released_at.is_(None)).execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        db.session.execute(update(Idea).where(Idea.thread_id == idea.thread_id)
                           .values(vote_count=Idea.vote_count - removed)
                           .execution_options(synchronize_session=False))
    return _done(actor, idea, changed=bool(removed))


def _lock(actor: User, idea: Idea) -> None:
    """Lock the voter's row, then the idea's, and refuse a closed idea as it is now (a merge may just have
    closed it while this waited for the lock)."""
    lock_users([actor.id])
    lock_ideas([idea.thread_id])
    status = db.session.scalar(select(Idea.status).where(Idea.thread_id == idea.thread_id))
    if status in CLOSED_STATUSES:
        db.session.rollback()
        raise IdeaClosed(_("This idea is closed: it takes no votes, and the votes it had were given back."))


def _has_vote(user_id: int, idea_id: int) -> bool:
    return db.session.scalar(select(IdeaVote.user_id).where(IdeaVote.user_id == user_id,
                                                            IdeaVote.idea_id == idea_id)) is not None


def _done(actor: User, idea: Idea, *, changed: bool) -> Tally:
    """Commit (once) and answer with the numbers as they now stand."""
    db.session.commit()
    count = db.session.scalar(select(Idea.vote_count).where(Idea.thread_id == idea.thread_id))
    db.session.expire(idea, ["vote_count"])
    return Tally(vote_count=int(count), votes_left=votes_left(actor), changed=changed)
