"""SQL building blocks over what members did: helping replies, first answers, standing ledger rows.

Badges and missions both count a user's history. They share these fragments so that "a reply
that helped" or "a solution" means the same thing everywhere, and every count stays one
aggregate query on SQLite and PostgreSQL alike (time arithmetic differs, so it is compiled
per dialect here).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, and_, exists, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Float

from forum.models import Correction, LedgerReason, Post, ReputationEvent, Thread, ThreadKind, Visibility, Vote

PUBLIC = Visibility.PUBLIC.value


class seconds_between(FunctionElement):  # noqa: N801 - reads as the SQL function it compiles to
    """Seconds from the first datetime column to the second (fractional)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_sqlite(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


class day_number(FunctionElement):  # noqa: N801
    """The UTC calendar day of a datetime as an integer; consecutive days differ by one."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_sqlite(element, compiler, **kw) -> str:
    return f"CAST(julianday(date({compiler.process(list(element.clauses)[0], **kw)})) AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_postgresql(element, compiler, **kw) -> str:
    return f"(CAST({compiler.process(list(element.clauses)[0], **kw)} AS DATE) - DATE '1970-01-01')"


def only(column: ColumnElement, user_id: int | None) -> ColumnElement[bool]:
    """Restrict a query to one user, or to nobody in particular (None: every user)."""
    return true() if user_id is None else column == user_id


def live_post(post=Post, thread=Thread) -> list[ColumnElement[bool]]:
    """The post and its thread are public and not deleted (what everyone can see counts)."""
    return [
        post.thread_id == thread.id, post.deleted_at.is_(None), post.visibility == PUBLIC,
        thread.deleted_at.is_(None), thread.visibility == PUBLIC,
    ]


def helping(post=Post, thread=Thread, *, questions_only: bool = True) -> list[ColumnElement[bool]]:
    """A live reply to someone else's (live) question: answering your own thread helps no one else."""
    conditions = [*live_post(post, thread), post.is_question.is_(False), post.author_id != thread.author_id]
    if questions_only:
        conditions.append(thread.kind == ThreadKind.QUESTION.value)
    return conditions


def first_answer(post=Post, thread=Thread) -> ColumnElement[bool]:
    """No earlier live reply by anyone but the asker: post was the first to answer the question.

    Ties on created_at (same second) are broken by id, so exactly one reply is first.
    """
    earlier = aliased(Post)
    return ~exists().where(
        earlier.thread_id == post.thread_id, earlier.is_question.is_(False), earlier.deleted_at.is_(None),
        earlier.visibility == PUBLIC, earlier.author_id != thread.author_id,
        or_(earlier.created_at < post.created_at, and_(earlier.created_at == post.created_at, earlier.id < post.id)),
    )


def first_thread_of_asker(thread=Thread) -> ColumnElement[bool]:
    """The thread is its author's first one: they were new here when they asked."""
    older = aliased(Thread)
    return ~exists().where(older.author_id == thread.author_id, older.id < thread.id)


def standing(event=ReputationEvent) -> list[ColumnElement[bool]]:
    """A positive ledger row that has not been reversed (yet)."""
    reversal = aliased(ReputationEvent)
    return [event.reverses_id.is_(None), ~exists().where(reversal.reverses_id == event.id)]


def solution_rows(event=ReputationEvent) -> list[ColumnElement[bool]]:
    """Standing "your reply was accepted" rows: one per solution the user still holds."""
    return [event.reason == LedgerReason.REPLY_ACCEPTED.value, *standing(event)]


def honest_vote(vote=Vote) -> ColumnElement[bool]:
    """The vote was not found to be serial voting (the daily job reversed its points).

    Such votes stay on the post (so the ring cannot vote again), but they helped nobody, so
    badges and missions that count votes received leave them out once the job has run.
    """
    event, reversal = aliased(ReputationEvent), aliased(ReputationEvent)
    return ~exists().where(  # the vote's row (it names the voter) has a serial-voting reversal
        event.post_id == vote.post_id, event.actor_id == vote.user_id, reversal.reverses_id == event.id,
        reversal.correction == Correction.SERIAL_VOTING.value,
    )
