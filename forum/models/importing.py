"""What came in from elsewhere (forum.importing): each imported record mapped to the row it became.

The mapping is the importer's memory: a record already mapped is skipped, so running an import twice
adds nothing and an interrupted run resumes where its last committed batch ended. It also keeps what
the licence asks us to show (CC BY-SA: the source address, the author, the licence version).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.extensions import db
from forum.models.types import UTCDateTime


class ImportedKind(StrEnum):
    """What a source record was (a Stack Exchange dump's files and post types)."""

    USER = "user"
    QUESTION = "question"
    ANSWER = "answer"
    COMMENT = "comment"
    LINK = "link"


class ImportedRecord(db.Model):
    """One record of a source (a site's dump) and the local row it became; unique per source, kind and id.

    user_id is set for users, post_id for questions, answers and comments (thread_id too, for the old
    addresses' redirects); score is the post's upvotes at the source (its imported reputation row).
    """

    __table_args__ = (
        UniqueConstraint("source", "kind", "source_id", name="uq_imported_record_source_kind_id"),
        Index("ix_imported_record_kind_source_id", "kind", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=True, index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), nullable=True, index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), nullable=True, index=True
    )
    source_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    author: Mapped[str | None] = mapped_column(String(150), nullable=True)
    licence: Mapped[str | None] = mapped_column(String(32), nullable=True)
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
