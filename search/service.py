"""Search as the pages and the API use it: ranked ids from the index, re-checked in the database.

The index may be stale (the worker applies changes a moment later), so every hit is
reloaded through forum's visibility rules: a stale index can never show something hidden.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from forum.models import Thread, User
from forum.services import reading
from forum.services.errors import Invalid
from search import index, query

log = logging.getLogger(__name__)
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
    ix = index.open_index()
    if ix is None:
        return SearchPage([], 0, page, False, notices=[REBUILDING])
    try:
        results = query.search(ix, _with_filters(raw, filters or {}), highlight_first=page * per_page + per_page)
    except Exception:  # damaged files: say so; the worker's ensure_index job rebuilds them
        log.exception("search index unreadable")
        index.forget()
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
    """Solved threads likely to answer the same question, for the ask page."""
    ix = index.open_index()
    if ix is None or len((title or "").strip()) < 3:
        return []
    ids = query.similar(ix, title, limit=limit * 2)
    visible = reading.visible_threads_by_id(viewer, ids)
    return [visible[i] for i in ids if i in visible][:limit]
