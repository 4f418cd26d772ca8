"""Member 360: the whole relationship with one member on one staff page (issue 8).

Threads, replies, ideas and idea votes, cases, flags both ways, the reputation ledger, badges,
satisfaction answers, suspensions and audit entries: each the latest LIMIT rows with the total; and a
line on email (messages received from them, and the bounce record of their current address). The cost
is fixed whatever the member did: one statement for every total and the email line (scalar subqueries)
and one per list, each loading its related rows by join — never a query per row (the idea lists, not
even that for the many members who posted or voted for none).

Flags and suspensions are moderation's records, and forum never imports moderation
(architecture.md): moderation registers a member moderation summary provider at start-up
(forum.hooks.provide_member_moderation_summary) and this page calls it; without one those
sections are empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from forum import accounts
from forum.core.extensions import db
from forum.models import (
    IDEA_KIND,
    AuditEntry,
    Case,
    Feedback,
    Idea,
    IdeaVote,
    InboundMail,
    MailAddressHealth,
    Post,
    ReputationEvent,
    Thread,
    User,
)
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
class ModerationSummary:
    """Moderation's part of the page: flags on the member's posts, flags they raised, suspensions."""

    flags_received: Section
    flags_given: Section
    suspensions: Section


# (member id, rows per list) → that member's moderation summary
SummaryProvider = Callable[[int, int], ModerationSummary]
EXTENSION = "horseshoe.member_moderation_summary"
NO_SUMMARY = ModerationSummary(Section([], 0), Section([], 0), Section([], 0))


def register_moderation_summary(app: Flask, provider: SummaryProvider) -> None:
    app.extensions[EXTENSION] = provider


def _moderation_summary(user_id: int) -> ModerationSummary:
    provider: SummaryProvider | None = current_app.extensions.get(EXTENSION)
    return NO_SUMMARY if provider is None else provider(user_id, LIMIT)


@dataclass(frozen=True)
class FeedbackRow:
    feedback: Feedback
    thread: Thread


@dataclass(frozen=True)
class IdeaVoteRow:
    """One idea the member voted for: the vote (open, or given back at released_at), the idea and its thread."""

    vote: IdeaVote
    idea: Idea
    thread: Thread


@dataclass(frozen=True)
class MailLine:
    """Email on the member 360: how many messages came from them and the last one; bounces of their address."""

    received: int
    last_received_at: datetime | None
    bounces: int
    suppressed_at: datetime | None


@dataclass(frozen=True)
class Member360:
    user: User
    rank: str
    suspended: bool
    threads: Section
    replies: Section
    ideas: Section
    idea_votes: Section
    cases: Section
    flags_received: Section
    flags_given: Section
    ledger: Section
    badges: list[badges.Held]
    feedback: Section
    suspensions: Section
    audit: Section
    mail: MailLine


def _count_queries(user_id: int) -> dict[str, Select]:
    counts: dict[str, Select] = {
        "threads": select(func.count(Thread.id)).where(Thread.author_id == user_id, Thread.kind != IDEA_KIND),
        "ideas": select(func.count(Thread.id)).where(Thread.author_id == user_id, Thread.kind == IDEA_KIND),
        "idea_votes": select(func.count()).select_from(IdeaVote).where(IdeaVote.user_id == user_id),
        "replies": select(func.count(Post.id)).where(Post.author_id == user_id, Post.is_question.is_(False)),
        "cases": select(func.count(Case.id)).where(Case.customer_id == user_id),
        "ledger": select(func.count(ReputationEvent.id)).where(ReputationEvent.user_id == user_id),
        "feedback": select(func.count(Feedback.id)).where(Feedback.user_id == user_id),
        "audit": select(func.count(AuditEntry.id)).where(
            AuditEntry.target_type == "user", AuditEntry.target_id == user_id
        ),
    }
    return counts


def _mail_queries(user: User) -> dict[str, Select]:
    """The email line's figures: mail counted as the member's, and the health of the address they use now."""
    health = select(MailAddressHealth).where(MailAddressHealth.address == user.email.lower())
    return {
        "mail_received": select(func.count(InboundMail.id)).where(InboundMail.user_id == user.id),
        "mail_last_received_at": select(func.max(InboundMail.received_at)).where(InboundMail.user_id == user.id),
        "mail_bounces": health.with_only_columns(MailAddressHealth.bounce_count),
        "mail_suppressed_at": health.with_only_columns(MailAddressHealth.suppressed_at),
    }


def _totals(user: User) -> dict[str, Any]:
    """Every section's total, and the email line, in one statement."""
    queries = _count_queries(user.id) | _mail_queries(user)
    row = db.session.execute(select(*(query.scalar_subquery().label(name) for name, query in queries.items()))).one()
    return row._asdict()


def _mail_line(totals: dict[str, Any]) -> MailLine:
    return MailLine(received=totals["mail_received"], last_received_at=totals["mail_last_received_at"],
                    bounces=totals["mail_bounces"] or 0, suppressed_at=totals["mail_suppressed_at"])


def _threads(user_id: int) -> list[Thread]:
    return list(db.session.scalars(
        select(Thread).options(joinedload(Thread.category)).where(Thread.author_id == user_id, Thread.kind != IDEA_KIND)
        .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(LIMIT)
    ))


def _replies(user_id: int) -> list[Post]:
    return list(db.session.scalars(
        select(Post).options(joinedload(Post.thread)).where(Post.author_id == user_id, Post.is_question.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(LIMIT)
    ))


def _ideas(user_id: int) -> list[Idea]:
    """The member's latest ideas, each with its thread (status and votes are the idea's, the title the thread's)."""
    return list(db.session.scalars(
        select(Idea).join(Thread, Thread.id == Idea.thread_id).options(contains_eager(Idea.thread))
        .where(Thread.author_id == user_id, Thread.kind == IDEA_KIND)
        .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(LIMIT)
    ))


def _idea_votes(user_id: int) -> list[IdeaVoteRow]:
    rows = db.session.execute(
        select(IdeaVote, Idea, Thread).join(Idea, Idea.thread_id == IdeaVote.idea_id)
        .join(Thread, Thread.id == IdeaVote.idea_id).where(IdeaVote.user_id == user_id)
        .order_by(IdeaVote.created_at.desc(), IdeaVote.idea_id.desc()).limit(LIMIT)
    )
    return [IdeaVoteRow(vote, idea, thread) for vote, idea, thread in rows]


def _cases(user_id: int) -> list[Case]:
    return list(db.session.scalars(
        select(Case).options(joinedload(Case.thread), joinedload(Case.assignee)).where(Case.customer_id == user_id)
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(LIMIT)
    ))


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
    totals = _totals(user)
    moderation = _moderation_summary(user.id)
    return Member360(
        user=user,
        rank=rank_for(user.reputation),
        suspended=permissions.is_suspended(user),
        threads=Section(_threads(user.id), totals["threads"]),
        replies=Section(_replies(user.id), totals["replies"]),
        ideas=Section(_ideas(user.id) if totals["ideas"] else [], totals["ideas"]),
        idea_votes=Section(_idea_votes(user.id) if totals["idea_votes"] else [], totals["idea_votes"]),
        cases=Section(_cases(user.id), totals["cases"]),
        flags_received=moderation.flags_received,
        flags_given=moderation.flags_given,
        ledger=Section(_ledger(user.id), totals["ledger"]),
        badges=badges.badges_of([user.id])[user.id],
        feedback=Section(_feedback(user.id), totals["feedback"]),
        suspensions=moderation.suspensions,
        audit=Section(_audit(user.id), totals["audit"]),
        mail=_mail_line(totals),
    )
