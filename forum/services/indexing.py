"""Ask the search worker to re-index a thread (by job name: forum never imports the search package)."""

from __future__ import annotations

from forum.jobs import queue

INDEX_THREAD_JOB = "search.index_thread"


def reindex_thread(thread_id: int) -> None:
    """Queue an index update in the caller's transaction; it runs only if that commits."""
    queue.enqueue(INDEX_THREAD_JOB, {"thread_id": thread_id})
