"""Private conversations between members, and between members and staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class Conversation(db.Model):
    """A private exchange between a few people; only its participants read it (moderators through a flag)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # Started by staff (from the member 360 page): offers "open a case", never counts in case metrics.
    staff_started: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    started_by: Mapped[User | None] = relationship()
    participants: Mapped[list[ConversationParticipant]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="ConversationParticipant.id"
    )

    def has_participant(self, user_id: int | None) -> bool:
        return user_id is not None and any(p.user_id == user_id and p.left_at is None for p in self.participants)


class ConversationParticipant(db.Model):
    """One person in a conversation, and how far they have read."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id", name="uq_conversation_participant"),
        Index("ix_conversation_participant_user", "user_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    conversation: Mapped[Conversation] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class ConversationMessage(db.Model):
    """One message; body is the Markdown source, body_html the sanitized rendering made on write."""

    __table_args__ = (Index("ix_conversation_message_conversation", "conversation_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Hidden by a moderator acting on a flag: kept for the audit trail, shown to nobody but staff.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    conversation: Mapped[Conversation] = relationship()
    author: Mapped[User] = relationship()


class ConversationFlag(db.Model):
    """A participant's flag on one message: the only way a moderator may open a private conversation.

    conversation_id repeats the message's conversation so "is this conversation flagged?" (the moderator's
    access rule) is one indexed lookup. outcome: "hidden" (the message was hidden) or "dismissed".
    """

    __table_args__ = (UniqueConstraint("message_id", "user_id", name="uq_conversation_flag_message_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("conversation_message.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)

    message: Mapped[ConversationMessage] = relationship()
    conversation: Mapped[Conversation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
