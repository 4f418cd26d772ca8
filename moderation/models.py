"""Moderation records: flags on posts, the review queue, watched words and suspension history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models import Post, User
from forum.models.types import UTCDateTime


class FlagReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    NEEDS_STAFF = "needs_staff"
    OTHER = "other"


class Flag(db.Model):
    """One user's flag on one post, weighted by the flagger's standing when it was raised."""

    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_flag_post_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # How staff settled it: "upheld" (post hidden/deleted) or "rejected" (post approved, flag dismissed).
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    post: Mapped[Post] = relationship()
    user: Mapped[User] = relationship()


class ReviewKind(StrEnum):
    FLAGGED = "flagged"
    APPROVAL = "approval"
    # An edit the content checks held: approving it publishes without announcing it again.
    EDIT = "edit"
    NEEDS_STAFF = "needs_staff"


class ReviewItem(db.Model):
    """A post waiting for a moderator's decision.

    open_post_id equals post_id while the item is open and NULL once resolved: a unique key
    on it allows one open item per post on SQLite and PostgreSQL alike.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    open_post_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    # approve | hide | delete | dismiss
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    post: Mapped[Post] = relationship()
    resolved_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class WatchedWordMode(StrEnum):
    BLOCK = "block"
    REQUIRE_APPROVAL = "require_approval"
    CENSOR = "censor"
    LINK = "link"


class WatchedWord(db.Model):
    """A word or phrase admins watch for in titles and bodies (case-insensitive, whole words)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(100), unique=True)
    mode: Mapped[str] = mapped_column(String(20))
    # For mode "link": the URL the phrase becomes a link to.
    replacement: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Suspension(db.Model):
    """One suspension in a user's history; the active one is mirrored on User.suspended_until."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Appeal(db.Model):
    """A suspended member asking moderators to look again; it waits in the review queue until decided.

    outcome: "lifted" (the suspension ended) or "upheld" (it stands); note is the moderator's answer.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    suspension_id: Mapped[int | None] = mapped_column(ForeignKey("suspension.id", ondelete="SET NULL"),
                                                      nullable=True, index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True,
                                                       index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    suspension: Mapped[Suspension | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class DuplicatePair(db.Model):
    """A question a moderator marked as a duplicate of another, kept as a human-labelled example.

    The pair outlives later edits: the titles and question text as they were when it was marked are kept,
    so the similar-questions bench (bench/similar_quality.py --pairs) can measure the engine on the
    community's own duplicates as well as on the SemEval set.
    """

    __tablename__ = "duplicate_pair"
    __table_args__ = (UniqueConstraint("thread_id", name="uq_duplicate_pair_thread"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True,
                                                     index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    target_title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
