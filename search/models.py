"""The PostgreSQL backend's table: one row per searchable thread, written only by the worker.

On SQLite the table exists too (the tsvector column becomes TEXT) so one set of migrations fits
both databases, but nothing reads or writes it there: the postgres backend refuses to start on SQLite.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.extensions import db
from forum.models.types import UTCDateTime

DOCUMENT_TYPE = TSVECTOR().with_variant(Text(), "sqlite")


class SearchDocument(db.Model):
    """A thread's weighted tsvector (title A, accepted answer B, question C, replies D) and filter columns."""

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_document", "document", postgresql_using="gin"),
        Index("ix_search_documents_question_document", "question_document", postgresql_using="gin"),
        Index("ix_search_documents_title_document", "title_document", postgresql_using="gin"),
    )

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    document = mapped_column(DOCUMENT_TYPE, nullable=False)
    # The question as asked, title (weight A) and question text (C), small enough to be stored inline, and the
    # position counts of `document` by weight: similar questions pick and rank their candidates with these, as
    # reading `document` decompresses a thread's whole text (search.backends.postgres_similar).
    question_document = mapped_column(DOCUMENT_TYPE, nullable=True)
    # The title alone (weight A): candidates are picked among the threads whose title shares a word with the draft
    # first, a few thousand at 400,000 posts where the question as asked matched most of the table.
    title_document = mapped_column(DOCUMENT_TYPE, nullable=True)
    title_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    accepted_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    document_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    title: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)  # plain text (unescaped) that ts_headline snippets come from
    category: Mapped[str] = mapped_column(String(64))
    tags: Mapped[str] = mapped_column(Text, default="")  # comma-separated tag names
    author: Mapped[str] = mapped_column(String(32))  # username_key
    status: Mapped[str] = mapped_column(String(16))
    # "thread" or "idea": ideas share the thread index and are filtered out of thread results by this.
    kind: Mapped[str] = mapped_column(String(16), default="thread", server_default="thread")
    solved: Mapped[bool] = mapped_column(Boolean)
    answered: Mapped[bool] = mapped_column(Boolean)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    # An unsolved thread is worth suggesting to someone asking the same when staff answered it or a reply has
    # enough helpful votes (the setting search.suggest_answer_votes, compared at query time).
    staff_answered: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    best_reply_votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    last_activity: Mapped[datetime] = mapped_column(UTCDateTime)


class SearchTerm(db.Model):
    """How many documents hold each lexeme (BM25's document frequency), counted by the worker
    (search.backends.postgres_terms); the row with the empty lexeme holds the number of documents counted."""

    __tablename__ = "search_terms"

    lexeme: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
