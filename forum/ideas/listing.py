"""The ideas board's list: one page of the ideas a viewer may read, filtered and sorted, with what showing
them needs (author, tags, the question post's body) loaded in a fixed number of statements.

The API (GET /api/v1/ideas) and the board page both read it, so it knows nothing of HTTP. Paging is by
keyset over (vote_count, id) or (created_at, id), newest id first on ties, so walking the cursors meets
every idea once even while others are posted. A vote cast between two pages may move an idea across the
cursor (it is sorted by votes): the board accepts that, as any list sorted by a live count must.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import contains_eager

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import DEFAULT_LIMIT, decode_cursor, encode_cursor
from forum.ideas.queries import IDEA_STATUSES, visible_ideas
from forum.models import Idea, IdeaStatus, Post, Thread, User
from forum.tagging import lookups

SORTS = ("votes", "latest")


@dataclass(frozen=True)
class IdeaPage:
    """items in board order; questions maps each idea's id to its question post (the idea's body)."""

    items: list[Idea]
    next_cursor: str | None
    questions: dict[int, Post] = field(default_factory=dict)


def check_filters(status: str | None, sort: str) -> None:
    """Invalid (naming the field) for a status or sort the board does not have."""
    if status is not None and status not in IDEA_STATUSES:
        raise Invalid({"status": [_("Status is one of: %(statuses)s.", statuses=", ".join(IDEA_STATUSES))]})
    if sort not in SORTS:
        raise Invalid({"sort": [_("Sort is one of: %(sorts)s.", sorts=", ".join(SORTS))]})


def _filtered(viewer: User | None, status: str | None, category_id: int | None, tag: str | None) -> Select:
    """Every status but duplicate unless one is asked for: a duplicate's votes live on in the idea it joined."""
    statement = visible_ideas(viewer)
    if status is None:
        statement = statement.where(Idea.status != IdeaStatus.DUPLICATE.value)
    else:
        statement = statement.where(Idea.status == status)
    if category_id is not None:
        statement = statement.where(Thread.category_id == category_id)
    if tag:
        statement = statement.where(Thread.tags.any(lookups.named(tag)))  # a synonym finds its tag's ideas
    return statement


def _sort_key(sort: str):
    return Idea.vote_count if sort == "votes" else Idea.created_at


def _after(statement: Select, sort: str, cursor: str | None) -> Select:
    after = decode_cursor(cursor, [int if sort == "votes" else datetime, int])
    if not after:
        return statement
    key = _sort_key(sort)
    return statement.where(or_(key < after[0], and_(key == after[0], Idea.thread_id < after[1])))


def _cursor_of(idea: Idea, sort: str) -> str:
    return encode_cursor([idea.vote_count if sort == "votes" else idea.created_at, idea.thread_id])


def idea_page(viewer: User | None, *, status: str | None = None, sort: str = "votes", category_id: int | None = None,
              tag: str | None = None, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> IdeaPage:
    """One page of the board: most voted (or newest) first, continuing after cursor. Two statements whatever
    the page holds: the ideas with their threads, authors and question posts, then their tags."""
    check_filters(status, sort)
    statement = _after(_filtered(viewer, status, category_id, tag), sort, cursor)
    statement = (
        statement.join(Post, and_(Post.thread_id == Thread.id, Post.is_question.is_(True)))
        .add_columns(Post)
        .options(contains_eager(Idea.thread).joinedload(Thread.author),
                 contains_eager(Idea.thread).selectinload(Thread.tags))
        .order_by(_sort_key(sort).desc(), Idea.thread_id.desc())
        .limit(limit + 1)
    )
    rows = list(db.session.execute(statement))
    questions = {idea.thread_id: question for idea, question in rows}
    ideas = [idea for idea, _question in rows]
    if len(ideas) <= limit:
        return IdeaPage(ideas, None, questions)
    ideas = ideas[:limit]
    return IdeaPage(ideas, _cursor_of(ideas[-1], sort), questions)


def question_posts(ideas: Sequence[Idea]) -> dict[int, Post]:
    """Idea id → its question post (the idea's body), in one statement: for lists not read through idea_page."""
    ids = [idea.thread_id for idea in ideas]
    if not ids:
        return {}
    statement = select(Post).where(Post.thread_id.in_(ids), Post.is_question.is_(True))
    return {post.thread_id: post for post in db.session.scalars(statement)}
