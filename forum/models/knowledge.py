"""The knowledge base: articles born from solved threads and cases, their versions, feedback and the
deflections that measure them (issue 25).

An article's current text lives on the article (title, body, body_html); every save also appends an
ArticleVersion with that text, so the history is complete from version 1 and a diff between any two
versions needs nothing else. Counters (helpful, views, deflections) are kept on the article so lists and
the staff page sort by them without counting rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.content import Category, Tag
from forum.models.types import UTCDateTime


class ArticleStatus(StrEnum):
    """draft → in_review → published → archived; publishing only through the publish action (staff)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def is_public(self) -> bool:
        """Published and archived articles are reachable by anyone with the link (archived with a notice)."""
        return self in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED)


class SuggestionKind(StrEnum):
    """What a suggestion on the ask page pointed at."""

    THREAD = "thread"
    ARTICLE = "article"


article_tag = Table(
    "article_tag",
    db.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Article(db.Model):
    """A knowledge-base article: its current text, life-cycle status, owner and the counters lists sort by."""

    __table_args__ = (
        Index("ix_article_status_category", "status", "category_id", "published_at"),
        Index("ix_article_status_reviewed", "status", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)  # Markdown source of the current version
    body_html: Mapped[str] = mapped_column(Text)  # sanitized, from forum.services.markup only
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT.value)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    # Who wrote or proposed it (earns the reputation when a member's proposal is published).
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Who keeps it current: reminded when it passes its review interval (the author unless staff change it).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True,
                                                 index=True)
    source_thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="SET NULL"),
                                                         nullable=True, index=True)
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"), nullable=True,
                                                       index=True)
    version_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # the latest number
    helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    view_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deflection_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Last confirmed current (publishing counts as a review); the reminder compares it with the interval.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    category: Mapped[Category] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    tags: Mapped[list[Tag]] = relationship(secondary=article_tag, order_by=Tag.name)

    @property
    def status_enum(self) -> ArticleStatus:
        return ArticleStatus(self.status)

    @property
    def path(self) -> str:
        """The stable, site-relative address with the current slug (/kb/<id> alone redirects to it)."""
        return f"/kb/{self.id}/{self.slug}"


class ArticleVersion(db.Model):
    """One save of an article: the whole text as saved, by whom, with an optional note."""

    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True,
                                                  index=True)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    editor: Mapped[User | None] = relationship()


class ArticleFeedback(db.Model):
    """"Did this help?" from one signed-in member about one article (answering again changes the answer)."""

    __table_args__ = (UniqueConstraint("article_id", "user_id", name="uq_article_feedback_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ArticleLink(db.Model):
    """A thread one of whose public posts links to an article (found by forum.knowledge.links)."""

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SuggestionOpen(db.Model):
    """A suggestion opened from the ask page, and whether it became a deflection.

    A deflection: the asker posts no question within knowledge.deflection_minutes after opening it. One row
    per asker and ask-page visit (visit is the token the page was rendered with), so one visit counts at
    most once; opening another suggestion in the same visit moves the row to it (the last one read is the
    one that helped). settled_at is set by the settling job, with deflected True or False.
    """

    __table_args__ = (
        UniqueConstraint("user_id", "visit", name="uq_suggestion_open_visit"),
        Index("ix_suggestion_open_settled_opened", "settled_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    visit: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # SuggestionKind
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), nullable=True,
                                                  index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), nullable=True,
                                                   index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deflected: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
