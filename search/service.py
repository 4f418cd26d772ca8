"""Search as the pages and the API use it: ranked ids from the backend, re-checked in the database.

The index (Whoosh files or the search_documents table) may be stale: the worker applies changes
a moment later. So every hit is reloaded through forum's visibility rules, whatever the backend:
a stale index can never show something hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forum.core.errors import Invalid
from forum.models import Thread, ThreadStatus, User
from forum.services import reading
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
    return " ".join([raw or "", *extra]).strip()


def search_threads(
    viewer: User | None, raw: str, *, filters: dict[str, str | None] | None = None, page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of visible matches for the query (plus filters such as category/tag/status)."""
    if not 1 <= page <= MAX_PAGE:
        raise Invalid({"page": [f"Choose a page from 1 to {MAX_PAGE}."]})
    try:
        results = backends.current().search(_with_filters(raw, filters or {}), highlight_first=(page + 1) * per_page)
    except backends.Unavailable:  # missing or damaged index: say so; the worker's ensure_index job rebuilds it
        return SearchPage([], 0, page, False, notices=[REBUILDING])
    visible = reading.visible_threads_by_id(viewer, [hit.thread_id for hit in results.hits])
    hits = [hit for hit in results.hits if hit.thread_id in visible]
    window = hits[(page - 1) * per_page: page * per_page]
    questions = reading.question_post_ids([hit.thread_id for hit in window])
    items = [
        Found(
            thread=visible[hit.thread_id],
            post_id=visible[hit.thread_id].accepted_post_id or questions.get(hit.thread_id, 0),
            score=round(hit.score, 4),
            highlight=hit.highlight,
        )
        for hit in window
    ]
    return SearchPage(items, len(hits), page, len(hits) > page * per_page, results.suggestion,
                      results.notices, query.facet_counts([h for h in results.hits if h.thread_id in visible]))


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
