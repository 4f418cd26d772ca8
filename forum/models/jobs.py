"""Background jobs: rows written in the same transaction as the change that needs them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.extensions import db
from forum.models.types import UTCDateTime


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"
    DISCARDED = "discarded"  # dead, then put aside by an admin on the delivery problems page


class Job(db.Model):
    """A unit of work for the worker; handlers take ids from payload_json and are idempotent."""

    __table_args__ = (Index("ix_job_claim", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OutboundEmail(db.Model):
    """A rendered email waiting for (or done with) delivery by the worker."""

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    # One-click unsubscribe target (RFC 8058), sent as List-Unsubscribe when set.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Where a reply goes: a per-recipient signed address (forum.mail.addresses) on mail about a thread or case.
    reply_to: Mapped[str | None] = mapped_column(String(254), nullable=True)
    # Threading: the Message-ID this one follows and the chain, so a mail client shows one conversation.
    in_reply_to: Mapped[str | None] = mapped_column(String(300), nullable=True)
    references: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Password-reset and verification mail: attempted even to an address whose mail bounces.
    essential: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # put aside by an admin
