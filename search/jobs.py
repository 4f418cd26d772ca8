"""Worker handlers: the only code that writes the index, whichever backend keeps it."""

from __future__ import annotations

from forum.services import indexing
from search import backends

INDEX_THREAD_JOB = indexing.INDEX_THREAD_JOB  # forum services enqueue it by this name
PURGE_THREAD_JOB = indexing.PURGE_THREAD_JOB
INDEX_ARTICLE_JOB = indexing.INDEX_ARTICLE_JOB
REINDEX_JOB = "search.reindex"
ENSURE_INDEX_JOB = "search.ensure_index"
ENSURE_EVERY_S = 60


def index_thread(payload: dict) -> None:
    """Bring one thread up to date in the index (idempotent: it reads the current state)."""
    backends.current().update_thread(int(payload["thread_id"]))


def purge_thread(payload: dict) -> None:
    """Bring one thread up to date and drop every older copy of its document (personal data moved out)."""
    backends.current().purge_thread(int(payload["thread_id"]))


def index_article(payload: dict) -> None:
    """Bring one article up to date in the index: written while published, removed otherwise (idempotent);
    with "purge", no older copy of its document stays behind (forum.services.indexing.purge_article)."""
    backends.current().update_article(int(payload["article_id"]), purge=bool(payload.get("purge")))


def reindex_all(_payload: dict) -> None:
    backends.current().rebuild()


def ensure_index(_payload: dict) -> None:
    """Rebuild a missing or corrupt index, threads' or articles' (web processes only read, so they can't)."""
    backends.current().ensure()
