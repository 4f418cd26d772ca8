"""The ideas board (issue 29): product ideas members vote for with a limited budget, and staff move along a
public roadmap.

An idea is a thread (kind IDEA_KIND, in a category of kind "ideas") with one Idea row sharing its id: the
thread keeps the title, body, tags, replies and watchers as for any thread; the idea row keeps what only
ideas have. A member's vote budget is not stored: their open votes are the IdeaVote rows not yet given
back (released_at is None), counted when needed, so no counter can drift from the rows it counts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from forum.core.extensions import db
from forum.core.i18n import N_
from forum.models.accounts import User
from forum.models.content import Thread
from forum.models.types import UTCDateTime

# Thread.kind of an idea. Not a ThreadKind member: that enum is the API's fixed question|discussion
# vocabulary (GET /threads leaves ideas out; they are served under /ideas).
IDEA_KIND = "idea"


class CategoryKind(StrEnum):
    """What a category holds: questions and discussions, or ideas."""

    THREADS = "threads"
    IDEAS = "ideas"


class IdeaStatus(StrEnum):
    """new → under review → planned → in progress → shipped, or declined, or duplicate (merged into another)."""

    NEW = "new"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DECLINED = "declined"
    DUPLICATE = "duplicate"

    @property
    def is_open(self) -> bool:
        """Still taking votes; votes on a closed idea have been given back to their members."""
        return self not in CLOSED_STATUSES


# Each status in words (English, marked for translation): pages, feeds, notifications and the 360 view translate
# them with _() where they are shown.
STATUS_WORDS: dict[str, str] = {
    IdeaStatus.NEW.value: N_("New"),
    IdeaStatus.UNDER_REVIEW.value: N_("Under review"),
    IdeaStatus.PLANNED.value: N_("Planned"),
    IdeaStatus.IN_PROGRESS.value: N_("In progress"),
    IdeaStatus.SHIPPED.value: N_("Shipped"),
    IdeaStatus.DECLINED.value: N_("Declined"),
    IdeaStatus.DUPLICATE.value: N_("Duplicate"),
}
CLOSED_STATUSES = frozenset({IdeaStatus.SHIPPED, IdeaStatus.DECLINED, IdeaStatus.DUPLICATE})
# The roadmap's columns, in the order it shows them.
ROADMAP_STATUSES = (IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.SHIPPED)

_STATUS_VALUES = ", ".join(f"'{status.value}'" for status in IdeaStatus)


class Idea(db.Model):
    """What an idea thread has beyond a thread: its status, staff's public note, its votes and where it was merged."""

    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="status"),
        CheckConstraint("vote_count >= 0", name="vote_count"),
        CheckConstraint("(status = 'duplicate') = (duplicate_of_id IS NOT NULL)", name="duplicate"),
        CheckConstraint("duplicate_of_id <> thread_id", name="not_self"),
        Index("ix_idea_status_votes", "status", "vote_count", "thread_id"),
        Index("ix_idea_votes", "vote_count", "thread_id"),
    )

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.NEW.value, server_default="new")
    status_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Every vote the idea received, including those given back when it closed (the board sorts by it).
    vote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.thread_id", ondelete="SET NULL"), nullable=True, index=True
    )
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # When its open votes were given back (shipped, declined, merged or its question deleted).
    votes_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship(backref=backref("idea", uselist=False, lazy="select"))
    duplicate_of: Mapped[Idea | None] = relationship(remote_side=[thread_id], foreign_keys=[duplicate_of_id])

    @property
    def id(self) -> int:
        return self.thread_id

    @property
    def is_open(self) -> bool:
        return IdeaStatus(self.status).is_open


class IdeaVote(db.Model):
    """One member's vote for one idea; the composite key means a member votes for an idea at most once.

    released_at: the vote was given back to the member's budget (the idea closed); the row stays, so the
    idea's count and its voters (told of every status change) are kept. moved_from_id: the idea the vote
    was cast on before a merge moved it here.
    """

    __table_args__ = (Index("ix_idea_vote_user_open", "user_id", "released_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("idea.thread_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    moved_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.thread_id", ondelete="SET NULL"), nullable=True, index=True
    )

    user: Mapped[User] = relationship()


class IdeaStatusChange(db.Model):
    """One status change with staff's public note: the idea's history, the roadmap feed and the report."""

    __table_args__ = (Index("ix_idea_status_change_idea", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.thread_id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.thread_id", ondelete="SET NULL"), nullable=True, index=True
    )
    moved_votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    returned_votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    actor: Mapped[User | None] = relationship()


class IdeaLink(db.Model):
    """A question or case that mentions an idea, attached by staff (the ideas report links to them)."""

    __table_args__ = (
        CheckConstraint("(thread_id IS NULL) <> (case_id IS NULL)", name="one_target"),
        UniqueConstraint("idea_id", "thread_id", name="uq_idea_link_thread"),
        UniqueConstraint("idea_id", "case_id", name="uq_idea_link_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.thread_id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), nullable=True, index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), nullable=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
