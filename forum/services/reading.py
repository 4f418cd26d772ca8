"""Reading: thread lists, a thread with its replies, posts and revisions, as the viewer may see them.

Every query starts from permissions.visible_threads/visible_posts, and loads the
authors, categories and tags it shows in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from forum.core.errors import Invalid, NotFound
from forum.core.extensions import db
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import Post, PostRevision, Tag, Thread, ThreadKind, ThreadStatus, User
from forum.services.permissions import Action, require, visible_posts, visible_threads

SORTS = {"latest": Thread.created_at, "active": Thread.last_activity_at, "votes": Thread.vote_count}
FILTERS = {"unanswered", "unsolved", "solved"}


@dataclass(frozen=True)
class ThreadQuery:
    category_id: int | None = None
    tag: str | None = None
    status: str | None = None
    filter: str | None = None
    sort: str = "active"
    author_id: int | None = None
    include_pinned: bool = True


def _validate(query: ThreadQuery) -> None:
    errors: dict[str, list[str]] = {}
    if query.sort not in SORTS:
        errors["sort"] = [f"Sort by one of: {', '.join(SORTS)}."]
    if query.filter and query.filter not in FILTERS:
        errors["filter"] = [f"Filter by one of: {', '.join(sorted(FILTERS))}."]
    if query.status and query.status not in {s.value for s in ThreadStatus}:
        errors["status"] = [f"Status is one of: {', '.join(s.value for s in ThreadStatus)}."]
    if errors:
        raise Invalid(errors)


def _filtered(statement: Select, query: ThreadQuery) -> Select:
    if query.category_id is not None:
        statement = statement.where(Thread.category_id == query.category_id)
    if query.author_id is not None:
        statement = statement.where(Thread.author_id == query.author_id)
    if query.tag:
        statement = statement.where(Thread.tags.any(Tag.name == query.tag.lower()))
    if query.status:
        statement = statement.where(Thread.status == query.status)
    if query.filter == "unanswered":
        statement = statement.where(Thread.status == ThreadStatus.OPEN.value, Thread.kind == ThreadKind.QUESTION.value)
    elif query.filter == "unsolved":
        statement = statement.where(
            Thread.kind == ThreadKind.QUESTION.value,
            Thread.status.not_in([ThreadStatus.SOLVED.value, ThreadStatus.CLOSED.value]),
        )
    elif query.filter == "solved":
        statement = statement.where(Thread.status == ThreadStatus.SOLVED.value)
    if not query.include_pinned:
        statement = statement.where(Thread.pinned.is_(False))
    return statement


def _with_list_relations(statement: Select) -> Select:
    return statement.options(
        joinedload(Thread.author), joinedload(Thread.category), selectinload(Thread.tags)
    )


def list_threads(viewer: User | None, query: ThreadQuery, limit: int, cursor: str | None = None) -> Page[Thread]:
    """One page of threads, newest first by the chosen sort, continuing after cursor."""
    _validate(query)
    column = SORTS[query.sort]
    statement = _with_list_relations(_filtered(visible_threads(viewer), query))
    after = decode_cursor(cursor, [int if query.sort == "votes" else datetime, int])
    if after:
        statement = statement.where(or_(column < after[0], and_(column == after[0], Thread.id < after[1])))
    rows = list(db.session.scalars(statement.order_by(column.desc(), Thread.id.desc()).limit(limit + 1)).unique())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, column.key), last.id])
    return Page(rows, next_cursor)


def pinned_threads(viewer: User | None, category_id: int | None) -> list[Thread]:
    """Pinned threads shown above a category's list."""
    statement = _with_list_relations(visible_threads(viewer).where(Thread.pinned == true()))  # indexable
    if category_id is not None:
        statement = statement.where(Thread.category_id == category_id)
    return list(db.session.scalars(statement.order_by(Thread.last_activity_at.desc())).unique())


def get_thread(viewer: User | None, thread_id: int) -> Thread:
    """The thread if the viewer may see it; NotFound otherwise (even when it exists)."""
    thread = db.session.scalar(
        _with_list_relations(select(Thread).where(Thread.id == thread_id))
    )
    if thread is None:
        raise NotFound("That thread does not exist or is not visible to you.")
    require(viewer, Action.THREAD_VIEW, thread)
    return thread


def question_post(thread: Thread) -> Post:
    return db.session.scalar(
        select(Post).options(joinedload(Post.author)).where(Post.thread_id == thread.id, Post.is_question.is_(True))
    )


REPLY_SORTS = ("oldest", "votes")


def list_replies(
    viewer: User | None, thread: Thread, limit: int, cursor: str | None = None, sort: str = "oldest"
) -> Page[Post]:
    """Replies oldest first, or by helpful votes with the accepted one first; deleted ones only for moderators."""
    if sort not in REPLY_SORTS:
        raise Invalid({"sort": ["Sort replies by oldest or votes."]})
    statement = (
        visible_posts(viewer)
        .options(joinedload(Post.author))
        .where(Post.thread_id == thread.id, Post.is_question.is_(False))
    )
    if sort == "votes":
        return _replies_by_votes(statement, thread, limit, cursor)
    after = decode_cursor(cursor, [datetime, int])
    if after:
        statement = statement.where(
            or_(Post.created_at > after[0], and_(Post.created_at == after[0], Post.id > after[1]))
        )
    rows = list(db.session.scalars(statement.order_by(Post.created_at, Post.id).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at, rows[-1].id])
    return Page(rows, next_cursor)


def _replies_by_votes(statement: Select, thread: Thread, limit: int, cursor: str | None) -> Page[Post]:
    """Keyset over (accepted first, most votes, oldest id)."""
    accepted = case((Post.id == (thread.accepted_post_id or 0), 1), else_=0)
    after = decode_cursor(cursor, [int, int, int])
    if after:
        was_accepted, votes, last_id = after
        statement = statement.where(
            or_(
                accepted < was_accepted,
                and_(accepted == was_accepted, or_(Post.vote_count < votes,
                                                   and_(Post.vote_count == votes, Post.id > last_id))),
            )
        )
    ordered = statement.order_by(accepted.desc(), Post.vote_count.desc(), Post.id).limit(limit + 1)
    rows = list(db.session.scalars(ordered))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([int(last.id == thread.accepted_post_id), last.vote_count, last.id])
    return Page(rows, next_cursor)


def accepted_reply(viewer: User | None, thread: Thread) -> Post | None:
    """The accepted solution, shown right under the question, if the viewer may see it."""
    if thread.accepted_post_id is None:
        return None
    return db.session.scalar(
        visible_posts(viewer).options(joinedload(Post.author)).where(Post.id == thread.accepted_post_id)
    )


def question_and_accepted(viewer: User | None, thread: Thread) -> tuple[Post | None, Post | None]:
    """The question and the accepted reply (when the viewer may see it) in one statement, for the thread page."""
    if thread.accepted_post_id is None:
        return question_post(thread), None
    accepted_if_visible = (
        visible_posts(viewer).where(Post.id == thread.accepted_post_id).with_only_columns(Post.id).scalar_subquery()
    )
    posts = db.session.scalars(
        select(Post).options(joinedload(Post.author))
        .where(Post.thread_id == thread.id, or_(Post.is_question.is_(True), Post.id == accepted_if_visible))
    ).all()
    question = next((post for post in posts if post.is_question), None)
    return question, next((post for post in posts if post.id == thread.accepted_post_id), None)


def get_post(viewer: User | None, post_id: int) -> Post:
    post = db.session.scalar(
        visible_posts(viewer).options(joinedload(Post.author), joinedload(Post.thread)).where(Post.id == post_id)
    )
    if post is None:
        raise NotFound("That post does not exist or is not visible to you.")
    return post


def post_revisions(viewer: User | None, post: Post) -> list[PostRevision]:
    """A post's earlier versions, oldest first, with their editors."""
    require(viewer, Action.POST_HISTORY, post)
    return list(
        db.session.scalars(
            select(PostRevision)
            .options(joinedload(PostRevision.editor))
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id)
        )
    )


def recent_replies_by(viewer: User | None, author: User, limit: int = 20) -> list[Post]:
    """A user's latest visible replies, with their threads, for the profile page."""
    statement = (
        visible_posts(viewer)
        .options(joinedload(Post.thread))
        .where(Post.author_id == author.id, Post.is_question.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def get_tag(name: str) -> Tag:
    """The tag with this name (tags are stored lower-case); NotFound when nobody has used it."""
    tag = db.session.scalar(select(Tag).where(Tag.name == (name or "").strip().lower()))
    if tag is None:
        raise NotFound("No thread uses that tag yet.")
    return tag


def visible_threads_by_id(viewer: User | None, thread_ids: list[int]) -> dict[int, Thread]:
    """The threads among thread_ids the viewer may see (for re-checking search hits), with list relations."""
    if not thread_ids:
        return {}
    statement = _with_list_relations(visible_threads(viewer).where(Thread.id.in_(thread_ids)))
    return {thread.id: thread for thread in db.session.scalars(statement).unique()}


def question_post_ids(thread_ids: list[int]) -> dict[int, int]:
    """Thread id → its question post's id, in one query."""
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(Post.thread_id, Post.id).where(Post.thread_id.in_(thread_ids), Post.is_question.is_(True))
    )
    return {thread_id: post_id for thread_id, post_id in rows}
