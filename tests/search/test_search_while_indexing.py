"""Searching while another process indexes: the deployed shape (gunicorn workers search, the job
worker writes). Whoosh's refresh() hands the new searcher the old one's segment readers, so a
searcher cache that closes the old searcher after refreshing breaks every later search.
"""

from __future__ import annotations

import multiprocessing
from datetime import datetime

import pytest

from search import backends
from search.backends.whoosh import index, reading
from search.backends.whoosh.index import open_directory, write_document
from tests.search.helpers import WHOOSH_ONLY

WRITES = 12


def _document(thread_id: int) -> dict:
    return {
        "thread_id": str(thread_id), "title": f"Modem question {thread_id}", "body": "modem lights blinking",
        "tags": "", "category": "general", "author": "ana", "status": "open",
        "solved": False, "answered": False, "votes": 0, "created": datetime(2026, 11, 1),
        "last_activity": datetime(2026, 11, 1),
    }


def _index_from_another_process(directory: str, first_id: int, started) -> None:
    """What the job worker does: commit one document at a time into the live index."""
    ix = open_directory(directory)
    started.set()
    for thread_id in range(first_id, first_id + WRITES):
        write_document(ix, thread_id, _document(thread_id))


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_searches_answer_while_the_worker_indexes_in_another_process(client, api_client, make, search_index):
    thread = make.make_thread(title="Modem lights blinking after the storm")
    search_index()
    # Searching first caches a searcher: each commit from the other process then has to be refreshed into it.
    assert api_client().get("/api/v1/search", query_string={"q": "modem"}).status_code == 200
    live_directory = str(index._current_dir())
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    writer = context.Process(target=_index_from_another_process, args=(live_directory, 900_000, started))
    writer.start()
    assert started.wait(60)
    statuses = []
    while writer.is_alive() or len(statuses) < 4:
        statuses.append(api_client().get("/api/v1/search", query_string={"q": "modem"}).status_code)
        statuses.append(client.get("/search", query_string={"q": "modem"}).status_code)
    writer.join(timeout=60)
    assert writer.exitcode == 0
    assert all(status == 200 for status in statuses), statuses
    found = api_client().get("/api/v1/search", query_string={"q": "modem"}).get_json()
    assert [item["thread"]["id"] for item in found["items"]] == [thread.id]


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_cached_searcher_that_fails_is_dropped_and_rebuilt(api_client, make, search_index):
    thread = make.make_thread(title="Printer jams on every page")
    search_index()
    assert api_client().get("/api/v1/search", query_string={"q": "printer"}).status_code == 200
    cached = reading._local.snapshot
    cached.searcher.reader().close()  # the cached searcher is broken under the service's feet
    answer = api_client().get("/api/v1/search", query_string={"q": "printer"})
    assert answer.status_code == 200
    assert [item["thread"]["id"] for item in answer.get_json()["items"]] == [thread.id]
    assert reading._local.snapshot is not cached


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_forgetting_a_broken_searcher_never_raises(search_index):
    search_index()
    backends.by_name("whoosh").search("anything")
    reading._local.snapshot.searcher.reader().close()
    reading.forget()  # closing an already-closed searcher must not keep the broken one cached
    assert getattr(reading._local, "snapshot", None) is None
