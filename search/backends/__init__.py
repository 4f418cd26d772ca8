"""Search backends: one interface, chosen per deployment with HORSESHOE_SEARCH_BACKEND.

"whoosh" (the default) keeps an index on this host's disk; "postgres" keeps a tsvector per thread
in the search_documents table, so any number of app servers can search. Both are written only by
the worker's index jobs (search.jobs) and read by search.service, which re-checks every hit
against forum's visibility rules, so the two behave the same to users (tests/search runs every
behaviour test against both).
"""

from __future__ import annotations

from flask import current_app

from search.backends import postgres_backend, whoosh
from search.backends.base import ENV_NAME, NAMES, Backend, Unavailable, validate

__all__ = ["ENV_NAME", "NAMES", "Backend", "Unavailable", "by_name", "current", "probe", "validate"]
_BACKENDS: dict[str, Backend] = {"whoosh": whoosh.BACKEND, "postgres": postgres_backend.BACKEND}


def by_name(name: str) -> Backend:
    return _BACKENDS[name]


def current() -> Backend:
    """The backend this deployment chose (read per call: tests switch it on the shared app)."""
    return by_name(current_app.config["HORSESHOE"].search_backend)


def probe() -> None:
    """GET /readyz: the chosen backend opens its thread index and answers a query (Unavailable when it cannot)."""
    current().search("readiness", highlight_first=0)
