"""Helpers shared by the search tests."""

from __future__ import annotations


def ids(backend, raw: str) -> list[int]:
    """Thread ids the backend ranks for a query, best first (before the service's visibility re-check)."""
    return [hit.thread_id for hit in backend.search(raw).hits]


WHOOSH_ONLY = {"argnames": "search_backend", "argvalues": ["whoosh"], "indirect": True}
