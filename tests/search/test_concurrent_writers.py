"""Several worker processes writing the index at once: no lock errors, nothing lost."""

from __future__ import annotations

import multiprocessing
from datetime import datetime

from whoosh import index as whoosh_index

from search.backends.whoosh.index import open_directory, write_document
from search.backends.whoosh.schema import build_schema

PROCESSES = 4
PER_PROCESS = 10


def _document(thread_id: int) -> dict:
    return {
        "thread_id": str(thread_id), "title": f"Question number {thread_id}", "body": "modem lights blinking",
        "tags": "", "category": "general", "author": "ana", "status": "open",
        "solved": False, "answered": False, "votes": 0, "created": datetime(2026, 11, 1),
        "last_activity": datetime(2026, 11, 1),
    }


def _write_many(directory: str, first_id: int) -> None:
    ix = open_directory(directory)  # another process may commit (and replace the TOC) while this one opens
    for thread_id in range(first_id, first_id + PER_PROCESS):
        write_document(ix, thread_id, _document(thread_id))


def test_four_processes_updating_at_once_lose_nothing(tmp_path):
    whoosh_index.create_in(str(tmp_path), build_schema())
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(tmp_path), 1 + n * PER_PROCESS))
               for n in range(PROCESSES)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * PROCESSES
    ix = whoosh_index.open_dir(str(tmp_path))
    with ix.searcher() as searcher:
        stored = {int(fields["thread_id"]) for fields in searcher.all_stored_fields()}
    assert stored == set(range(1, PROCESSES * PER_PROCESS + 1))
