"""Worker handlers: the only code that writes the index."""

from __future__ import annotations

from forum.services import indexing
from search import index

INDEX_THREAD_JOB = indexing.INDEX_THREAD_JOB  # forum services enqueue it by this name
REINDEX_JOB = "search.reindex"


def index_thread(payload: dict) -> None:
    """Bring one thread up to date in the index (idempotent: it reads the current state)."""
    index.update_thread(int(payload["thread_id"]))


def reindex_all(_payload: dict) -> None:
    index.rebuild()
