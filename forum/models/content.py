"""The public conversation: categories, threads, posts, their revisions and tags."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class ThreadKind(StrEnum):
    QUESTION = "question"
    DISCUSSION = "discussion"


class Visibility(StrEnum):
    """Who can see a post (and, through its question post, a thread) besides its author and moderators.

    pending: waiting in the review queue (new user's links, watched word, spam score).
    hidden: taken down by flags or a moderator, with the reason told to the author.
    """

    PUBLIC = "public"
    PENDING = "pending"
    HIDDEN = "hidden"


class ThreadStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    NEEDS_INFO = "needs_info"
    SOLVED = "solved"
    ESCALATED = "escalated"
    CLOSED = "closed"


thread_tag = Table(
    "thread_tag",
    db.metadata,
    Column("thread_id", ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Category(db.Model):
    __table_args__ = (CheckConstraint("kind IN ('threads', 'ideas')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optional support hours for case SLA clocks (forum.cases.business_hours); both None: 24/7.
    sla_time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sla_hours_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Public, live threads in it; kept exact by forum.services.category_counts (lists never count).
    thread_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Mail to this address opens a question here (forum.mail.questions); empty: no address.
    email_address: Mapped[str | None] = mapped_column(String(254), nullable=True, unique=True)
    # "threads" (questions and discussions) or "ideas" (forum.models.ideas.CategoryKind): an ideas category
    # holds only ideas, posted and listed under /ideas.
    kind: Mapped[str] = mapped_column(String(16), default="threads", server_default="threads")


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    # What the tag is for, shown on its page and to admins (Markdown source and its sanitized rendering).
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    description_html: Mapped[str] = mapped_column(Text, default="", server_default="")


class TagSynonym(db.Model):
    """Another name members type for a tag ("pwd" for "password"): mapped to the canonical tag on input and
    in search. A synonym's name is never also a tag's name (forum.tagging keeps the two apart)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    tag: Mapped[Tag] = relationship()


class Thread(db.Model):
    """A question, discussion or idea; its first post (is_question) carries the body.

    kind is a ThreadKind, or forum.models.ideas.IDEA_KIND for an idea (which also has an Idea row).
    """

    __table_args__ = (
        Index("ix_thread_category_activity", "category_id", "last_activity_at", "id"),
        Index("ix_thread_activity", "last_activity_at", "id"),
        # Pinned threads above a category's list: found by index, not by scanning the category.
        Index("ix_thread_category_pinned", "category_id", "pinned", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=ThreadKind.QUESTION.value)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default=ThreadStatus.OPEN.value)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    me_too_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Helpful votes on the question post, kept here too so lists can sort by them.
    vote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The accepted reply: a column, so a thread can never have two (domain: one solution per thread).
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", use_alter=True, ondelete="SET NULL"), nullable=True, index=True
    )
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True, index=True)
    # "community" or "support": who wrote the accepted reply, fixed when accepted (peer solve rate).
    solved_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # First reply by someone other than the asker: drives "answered", feedback requests and metrics.
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "Needs more info": who asked for what, since when; the paused time is kept off SLA clocks.
    needs_info_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    needs_info_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True, index=True)
    needs_info_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Mirrors the question post's visibility, so lists filter threads without a join.
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value, server_default="public")
    # Set by the sweeper when a question nears its first-response target: +20 to the accepted replier.
    bounty_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A thread merged into another one redirects there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), nullable=True, index=True)
    # A question a moderator marked as a duplicate: it stays, closed, pointing to where it is answered
    # (moderation.services.duplicates); unlike a merge, its posts and helpful votes stay here.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), nullable=True, index=True)
    # The published article born from this thread ("This answer is now an article"), kept here so the
    # thread page shows it without a query (forum.knowledge sets it on publishing).
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", use_alter=True, ondelete="SET NULL"), nullable=True, index=True
    )

    category: Mapped[Category] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    tags: Mapped[list[Tag]] = relationship(secondary=thread_tag, order_by=Tag.name)


class Post(db.Model):
    """One message; body is the Markdown source, body_html the sanitized rendering made on write."""

    __table_args__ = (
        Index("ix_post_thread_created", "thread_id", "created_at", "id"),
        # Outcome metrics (forum.analytics.metrics): the asker's own posts in a thread (sentiment shift) and
        # each question's first peer and staff reply, read from this index alone (it carries every column
        # they look at). Without it SQLite walked every post the asker ever wrote, per thread.
        Index(
            "ix_post_thread_author",
            "thread_id", "author_id", "created_at", "id", "is_question", "deleted_at", "visibility", "sentiment",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    is_question: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(Integer, default=1)
    vote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True, index=True)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value, server_default="public")
    # VADER compound score of the text (-1..1), stored on write for escalation and analytics.
    sentiment: Mapped[float | None] = mapped_column(nullable=True)
    # Why the post is pending or hidden, in words shown to its author.
    moderation_note: Mapped[str | None] = mapped_column(Text, nullable=True)

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", order_by="PostRevision.id", cascade="all, delete-orphan"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_public(self) -> bool:
        """Live and visible to everyone (not deleted, pending or hidden)."""
        return self.deleted_at is None and self.visibility == Visibility.PUBLIC.value


class RevisionField(StrEnum):
    """What one revision changed: the post's body, or (on a question post) its thread's title, tags or category."""

    BODY = "body"
    TITLE = "title"
    TAGS = "tags"
    CATEGORY = "category"


class PostRevision(db.Model):
    """What one field held before one edit, and who replaced it when (and, for a moderator's edit, why).

    body keeps the field's previous value as text: the Markdown source for BODY, the title for TITLE,
    the tag names joined by ", " for TAGS, the category's name for CATEGORY. Title, tag and category
    changes are kept on the thread's question post, so one history shows every change to a question.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    field: Mapped[str] = mapped_column(String(16), default=RevisionField.BODY.value, server_default="body")
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship(back_populates="revisions")
    editor: Mapped[User] = relationship()
