"""Who watches what, and what they are told: subscriptions, follows and notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.content import Category, Post, Tag, Thread
from forum.models.types import UTCDateTime


class Subscription(db.Model):
    """A user watching one thread, category or tag; muted=True silences it, even if auto-watched.

    Exactly one of thread_id, category_id, tag_id is set. Watching a category or tag means
    hearing about new questions there (expert routing); watching a thread means its replies.
    """

    __table_args__ = (
        UniqueConstraint("user_id", "thread_id", name="uq_subscription_user_thread"),
        UniqueConstraint("user_id", "category_id", name="uq_subscription_user_category"),
        UniqueConstraint("user_id", "tag_id", name="uq_subscription_user_tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), index=True)
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), index=True)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    thread: Mapped[Thread | None] = relationship()
    category: Mapped[Category | None] = relationship()
    tag: Mapped[Tag | None] = relationship()


class NotificationKind(StrEnum):
    REPLY = "reply"
    MENTION = "mention"
    ACCEPTED = "accepted"
    VOTES = "votes"
    NEW_QUESTION = "new_question"
    NEEDS_INFO = "needs_info"
    FEEDBACK_REQUEST = "feedback_request"
    REMINDER = "reminder"
    CASE_UPDATE = "case_update"
    BADGE = "badge"
    MISSION = "mission"
    MODERATION = "moderation"
    ACCOUNT = "account"
    INCIDENT = "incident"
    INTEGRATION = "integration"
    MERGED = "merged"  # a thread the user followed was merged into another; the row links to the target
    DATA_EXPORT = "data_export"  # the member's own-data archive is ready (forum.accounts.data_export)
    QUOTE = "quote"  # someone quoted the member's post (told like a mention)
    MESSAGE = "message"  # a new message in a private conversation the member takes part in
    ARTICLE = "article"  # an article the member proposed was published, or one they own is due for review
    IDEA = "idea"  # an idea the member voted for or watches changed status (forum.ideas)


class Notification(db.Model):
    """One thing a user should know about; votes on a post are batched into one row while unread."""

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), nullable=True, index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), nullable=True, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()


class Feedback(db.Model):
    """The asker's answer to "Did this resolve your issue?" (their latest; one per thread and asker)."""

    __table_args__ = (UniqueConstraint("thread_id", "user_id", name="uq_feedback_thread_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    resolved: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
