"""Keeping idea votes honest after the fact: serial voting, deleted questions, erased accounts, and a
consistency check the tests (and an operator) run.

- reverse_serial_votes (job ideas.reverse_serial_votes): one member voting for many ideas of one author in
  a short time is a voting ring or a sock puppet, as for helpful votes (recognition.upkeep, whose
  settings and burst rule this reuses). The idea votes in such a burst are deleted, so the open ones
  come back to the voter and the ideas are recounted, with one audit entry per voter and author.
- on_post_removed: an idea whose question post is deleted (by any path) gives its open votes back.
- on_user_deleted: an erased member's open votes are deleted (lead's decision 3), so counts drop.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from forum.core import clock
from forum.core.extensions import db
from forum.ideas import ballots
from forum.models import IDEA_KIND, Category, CategoryKind, Idea, IdeaVote, Post, Thread, User
from forum.recognition.reputation import lock_users
from forum.recognition.upkeep import SERIAL_JOB_EVERY_S, serial_burst_rows, serial_vote_limit, serial_window
from forum.services import audit_writer

SERIAL_VOTES_JOB = "ideas.reverse_serial_votes"


def every_s() -> float:
    """As often as the helpful-vote job: it looks back two windows, so a daily run misses no burst."""
    return SERIAL_JOB_EVERY_S


def reverse_serial_votes(_payload: dict | None = None) -> int:
    """Delete idea votes one member cast on one author's ideas beyond reputation.serial_vote_limit within
    reputation.serial_window_hours (looking back two windows). Commits; returns the voter→author pairs
    reversed. A second run finds nothing left to delete."""
    limit, window = serial_vote_limit(), serial_window()
    since = clock.now() - 2 * window
    pairs = db.session.execute(
        select(IdeaVote.user_id, Thread.author_id).join(Thread, Thread.id == IdeaVote.idea_id)
        .where(IdeaVote.created_at >= since).group_by(IdeaVote.user_id, Thread.author_id)
        .having(func.count() > limit)
    ).all()
    reversed_pairs = 0
    for voter_id, author_id in pairs:
        rows = db.session.scalars(
            select(IdeaVote).join(Thread, Thread.id == IdeaVote.idea_id)
            .where(IdeaVote.user_id == voter_id, Thread.author_id == author_id, IdeaVote.created_at >= since)
            .order_by(IdeaVote.created_at, IdeaVote.idea_id)
        ).all()
        burst = serial_burst_rows(list(rows), limit, window)
        if burst:
            _remove_votes(voter_id, author_id, [row.idea_id for row in burst], window.total_seconds() / 3600)
            reversed_pairs += 1
    db.session.commit()
    return reversed_pairs


def _remove_votes(voter_id: int, author_id: int, idea_ids: list[int], hours: float) -> None:
    """Delete the burst's votes under the voter's lock, then the ideas' (the order voting locks in)."""
    lock_users([voter_id])
    ballots.lock_ideas(idea_ids)
    gone = db.session.execute(
        IdeaVote.__table__.delete().where(IdeaVote.user_id == voter_id, IdeaVote.idea_id.in_(idea_ids))
        .returning(IdeaVote.idea_id, IdeaVote.released_at)
    ).all()
    ballots.recount_ids(idea_ids)
    audit_writer.record(
        None, "idea.votes_removed", "user", voter_id,
        f"{len(gone)} idea votes for ideas of user {author_id} within {hours:g} h",
        before={"author_id": author_id, "idea_ids": sorted(row.idea_id for row in gone)},
        after={"author_id": author_id, "given_back": sum(1 for row in gone if row.released_at is None)},
    )


def on_post_held(_post: Post, _reasons: tuple[str, ...], _mode: str) -> None:
    """A held idea keeps its votes: the hold may be lifted, and nobody new can see it to vote meanwhile."""


def on_post_removed(post: Post, _actor: User | None, _reason: str) -> None:
    """An idea whose question is deleted gives its open votes back (the caller commits)."""
    thread = post.thread
    if not post.is_question or thread.kind != IDEA_KIND or thread.idea is None:
        return
    ballots.lock_ideas([thread.id])
    ballots.release_votes(thread.idea)


def on_event(event_type: str, data: dict) -> None:
    """user.deleted: drop the erased member's open votes, in the erasure's transaction."""
    if event_type == "user.deleted":
        ballots.drop_open_votes_of(int(data["user_id"]))


def inconsistencies() -> list[str]:
    """What should never be: idea threads without an idea row, ideas outside an ideas category, vote counts
    apart from their rows. A member over budget is not one (the budget setting may have been lowered)."""
    problems: list[str] = []
    orphan = aliased(Idea)
    for (thread_id,) in db.session.execute(
        select(Thread.id).outerjoin(orphan, orphan.thread_id == Thread.id)
        .where(Thread.kind == IDEA_KIND, orphan.thread_id.is_(None)).order_by(Thread.id)
    ):
        problems.append(f"thread {thread_id} is an idea without an idea row")
    for thread_id, kind in db.session.execute(
        select(Idea.thread_id, Category.kind).join(Thread, Thread.id == Idea.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where((Category.kind != CategoryKind.IDEAS.value) | (Thread.kind != IDEA_KIND)).order_by(Idea.thread_id)
    ):
        problems.append(f"idea {thread_id} is not an idea thread in an ideas category (category kind {kind})")
    rows = (select(IdeaVote.idea_id, func.count().label("n")).group_by(IdeaVote.idea_id).subquery())
    for thread_id, stored, counted in db.session.execute(
        select(Idea.thread_id, Idea.vote_count, func.coalesce(rows.c.n, 0))
        .outerjoin(rows, rows.c.idea_id == Idea.thread_id)
        .where(Idea.vote_count != func.coalesce(rows.c.n, 0)).order_by(Idea.thread_id)
    ):
        problems.append(f"idea {thread_id} counts {stored} votes but has {counted}")
    return problems
