"""Search fixtures: a fresh index directory per test, written through the real worker jobs."""

from __future__ import annotations

import shutil

import pytest

from search import index


@pytest.fixture
def search_index(app, db, run_jobs):
    """An empty live index; returns a function that runs pending jobs and opens the index."""
    shutil.rmtree(index.root(), ignore_errors=True)
    index.rebuild()

    def refreshed():
        run_jobs()
        return index.open_index()

    yield refreshed
    shutil.rmtree(index.root(), ignore_errors=True)
