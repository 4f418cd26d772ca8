"""Search as the pages and the API use it: ranked ids from the backend, re-checked in the database.

The index (Whoosh files or the search_documents table) may be stale: the worker applies changes
a moment later. So every hit is reloaded through forum's visibility rules, whatever the backend:
a stale index can never show something hidden.

A query ranks up to query.CANDIDATES hits, and the total and the facets count the visible ones,
but a page shows at most per_page: so visibility is checked for all of them in one statement
that reads ids only, and only the shown threads are loaded (with the relations the page and
the API show) and highlighted. The statements a search runs do not grow with its hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from forum import tagging
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import Post, Tag, Thread, ThreadStatus, User, thread_tag
from forum.services import reading
from forum.services.permissions import visible_threads
from search import backends, query

PER_PAGE = 20
MAX_PAGE = 50
REBUILDING = "Search is being rebuilt; results will be back in a minute."


@dataclass(frozen=True)
class Found:
    thread: Thread
    post_id: int
    score: float
    highlight: str


@dataclass
class SearchPage:
    items: list[Found]
    total: int
    page: int
    has_next: bool
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _with_filters(raw: str, filters: dict[str, str | None]) -> str:
    extra = [f'{name}:"{value}"' for name, value in filters.items() if value]
    return _canonical_tags(" ".join([raw or "", *extra]).strip())


def _canonical_tags(raw: str) -> str:
    """A tag:<synonym> filter names its tag instead (forum.tagging): both backends index tag names only.

    The one place search maps synonyms, for the page, the API's tag parameter and typed filters alike;
    a query without a tag filter asks the database nothing.
    """
    names = [match.group(2).strip('"') for match in query.FILTER.finditer(raw) if match.group(1).lower() == "tag"]
    mapped = tagging.canonical_names(names)
    if not mapped:
        return raw

    def swap(match) -> str:
        name = match.group(2).strip('"').strip().lower()
        if match.group(1).lower() != "tag" or name not in mapped:
            return match.group(0)
        return f'tag:"{mapped[name]}"'

    return query.FILTER.sub(swap, raw)


def search_threads(
    viewer: User | None, raw: str, *, filters: dict[str, str | None] | None = None, page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of visible matches for the query (plus filters such as category/tag/status)."""
    if not 1 <= page <= MAX_PAGE:
        raise Invalid({"page": [f"Choose a page from 1 to {MAX_PAGE}."]})
    try:
        results = backends.current().search(_with_filters(raw, filters or {}), highlight_first=0)
    except backends.Unavailable:  # missing or damaged index: say so; the worker's ensure_index job rebuilds it
        return SearchPage([], 0, page, False, notices=[REBUILDING])
    visible = _visible_ids(viewer, [hit.thread_id for hit in results.hits])
    hits = [hit for hit in results.hits if hit.thread_id in visible]
    window = hits[(page - 1) * per_page: page * per_page]
    shown = _shown_threads(viewer, [hit.thread_id for hit in window])
    window = [hit for hit in window if hit.thread_id in shown]  # hidden since the statement above: not shown
    highlights = results.highlight([hit.thread_id for hit in window])
    items = [
        Found(thread=shown[hit.thread_id][0], post_id=shown[hit.thread_id][1], score=round(hit.score, 4),
              highlight=highlights.get(hit.thread_id, ""))
        for hit in window
    ]
    return SearchPage(items, len(hits), page, len(hits) > page * per_page, results.suggestion,
                      results.notices, query.facet_counts(hits))


def _visible_ids(viewer: User | None, thread_ids: list[int]) -> set[int]:
    """The ids among thread_ids of threads the viewer may see, in one statement that loads no objects."""
    if not thread_ids:
        return set()
    # Up to CANDIDATES integers, written into the SQL: binding each one cost more than the query itself.
    ids = bindparam("thread_ids", expanding=True, literal_execute=True)
    statement = visible_threads(viewer).with_only_columns(Thread.id).where(Thread.id.in_(ids))
    return {row[0] for row in db.session.execute(statement, {"thread_ids": [int(i) for i in thread_ids]})}


def _shown_threads(viewer: User | None, thread_ids: list[int]) -> dict[int, tuple[Thread, int]]:
    """The threads a page shows → (thread with author, category and tags, the post the result links to).

    The link goes to the accepted answer, else the question. Two statements whatever the number of
    threads: the threads with their author, category and question post id, then their tags.
    """
    if not thread_ids:
        return {}
    question = (
        select(Post.id).where(Post.thread_id == Thread.id, Post.is_question.is_(True))
        .correlate(Thread).limit(1).scalar_subquery()
    )
    statement = (
        visible_threads(viewer)
        .add_columns(func.coalesce(Thread.accepted_post_id, question, 0))
        .options(joinedload(Thread.author), joinedload(Thread.category), selectinload(Thread.tags))
        .where(Thread.id.in_(thread_ids))
    )
    return {thread.id: (thread, post_id) for thread, post_id in db.session.execute(statement).unique()}


def similar_threads(viewer: User | None, title: str, limit: int = 5) -> list[Thread]:
    """Solved threads likely to answer the same question, for the ask page.

    The index may lag the database (the worker has not caught up, or a thread was reopened), so
    "solved" is checked again on the thread itself, as visibility is.
    """
    if len((title or "").strip()) < 3:
        return []
    ids = backends.current().similar(title, limit=limit * 2)
    visible = reading.visible_threads_by_id(viewer, ids)
    solved = [visible[i] for i in ids if i in visible and visible[i].status == ThreadStatus.SOLVED.value]
    return solved[:limit]


def popular_tags(viewer: User | None, limit: int = 8) -> list[str]:
    """The most used tags on threads the viewer may see, in one statement: where a search that found nothing
    can go next."""
    visible = visible_threads(viewer).with_only_columns(Thread.id).subquery()
    statement = (
        select(Tag.name).join(thread_tag, thread_tag.c.tag_id == Tag.id)
        .join(visible, visible.c.id == thread_tag.c.thread_id)
        .group_by(Tag.id, Tag.name).order_by(func.count().desc(), Tag.name).limit(limit)
    )
    return list(db.session.scalars(statement))
