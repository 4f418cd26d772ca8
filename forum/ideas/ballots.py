"""Moving idea votes in bulk: giving them back when an idea closes, merging them into another idea, dropping a
deleted member's. Set-based SQL only, and none of these commit: each runs inside the caller's transaction
(a status change, a post removal, an account erasure), which commits once.

Counts are always recounted from the rows afterwards, never moved by arithmetic, so a merge or a drop can
not leave vote_count apart from the votes it counts. Callers that touch ideas other writers may vote on lock
them first (lock_ideas: ids in order, after any user row), the order voting uses, so nothing deadlocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, literal, or_, select, update

from forum.core import clock
from forum.core.extensions import db
from forum.models import Idea, IdeaVote, Subscription, Thread
from forum.models.types import UTCDateTime


@dataclass(frozen=True)
class MergeCounts:
    """What a merge did: votes moved to the target, open votes given back, watches added on the target."""

    moved: int
    returned: int
    watches_added: int


def lock_ideas(idea_ids: Iterable[int]) -> None:
    """Lock idea rows in id order (PostgreSQL; SQLite's IMMEDIATE transaction holds the lock already).

    FOR NO KEY UPDATE, as recognition.reputation.lock_users: it excludes other voters and mergers but
    not the key-share locks of rows that merely reference the idea (a vote row being inserted).
    """
    ids = sorted(set(idea_ids))
    if ids:
        db.session.execute(
            select(Idea.thread_id).where(Idea.thread_id.in_(ids)).order_by(Idea.thread_id)
            .with_for_update(key_share=True)
        ).all()


def release_votes(idea: Idea) -> int:
    """Give the idea's open votes back to their members (the rows stay: the idea keeps its count and its
    voters still hear of it). Returns how many were given back."""
    moment = clock.now()
    released = db.session.execute(
        update(IdeaVote).where(IdeaVote.idea_id == idea.thread_id, IdeaVote.released_at.is_(None))
        .values(released_at=moment).execution_options(synchronize_session=False)
    ).rowcount
    idea.votes_released_at = moment
    return released


def merge_votes(source: Idea, target: Idea) -> MergeCounts:
    """Move source's votes to target without counting anyone twice (design section 1, in its four steps).

    Watches come first, so every voter of the source hears of the target, also those whose vote is
    dropped because they voted for the target already. The caller locked both ideas.
    """
    watches = _watch_target(source.thread_id, target.thread_id)
    target_author = select(Thread.author_id).where(Thread.id == target.thread_id).scalar_subquery()
    on_target = select(IdeaVote.user_id).where(IdeaVote.idea_id == target.thread_id)
    twice = and_(IdeaVote.idea_id == source.thread_id,
                 or_(IdeaVote.user_id.in_(on_target), IdeaVote.user_id == target_author))
    returned = db.session.scalar(select(func.count()).select_from(IdeaVote)
                                 .where(twice, IdeaVote.released_at.is_(None)))
    db.session.execute(delete(IdeaVote).where(twice).execution_options(synchronize_session=False))
    values: dict = {"idea_id": target.thread_id, "moved_from_id": source.thread_id}
    if not target.is_open:  # the votes land on a closed idea: they come back at once
        values["released_at"] = func.coalesce(IdeaVote.released_at, literal(clock.now(), UTCDateTime))
    moved = db.session.execute(
        update(IdeaVote).where(IdeaVote.idea_id == source.thread_id).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    source.votes_released_at = clock.now()
    recount_ids([source.thread_id, target.thread_id])
    return MergeCounts(moved=moved, returned=int(returned or 0), watches_added=watches)


def _watch_target(source_id: int, target_id: int) -> int:
    """One watch on the target for each voter of the source without a subscription row for it (a mute wins)."""
    has_row = select(Subscription.id).where(Subscription.user_id == IdeaVote.user_id,
                                            Subscription.thread_id == target_id)
    voters = select(IdeaVote.user_id, literal(target_id), literal(False), literal(clock.now(), UTCDateTime)).where(
        IdeaVote.idea_id == source_id, ~has_row.exists()
    )
    return db.session.execute(
        insert(Subscription).from_select(["user_id", "thread_id", "muted", "created_at"], voters)
    ).rowcount


def drop_open_votes_of(user_id: int) -> int:
    """Delete a member's open votes (their account was erased) and recount the ideas they were on.

    Given-back votes stay: they are part of a closed idea's count. Returns how many were deleted.
    """
    open_votes = and_(IdeaVote.user_id == user_id, IdeaVote.released_at.is_(None))
    idea_ids = list(db.session.scalars(select(IdeaVote.idea_id).where(open_votes)))
    if not idea_ids:
        return 0
    lock_ideas(idea_ids)
    dropped = db.session.execute(
        delete(IdeaVote).where(open_votes).execution_options(synchronize_session=False)
    ).rowcount
    recount_ids(idea_ids)
    return dropped


def recount(idea: Idea) -> None:
    """Set the idea's vote_count from its vote rows."""
    recount_ids([idea.thread_id])


def recount_ids(idea_ids: Iterable[int]) -> None:
    """Set each idea's vote_count from its rows in one statement; loaded ideas read the new count on next use."""
    ids = sorted(set(idea_ids))
    if not ids:
        return
    rows = select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == Idea.thread_id).scalar_subquery()
    db.session.execute(update(Idea).where(Idea.thread_id.in_(ids)).values(vote_count=rows)
                       .execution_options(synchronize_session=False))
    for idea in db.session.identity_map.values():
        if isinstance(idea, Idea) and idea.thread_id in ids:
            db.session.expire(idea, ["vote_count"])
