"""Mail both ways: each message received, and the health of each address Horseshoe writes to.

Outbound email itself is `OutboundEmail` (forum.models.jobs), delivered by the job worker.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core import clock
from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class InboundChannel(StrEnum):
    SMTP = "smtp"  # the built-in listener (flask mail listen)
    PIPE = "pipe"  # a mail server's pipe (flask mail receive)
    API = "api"  # a mail provider's signed webhook (POST /api/v1/integrations/mail/inbound)


class InboundStatus(StrEnum):
    RECEIVED = "received"  # stored, not yet handled (a crash mid-way leaves it here)
    POSTED = "posted"  # became a reply, a question, a case message or a private message
    PENDING = "pending"  # a new question waiting for its sender to follow the emailed confirmation link
    REFUSED = "refused"  # answered with a helpful bounce, nothing published
    IGNORED = "ignored"  # an auto-reply, a loop, a duplicate: never answered
    BOUNCE = "bounce"  # a delivery report for mail Horseshoe sent, counted against that address


class InboundMail(db.Model):
    """One message received by email, and what became of it.

    The digest (SHA-256 of the raw bytes) is unique: a mail server retrying a delivery, or a signed
    webhook replayed, finds the first copy instead of posting twice. The raw message is kept only while
    a question waits for its sender's confirmation; the text kept (quotes and signature removed) joins
    the sender's data export and is blanked with their other words when the account is anonymised.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    channel: Mapped[str] = mapped_column(String(8))
    from_address: Mapped[str] = mapped_column(String(254), default="")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=InboundStatus.RECEIVED.value, index=True)
    outcome: Mapped[str] = mapped_column(String(300), default="")  # in words, for staff and the sender's export
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), nullable=True, index=True
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="SET NULL"), nullable=True, index=True
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"), nullable=True, index=True)
    case_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_message.id", ondelete="SET NULL"), nullable=True, index=True
    )
    conversation_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_message.id", ondelete="SET NULL"), nullable=True, index=True
    )
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # only while PENDING
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User | None] = relationship()

    def settle(self, status: InboundStatus, outcome: str) -> None:
        """Record what became of the message, and when; its raw bytes stay only while it waits (PENDING)."""
        self.status = status.value
        self.outcome = outcome[:300]
        self.processed_at = clock.now()
        if status is not InboundStatus.PENDING:
            self.raw = None


class MailAddressHealth(db.Model):
    """Delivery reports (bounces) counted per address Horseshoe writes to, lowercased.

    At the bounce threshold (setting mail.bounce_threshold) `suppressed_at` is set: notifications and
    digests to the address stop, and its owner sees a banner until they change it or ask to try again.
    Password-reset and verification mail is always attempted.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    bounce_count: Mapped[int] = mapped_column(Integer, default=0)
    last_bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_reason: Mapped[str] = mapped_column(Text, default="")
    suppressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
