"""Official service cases: a thread peers couldn't resolve, worked by agents under an SLA."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.content import Thread
from forum.models.types import UTCDateTime


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in {CaseStatus.RESOLVED, CaseStatus.CLOSED}


class CasePriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseSource(StrEnum):
    """What escalated the thread (domain.md's triggers)."""

    CUSTOMER = "customer"
    STAFF = "staff"
    ADVOCATE = "advocate"
    SLA = "sla"
    SENTIMENT = "sentiment"


class EscalationRating(StrEnum):
    """An agent's verdict on an escalation, so escalation rules can be tuned (issue 6)."""

    NEEDED = "needed"
    COMMUNITY_COULD_ANSWER = "community_could_answer"
    MISSING_INFORMATION = "missing_information"


class MessageVisibility(StrEnum):
    """customer: between the agent and the customer; internal: staff only, shown nowhere else."""

    CUSTOMER = "customer"
    INTERNAL = "internal"


class Case(db.Model):
    """One case per escalation of a thread; at most one open case per thread.

    open_thread_id equals thread_id while the case is open and NULL once resolved or closed:
    its unique key allows one open case per thread on SQLite and PostgreSQL alike, so two
    concurrent escalations return the same case.
    """

    __table_args__ = (Index("ix_case_status_due", "status", "first_response_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    open_thread_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.NEW.value)
    priority: Mapped[str] = mapped_column(String(10), default=CasePriority.NORMAL.value)
    source: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True, index=True)
    external_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    first_response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolution_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="SET NULL"), nullable=True, index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalation_rating: Mapped[str | None] = mapped_column(String(24), nullable=True)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship()
    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    escalated_by: Mapped[User | None] = relationship(foreign_keys=[escalated_by_id])
    rated_by: Mapped[User | None] = relationship(foreign_keys=[rated_by_id])

    @property
    def is_open(self) -> bool:
        return CaseStatus(self.status).is_open

    @property
    def public_reference(self) -> str:
        return f"#{self.id}"


class CaseMessage(db.Model):
    """The private case conversation; internal messages are for staff only."""

    __table_args__ = (Index("ix_case_message_case_created", "case_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=MessageVisibility.CUSTOMER.value)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    author: Mapped[User | None] = relationship()


class CaseEvent(db.Model):
    """The case's timeline: escalated, assigned, status and priority changes, resolution, reopening.

    public events also show on the thread ("A support agent is on this…"); the rest is staff-only.
    """

    __table_args__ = (Index("ix_case_event_case_created", "case_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    public: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    actor: Mapped[User | None] = relationship()
