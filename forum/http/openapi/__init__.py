"""GET /openapi.json: the hand-written OpenAPI 3.1 description of every /api/v1 route.

Kept as plain data next to the views it describes; tests/api/test_openapi.py fails when a
route exists without an entry here (or the other way round), so the document cannot drift.
Callers say openapi.<name>: builder holds the helpers and constants every package writes its
entries with, paths the forum's own path entries, schemas the component schemas, and route
assembles the document and serves it.
"""

from __future__ import annotations

from forum.http.openapi.builder import (
    ACTION_ERRORS,
    BOOLEAN,
    ERROR_DESCRIPTIONS,
    INTEGER,
    NOT_MODIFIED,
    NULLABLE_TIME,
    PAGE_PARAMS,
    RATE_LIMITED,
    RETRY_AFTER,
    STRING,
    TAGS,
    TIME,
    WRITE_ERRORS,
    Schema,
    envelope,
    list_of,
    obj,
    operation,
    path_id,
    query,
    ref,
    with_cross_cutting_answers,
)
from forum.http.openapi.paths import EXAMPLE_PASSWORD
from forum.http.openapi.route import document, show_openapi
from forum.http.openapi.schemas import RATING

__all__ = [
    "ACTION_ERRORS", "BOOLEAN", "ERROR_DESCRIPTIONS", "EXAMPLE_PASSWORD", "INTEGER", "NOT_MODIFIED", "NULLABLE_TIME",
    "PAGE_PARAMS", "RATE_LIMITED", "RATING", "RETRY_AFTER", "STRING", "TAGS", "TIME", "WRITE_ERRORS", "Schema",
    "document", "envelope", "list_of", "obj", "operation", "path_id", "query", "ref", "show_openapi",
    "with_cross_cutting_answers",
]
