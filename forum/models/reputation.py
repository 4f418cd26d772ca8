"""Recognition for helping: the reputation ledger, badges and staff-made missions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class LedgerReason(StrEnum):
    """Why reputation moved (domain.md's table); a reversal repeats the reason of the row it undoes."""

    REPLY_VOTED = "reply_voted"
    QUESTION_VOTED = "question_voted"
    REPLY_ACCEPTED = "reply_accepted"
    ACCEPTED_SOLUTION = "accepted_solution"
    RESCUE = "rescue"
    BOUNTY = "bounty"
    DEFLECTION = "deflection"
    MISSION = "mission"
    ARTICLE_PUBLISHED = "article_published"  # a member's proposed article was published (forum.knowledge)
    IMPORTED_SCORE = "imported_score"  # a post's upvotes where it came from (forum.importing)
    IDEA_SHIPPED = "idea_shipped"  # the member's idea shipped (forum.ideas)


VOTE_REASONS = frozenset({LedgerReason.REPLY_VOTED.value, LedgerReason.QUESTION_VOTED.value})


class Correction(StrEnum):
    """Why a row corrects the ledger (ReputationEvent.correction); None on ordinary awards."""

    WITHDRAWN = "withdrawn"
    UNACCEPTED = "unaccepted"
    REMOVED = "removed"
    SERIAL_VOTING = "serial_voting"
    RESTORED = "restored"


class ReputationEvent(db.Model):
    """One append-only ledger row; a user's reputation is the sum of their rows.

    Rows are never updated or deleted. An undo writes a new row with the negated delta and
    reverses_id pointing at the row it undoes; the unique key makes a double undo impossible.
    """

    __table_args__ = (
        Index("ix_reputation_event_user_created", "user_id", "created_at"),
        Index("ix_reputation_event_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    # The cause: which post, which thread (and its category, for per-category leaderboards), whose act.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"), nullable=True, index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="SET NULL"), nullable=True, index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), nullable=True, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True)
    mission_id: Mapped[int | None] = mapped_column(
        ForeignKey("mission.id", ondelete="SET NULL"), nullable=True, index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="SET NULL"), nullable=True, index=True
    )
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("reputation_event.id"), nullable=True, unique=True
    )
    # Rows that correct the ledger say why: a reversal "withdrawn", "unaccepted", "removed" or
    # "serial_voting"; a re-award after a moderator restores a post "restored" (outside the daily cap).
    correction: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class BadgeGrant(db.Model):
    """A badge a user holds (the catalogue of badges and their rules lives in forum.recognition.badges)."""

    __table_args__ = (UniqueConstraint("user_id", "badge", name="uq_badge_grant_user_badge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    badge: Mapped[str] = mapped_column(String(48), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Mission(db.Model):
    """A time-boxed challenge set by staff: reach goal on metric (optionally in one category) by ends_at."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str] = mapped_column(String(32))
    goal: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), nullable=True, index=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)
    badge: Mapped[str | None] = mapped_column(String(48), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MissionProgress(db.Model):
    """How far one user is on one mission; completed_at is set once, when the goal is reached."""

    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    mission: Mapped[Mission] = relationship()
