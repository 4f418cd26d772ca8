"""Moderation's part of the member 360 page: flags both ways and suspensions.

Registered at start-up as the member moderation summary provider (forum.hooks), so forum's
analytics never reads moderation's tables. The cost is fixed: one statement for the three
totals and one per list, each loading the thread and the other person by join.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from forum.analytics.member_360 import FlagRow, ModerationSummary, Section, SuspensionRow
from forum.core.extensions import db
from forum.models import Post, Thread, User
from moderation.models import Flag, Suspension


def member_summary(user_id: int, limit: int) -> ModerationSummary:
    """The latest `limit` rows of each list, with its total."""
    received, given, suspended = db.session.execute(select(
        select(func.count(Flag.id)).join(Post, Post.id == Flag.post_id)
        .where(Post.author_id == user_id).scalar_subquery(),
        select(func.count(Flag.id)).where(Flag.user_id == user_id).scalar_subquery(),
        select(func.count(Suspension.id)).where(Suspension.user_id == user_id).scalar_subquery(),
    )).one()
    return ModerationSummary(
        flags_received=Section(_flags(user_id, limit, received=True), received),
        flags_given=Section(_flags(user_id, limit, received=False), given),
        suspensions=Section(_suspensions(user_id, limit), suspended),
    )


def _flags(user_id: int, limit: int, *, received: bool) -> list[FlagRow]:
    """Flags on the member's posts (other = the flagger), or flags the member raised (other = the author)."""
    other = aliased(User)
    statement = (
        select(Flag.id, Flag.reason, Flag.note, Flag.weight, Flag.outcome, Flag.created_at,
               Flag.resolved_at, Flag.post_id, Thread, other)
        .join(Post, Post.id == Flag.post_id)
        .join(Thread, Thread.id == Post.thread_id)
    )
    if received:
        statement = statement.join(other, other.id == Flag.user_id).where(Post.author_id == user_id)
    else:
        statement = statement.join(other, other.id == Post.author_id).where(Flag.user_id == user_id)
    rows = db.session.execute(statement.order_by(Flag.created_at.desc(), Flag.id.desc()).limit(limit))
    return [FlagRow(*row) for row in rows]


def _suspensions(user_id: int, limit: int) -> list[SuspensionRow]:
    by = aliased(User)
    rows = db.session.execute(
        select(Suspension.reason, Suspension.starts_at, Suspension.ends_at, Suspension.lifted_at, by)
        .outerjoin(by, by.id == Suspension.created_by_id)
        .where(Suspension.user_id == user_id)
        .order_by(Suspension.starts_at.desc(), Suspension.id.desc()).limit(limit)
    )
    return [SuspensionRow(*row) for row in rows]
