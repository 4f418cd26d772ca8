"""Member 360: the whole relationship with one member on one staff page (issue 8).

Threads, replies, cases, flags both ways, the reputation ledger, badges, satisfaction answers,
suspensions and audit entries: each the latest LIMIT rows with the total. The cost is fixed
whatever the member did: one statement for every total (scalar subqueries) and one per list,
each loading its related rows by join — never a query per row.

Flags and suspensions are moderation's records, and forum never imports moderation
(architecture.md). Their tables are reached by name in the shared metadata, the way forum
reaches moderation's jobs by name; without the moderation package those sections are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import aliased, joinedload

from forum import accounts
from forum.core.extensions import db
from forum.models import AuditEntry, Case, Feedback, Post, ReputationEvent, Thread, User
from forum.recognition import badges
from forum.recognition.ranks import rank_for
from forum.services import permissions
from forum.services.permissions import Action, require

LIMIT = 20


@dataclass(frozen=True)
class Section:
    """The latest rows of one kind (newest first) and how many there are in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class FlagRow:
    """One flag on a post, with the post's thread and the other person (the flagger, or the post's author)."""

    id: int
    reason: str
    note: str
    weight: int
    outcome: str | None
    created_at: datetime
    resolved_at: datetime | None
    post_id: int
    thread: Thread
    other: User


@dataclass(frozen=True)
class SuspensionRow:
    reason: str
    starts_at: datetime
    ends_at: datetime
    lifted_at: datetime | None
    created_by: User | None


@dataclass(frozen=True)
class FeedbackRow:
    feedback: Feedback
    thread: Thread


@dataclass(frozen=True)
class Member360:
    user: User
    rank: str
    suspended: bool
    threads: Section
    replies: Section
    cases: Section
    flags_received: Section
    flags_given: Section
    ledger: Section
    badges: list[badges.Held]
    feedback: Section
    suspensions: Section
    audit: Section


def _table(name: str) -> Table | None:
    """A table another package defines (moderation's flag, suspension), if that package is installed."""
    return db.metadata.tables.get(name)


def _count_queries(user_id: int) -> dict[str, Select]:
    counts: dict[str, Select] = {
        "threads": select(func.count(Thread.id)).where(Thread.author_id == user_id),
        "replies": select(func.count(Post.id)).where(Post.author_id == user_id, Post.is_question.is_(False)),
        "cases": select(func.count(Case.id)).where(Case.customer_id == user_id),
        "ledger": select(func.count(ReputationEvent.id)).where(ReputationEvent.user_id == user_id),
        "feedback": select(func.count(Feedback.id)).where(Feedback.user_id == user_id),
        "audit": select(func.count(AuditEntry.id)).where(
            AuditEntry.target_type == "user", AuditEntry.target_id == user_id
        ),
    }
    flag, suspension = _table("flag"), _table("suspension")
    if flag is not None:
        counts["flags_received"] = (
            select(func.count(flag.c.id)).join(Post, Post.id == flag.c.post_id).where(Post.author_id == user_id)
        )
        counts["flags_given"] = select(func.count(flag.c.id)).where(flag.c.user_id == user_id)
    if suspension is not None:
        counts["suspensions"] = select(func.count(suspension.c.id)).where(suspension.c.user_id == user_id)
    return counts


def _totals(user_id: int) -> dict[str, int]:
    """Every section's total in one statement."""
    counts = _count_queries(user_id)
    row = db.session.execute(select(*(query.scalar_subquery().label(name) for name, query in counts.items()))).one()
    return {"flags_received": 0, "flags_given": 0, "suspensions": 0, **row._asdict()}


def _threads(user_id: int) -> list[Thread]:
    return list(db.session.scalars(
        select(Thread).options(joinedload(Thread.category)).where(Thread.author_id == user_id)
        .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(LIMIT)
    ))


def _replies(user_id: int) -> list[Post]:
    return list(db.session.scalars(
        select(Post).options(joinedload(Post.thread)).where(Post.author_id == user_id, Post.is_question.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(LIMIT)
    ))


def _cases(user_id: int) -> list[Case]:
    return list(db.session.scalars(
        select(Case).options(joinedload(Case.thread), joinedload(Case.assignee)).where(Case.customer_id == user_id)
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(LIMIT)
    ))


def _flags(user_id: int, *, received: bool) -> list[FlagRow]:
    """Flags on the member's posts (other = the flagger), or flags the member raised (other = the author)."""
    flag = _table("flag")
    if flag is None:
        return []
    other = aliased(User)
    statement = (
        select(flag.c.id, flag.c.reason, flag.c.note, flag.c.weight, flag.c.outcome, flag.c.created_at,
               flag.c.resolved_at, flag.c.post_id, Thread, other)
        .join(Post, Post.id == flag.c.post_id)
        .join(Thread, Thread.id == Post.thread_id)
    )
    if received:
        statement = statement.join(other, other.id == flag.c.user_id).where(Post.author_id == user_id)
    else:
        statement = statement.join(other, other.id == Post.author_id).where(flag.c.user_id == user_id)
    rows = db.session.execute(statement.order_by(flag.c.created_at.desc(), flag.c.id.desc()).limit(LIMIT))
    return [FlagRow(*row) for row in rows]


def _ledger(user_id: int) -> list[ReputationEvent]:
    return list(db.session.scalars(
        select(ReputationEvent).where(ReputationEvent.user_id == user_id)
        .order_by(ReputationEvent.created_at.desc(), ReputationEvent.id.desc()).limit(LIMIT)
    ))


def _feedback(user_id: int) -> list[FeedbackRow]:
    rows = db.session.execute(
        select(Feedback, Thread).join(Thread, Thread.id == Feedback.thread_id).where(Feedback.user_id == user_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(LIMIT)
    )
    return [FeedbackRow(feedback, thread) for feedback, thread in rows]


def _suspensions(user_id: int) -> list[SuspensionRow]:
    suspension = _table("suspension")
    if suspension is None:
        return []
    by = aliased(User)
    rows = db.session.execute(
        select(suspension.c.reason, suspension.c.starts_at, suspension.c.ends_at, suspension.c.lifted_at, by)
        .outerjoin(by, by.id == suspension.c.created_by_id)
        .where(suspension.c.user_id == user_id)
        .order_by(suspension.c.starts_at.desc(), suspension.c.id.desc()).limit(LIMIT)
    )
    return [SuspensionRow(*row) for row in rows]


def _audit(user_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.actor))
        .where(AuditEntry.target_type == "user", AuditEntry.target_id == user_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(LIMIT)
    ))


def member_360(viewer: User | None, user_id: int) -> Member360:
    """Everything about one member for staff; anyone else gets NotFound, as if the page did not exist.

    The permission is checked before the member is looked up, so the answer never tells a
    non-staff caller whether an account exists.
    """
    require(viewer, Action.MEMBER_360_VIEW)
    user = accounts.get_user(user_id)
    totals = _totals(user.id)
    return Member360(
        user=user,
        rank=rank_for(user.reputation),
        suspended=permissions.is_suspended(user),
        threads=Section(_threads(user.id), totals["threads"]),
        replies=Section(_replies(user.id), totals["replies"]),
        cases=Section(_cases(user.id), totals["cases"]),
        flags_received=Section(_flags(user.id, received=True), totals["flags_received"]),
        flags_given=Section(_flags(user.id, received=False), totals["flags_given"]),
        ledger=Section(_ledger(user.id), totals["ledger"]),
        badges=badges.badges_of([user.id])[user.id],
        feedback=Section(_feedback(user.id), totals["feedback"]),
        suspensions=Section(_suspensions(user.id), totals["suspensions"]),
        audit=Section(_audit(user.id), totals["audit"]),
    )
