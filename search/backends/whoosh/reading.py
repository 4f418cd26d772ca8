"""Reading the index fast: one searcher per thread, reused while the index is unchanged, and
the ranking/facet columns held as plain lists for that searcher, with the scored postings of
the words searched so far (search.backends.whoosh.postings).

Opening a searcher opens every segment's files, and reading a column value through Whoosh's
multi-segment readers costs a Python call chain per value; on the benchmark corpus those two
were a third of query time. A searcher is only replaced when the index changed (refresh()),
so results are never stale by more than the last commit. Checking costs one directory listing
(Whoosh's latest_generation) per search.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from whoosh.index import FileIndex
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher

from search.backends.whoosh.postings import ScoredPostings

COLUMNS = ("thread_id", "kind", "votes", "created", "status", "category", "tags")


@dataclass
class Snapshot:
    """A searcher, its columns (values[name][docnum]) and its scored postings."""

    index: FileIndex
    searcher: Searcher
    values: dict[str, list]
    postings: ScoredPostings


_local = threading.local()


def snapshot(ix: FileIndex) -> Snapshot:
    """This thread's searcher for ix, refreshed if the index changed since, with its columns.

    refresh() hands the new searcher the old one's segment readers and closes the rest itself,
    so the old searcher is dropped, never closed: closing it would close readers still in use.
    """
    current: Snapshot | None = getattr(_local, "snapshot", None)
    if current is not None and current.index is ix:
        searcher = current.searcher.refresh()
        if searcher is current.searcher:
            return current
    else:
        forget()
        searcher = ix.searcher()
    _local.snapshot = None  # until the new one is complete, nothing half-built stays cached
    reader = searcher.reader()
    # An empty index (a new community) has no columns at all: no values, not an error.
    values = {name: list(reader.column_reader(name)) if reader.has_column(name) else [] for name in COLUMNS}
    _local.snapshot = Snapshot(ix, searcher, values, ScoredPostings(searcher))
    return _local.snapshot


def forget() -> None:
    """Drop this thread's searcher, then close it (tests that remove index directories, recovery).

    Dropping comes first: a searcher that failed may fail again on close (its readers already
    closed), and it must not stay cached whatever close() does.
    """
    current: Snapshot | None = getattr(_local, "snapshot", None)
    _local.snapshot = None
    if current is not None:
        try:
            current.searcher.close()
        except ReaderClosed:
            pass  # already closed: nothing left to release
