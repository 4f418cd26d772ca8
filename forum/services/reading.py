"""Reading: thread lists, a thread with its replies, posts and revisions, as the viewer may see them.

Every query starts from permissions.visible_threads/visible_posts, and loads the
authors, categories and tags it shows in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, and_, bindparam, case, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from forum.core.errors import Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import IDEA_KIND, Post, PostRevision, Tag, Thread, ThreadKind, ThreadStatus, User, thread_tag
from forum.services.permissions import (
    Action,
    bound_viewer,
    is_moderator,
    require,
    signed_in,
    viewer_params,
    visible_posts,
    visible_posts_as,
    visible_threads,
)
from forum.tagging import lookups

SORTS = {"latest": Thread.created_at, "active": Thread.last_activity_at, "votes": Thread.vote_count}
# Built once: lists are read on every page view, and composing these from ORM attributes costs more than running them.
LIST_ORDER = {sort: (column.desc(), Thread.id.desc()) for sort, column in SORTS.items()}
PINNED = Thread.pinned == true()  # == true(), not is_(True): indexable
PINNED_FIRST = Thread.pinned.desc()
FILTERS = {"unanswered", "unsolved", "solved"}
NOT_AN_IDEA = Thread.kind != IDEA_KIND  # ideas have their own board (forum.ideas): thread lists leave them out


@dataclass(frozen=True)
class ThreadQuery:
    category_id: int | None = None
    tag: str | None = None
    status: str | None = None
    filter: str | None = None
    sort: str = "active"
    author_id: int | None = None
    include_pinned: bool = True
    ideas: bool = False  # True: ideas are listed too (every list but the ideas board leaves them out)


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
    if not query.ideas:
        statement = statement.where(NOT_AN_IDEA)
    if query.category_id is not None:
        statement = statement.where(Thread.category_id == query.category_id)
    if query.author_id is not None:
        statement = statement.where(Thread.author_id == query.author_id)
    if query.tag:
        statement = statement.where(Thread.tags.any(lookups.named(query.tag)))
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


def thread_page_statement(viewer: User | None, query: ThreadQuery, limit: int, cursor: str | None = None) -> Select:
    """The visible threads of one page in list order, plus one more (so page_of knows whether a page follows)."""
    return page_statement_among(visible_threads(viewer), query, limit, cursor)


def page_statement_among(visible: Select, query: ThreadQuery, limit: int, cursor: str | None = None) -> Select:
    """thread_page_statement over visible (a permissions.visible_threads_as select, whose viewer may be bound)."""
    _validate(query)
    column = SORTS[query.sort]
    statement = _filtered(visible, query)
    after = decode_cursor(cursor, [int if query.sort == "votes" else datetime, int])
    if after:
        statement = statement.where(or_(column < after[0], and_(column == after[0], Thread.id < after[1])))
    return statement.order_by(*LIST_ORDER[query.sort]).limit(limit + 1)


def page_of(rows: list, query: ThreadQuery, limit: int) -> Page:
    """The first limit rows of a thread_page_statement, with the cursor that continues after the last one."""
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    last = rows[-1]
    return Page(rows, encode_cursor([getattr(last, SORTS[query.sort].key), last.id]))


def list_threads(viewer: User | None, query: ThreadQuery, limit: int, cursor: str | None = None) -> Page[Thread]:
    """One page of threads, newest first by the chosen sort, continuing after cursor."""
    statement = _with_list_relations(thread_page_statement(viewer, query, limit, cursor))
    return page_of(list(db.session.scalars(statement).unique()), query, limit)


def first_page_with_pinned_statement(viewer: User | None, query: ThreadQuery, limit: int) -> Select:
    """An unfiltered list's pinned threads, then the first page of the others (plus one more): one statement.

    The pinned ones come first, and the LIMIT counts them in (a scalar subquery over the same conditions):
    in the default (active) order a category's list walks its (category, pinned, activity) index, so
    nothing grows with the category's size.
    """
    return first_page_among(visible_threads(viewer), query, limit)


def first_page_among(visible: Select, query: ThreadQuery, limit: int) -> Select:
    """first_page_with_pinned_statement over visible (a permissions.visible_threads_as select)."""
    _validate(query)
    statement = _filtered(visible, replace(query, include_pinned=True))
    pinned = select(func.count()).select_from(Thread).where(PINNED)
    if statement.whereclause is not None:  # None: a moderator's unfiltered list that takes ideas too
        pinned = pinned.where(statement.whereclause)
    return statement.order_by(PINNED_FIRST, *LIST_ORDER[query.sort]).limit(limit + 1 + pinned.scalar_subquery())


@cache
def _thread_statement() -> Select:
    """get_thread()'s statement: the thread with its author, category and tags, built once (every thread page
    and most actions read it; building and keying it cost more than running it).

    The tags come through two flat outer joins: joinedload(Thread.tags) nests "thread_tag JOIN tag" inside the
    outer join, which SQLite answers by materializing every thread's tags first (1.7 ms a page at 40,000 posts,
    growing with the community); flat, both joins are primary-key lookups.
    """
    return (
        select(Thread)
        .outerjoin(thread_tag, thread_tag.c.thread_id == Thread.id).outerjoin(Tag, Tag.id == thread_tag.c.tag_id)
        .options(joinedload(Thread.author), joinedload(Thread.category), contains_eager(Thread.tags))
        .where(Thread.id == bindparam("thread_id")).order_by(Tag.name)
    )


def get_thread(viewer: User | None, thread_id: int) -> Thread:
    """The thread if the viewer may see it; NotFound otherwise (even when it exists)."""
    # One statement (a list page loads tags for many threads apart).
    thread = db.session.scalars(_thread_statement(), {"thread_id": thread_id}).unique().first()
    if thread is None:
        raise NotFound(_("That thread does not exist or is not visible to you."))
    require(viewer, Action.THREAD_VIEW, thread)
    return thread


def question_post(thread: Thread) -> Post:
    return db.session.scalar(
        select(Post).options(joinedload(Post.author)).where(Post.thread_id == thread.id, Post.is_question.is_(True))
    )


REPLY_SORTS = ("oldest", "votes")
# The values a reply cursor holds, per sort, as the names of the statement's parameters.
CURSOR_FIELDS = {"votes": (("after_accepted", int), ("after_votes", int), ("after_id", int)),
                 "oldest": (("after_created", datetime), ("after_id", int))}


@dataclass(frozen=True)
class _ReplyOrder:
    """One way to order replies: the cursor's values for the statement, the same order in Python (the thread
    page sorts what one statement brought), and the cursor a row continues from."""

    thread: Thread
    sort: str

    def after(self, cursor: str | None) -> dict | None:
        """The cursor's values as the statement's after_* parameters; None for the first page."""
        fields = CURSOR_FIELDS[self.sort]
        values = decode_cursor(cursor, [kind for _name, kind in fields])
        return dict(zip((name for name, _kind in fields), values, strict=True)) if values else None

    def key(self, post: Post) -> tuple:
        if self.sort == "votes":
            return (-int(post.id == self.thread.accepted_post_id), -post.vote_count, post.id)
        return (post.created_at, post.id)

    def cursor(self, post: Post) -> str:
        if self.sort == "votes":
            return encode_cursor([int(post.id == self.thread.accepted_post_id), post.vote_count, post.id])
        return encode_cursor([post.created_at, post.id])

    def page(self, rows: list[Post], limit: int) -> Page[Post]:
        """rows in order, one more than limit when a page follows."""
        if len(rows) <= limit:
            return Page(rows, None)
        rows = rows[:limit]
        return Page(rows, self.cursor(rows[-1]))


def _reply_order(thread: Thread, sort: str) -> _ReplyOrder:
    if sort not in REPLY_SORTS:
        raise Invalid({"sort": [_("Sort replies by oldest or votes.")]})
    return _ReplyOrder(thread, sort)


@dataclass(frozen=True)
class _RepliesQuery:
    """One page of replies for one viewer: which statement (its shape) and the values it runs with."""

    moderator: bool
    signed_in: bool
    sort: str
    after_cursor: bool
    params: dict


def _replies_query(viewer: User | None, order: _ReplyOrder, limit: int, cursor: str | None) -> _RepliesQuery:
    after = order.after(cursor)
    params = viewer_params(viewer, thread_id=order.thread.id, accepted_id=order.thread.accepted_post_id or 0,
                           limit=limit + 1, **(after or {}))
    return _RepliesQuery(is_moderator(viewer), signed_in(viewer), order.sort, after is not None, params)


def _visible(moderator: bool, signed_in_viewer: bool) -> Select:
    return visible_posts_as(moderator, bound_viewer(signed_in_viewer))


@cache
def _replies_statement(moderator: bool, signed_in_viewer: bool, sort: str, after_cursor: bool) -> Select:
    """The visible replies of one page in order, plus one more (so the page knows whether another follows).

    Built once per shape (kind of viewer, sort, first page or not) with every value a parameter (viewer_id,
    thread_id, accepted_id, limit, the cursor's after_*): building and keying it on every thread page cost
    more than running it (issue 21).
    """
    statement = _visible(moderator, signed_in_viewer).where(
        Post.thread_id == bindparam("thread_id", type_=Integer), Post.is_question.is_(False))
    if sort == "votes":  # keyset over (accepted first, most votes, oldest id)
        accepted = case((Post.id == bindparam("accepted_id", type_=Integer), 1), else_=0)
        if after_cursor:
            was_accepted, votes = bindparam("after_accepted", type_=Integer), bindparam("after_votes", type_=Integer)
            statement = statement.where(or_(accepted < was_accepted, and_(accepted == was_accepted, or_(
                Post.vote_count < votes, and_(Post.vote_count == votes, Post.id > bindparam("after_id"))))))
        columns = (accepted.desc(), Post.vote_count.desc(), Post.id)
    else:
        if after_cursor:
            created = bindparam("after_created", type_=Post.created_at.type)
            statement = statement.where(or_(Post.created_at > created,
                                            and_(Post.created_at == created, Post.id > bindparam("after_id"))))
        columns = (Post.created_at, Post.id)
    return statement.order_by(*columns).limit(bindparam("limit", type_=Integer))


def list_replies(
    viewer: User | None, thread: Thread, limit: int, cursor: str | None = None, sort: str = "oldest"
) -> Page[Post]:
    """Replies oldest first, or by helpful votes with the accepted one first; deleted ones only for moderators."""
    order = _reply_order(thread, sort)
    query = _replies_query(viewer, order, limit, cursor)
    statement = _replies_statement(query.moderator, query.signed_in, query.sort, query.after_cursor)
    return order.page(list(db.session.scalars(statement.options(joinedload(Post.author)), query.params)), limit)


@dataclass(frozen=True)
class ThreadPagePosts:
    question: Post | None
    accepted: Post | None  # when the viewer may see it
    replies: Page[Post]


@cache
def _thread_page_statement(moderator: bool, signed_in_viewer: bool, sort: str, after_cursor: bool,
                           with_accepted: bool) -> Select:
    """thread_page_posts()'s statement, built once per shape like _replies_statement (whose parameters it takes)."""
    replies = _replies_statement(moderator, signed_in_viewer, sort, after_cursor)
    on_page = Post.id.in_(replies.with_only_columns(Post.id))
    wanted = [Post.is_question.is_(True), on_page]
    if with_accepted:  # the accepted reply's id when the viewer may see it (NULL otherwise)
        accepted = _visible(moderator, signed_in_viewer).where(Post.id == bindparam("accepted_id", type_=Integer))
        wanted.append(Post.id == accepted.with_only_columns(Post.id).scalar_subquery())
    return (
        select(Post, on_page.label("on_page")).options(joinedload(Post.author))
        .where(Post.thread_id == bindparam("thread_id", type_=Integer), or_(*wanted))
    )


def thread_page_posts(
    viewer: User | None, thread: Thread, limit: int, cursor: str | None = None, sort: str = "oldest"
) -> ThreadPagePosts:
    """The question, the accepted reply and one page of replies with their authors, in one statement.

    The question, the accepted reply if visible, and what list_replies() gives; the page's replies come back flagged
    (the accepted reply may be one of them too) and are put in order here, with the order's own key.
    """
    order = _reply_order(thread, sort)
    query = _replies_query(viewer, order, limit, cursor)
    statement = _thread_page_statement(query.moderator, query.signed_in, query.sort, query.after_cursor,
                                       thread.accepted_post_id is not None)
    rows = db.session.execute(statement, query.params).all()
    for post, _on in rows:  # the page's permission rules read post.thread: hand them the thread, no lookup
        set_committed_value(post, "thread", thread)
    question = next((post for post, _on in rows if post.is_question), None)
    # Every row is one the viewer may see (the page's replies and the accepted one come through
    # visible_posts), so the accepted reply is here exactly when it may be shown.
    accepted = next((post for post, _on in rows if post.id == thread.accepted_post_id), None)
    replies = sorted((post for post, on in rows if on and not post.is_question), key=order.key)
    return ThreadPagePosts(question, accepted, order.page(replies, limit))


def accepted_reply(viewer: User | None, thread: Thread) -> Post | None:
    """The accepted solution, shown right under the question, if the viewer may see it."""
    if thread.accepted_post_id is None:
        return None
    return db.session.scalar(
        visible_posts(viewer).options(joinedload(Post.author)).where(Post.id == thread.accepted_post_id)
    )


def get_post(viewer: User | None, post_id: int) -> Post:
    post = db.session.scalar(
        visible_posts(viewer).options(joinedload(Post.author), joinedload(Post.thread)).where(Post.id == post_id)
    )
    if post is None:
        raise NotFound(_("That post does not exist or is not visible to you."))
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


def get_tag(name: str) -> Tag:
    """The tag with this name, or the one it is a synonym of; NotFound when nobody has used it."""
    return lookups.find_tag(name)[0]


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
