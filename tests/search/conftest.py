"""Search fixtures: every behaviour test runs against each backend, written through the real worker jobs.

On SQLite only "whoosh" runs (the postgres backend refuses SQLite); on PostgreSQL both do.
Whoosh-only tests (files, locks, did-you-mean) ask for it with
@pytest.mark.parametrize("search_backend", ["whoosh"], indirect=True).
"""

from __future__ import annotations

import shutil

import pytest

from search import backends
from search.backends.whoosh import index


@pytest.fixture(params=backends.NAMES)
def search_backend(request, app, db):
    """The backend under test, chosen on the shared app's settings for this test only."""
    if request.param == "postgres" and db.engine.dialect.name != "postgresql":
        pytest.skip("the postgres search backend needs HORSESHOE_TEST_DATABASE_URL (PostgreSQL)")
    settings = app.config["HORSESHOE"]
    previous = settings.search_backend
    settings.search_backend = request.param
    try:
        yield backends.by_name(request.param)
    finally:
        settings.search_backend = previous


@pytest.fixture
def search_index(search_backend, run_jobs):
    """An empty live index; returns a function that runs pending jobs (the worker) and returns the backend."""
    shutil.rmtree(index.root(), ignore_errors=True)
    search_backend.rebuild()

    def refreshed():
        run_jobs()
        return search_backend

    yield refreshed
    shutil.rmtree(index.root(), ignore_errors=True)

