"""The Whoosh index on disk: open, update (worker only), rebuild aside and swap, recover.

Layout: <data dir>/search/CURRENT names the live index directory; a rebuild writes a new
directory, then replaces CURRENT atomically (os.replace), so searches never see a
half-built index. A missing or unreadable index is rebuilt from the database.
The knowledge base's articles keep an index of their own in <data dir>/search/articles, laid
out the same way with the helpers below (search.backends.whoosh.article_index).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader

from search import documents
from search.backends.whoosh import reading, storage
from search.backends.whoosh.codec import Codec
from search.backends.whoosh.schema import SCHEMA_VERSION, build_schema, whoosh_fields

log = logging.getLogger(__name__)
POINTER = "CURRENT"
WRITER_TIMEOUT_S = 60  # several workers queue for Whoosh's single writer lock instead of failing


def root() -> Path:
    path = current_app.config["HORSESHOE"].data_path / "search"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _current_dir(base: Path | None = None) -> Path | None:
    """The live index directory CURRENT names (read on every search: a rebuild may have swapped it)."""
    base = base or root()
    try:
        name = (base / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    return base / name if name else None


_opened: dict[str, FileIndex] = {}  # per process: live directory path → opened index


def open_index() -> FileIndex | None:
    """The live thread index (opened once per process and directory), or None when missing or unreadable."""
    return open_live(root(), SCHEMA_VERSION, _opened)


def open_live(base: Path, version: int, opened: dict[str, FileIndex]) -> FileIndex | None:
    """The live index under base, opened once per process and directory (kept in opened, which holds only the
    live one), or None when missing, unreadable or built for another schema version."""
    directory = _current_dir(base)
    if directory is not None and str(directory) in opened and directory.is_dir():
        return opened[str(directory)]
    ix = _open(directory, version)
    opened.clear()
    if ix is not None:
        opened[str(directory)] = ix
    return ix


def forget() -> None:
    """Drop this process's opened index (after it turned out unreadable) and this thread's searcher."""
    _opened.clear()
    reading.forget()


def open_directory(directory: str, attempts: int = 5) -> FileIndex:
    """Open an index directory, riding out a writer's commit that replaces the TOC file being read.

    Whoosh lists the newest TOC generation and then opens it; a commit in another process in
    between deletes that file (FileNotFoundError). That is a moved target, not corruption:
    try again rather than report the index unreadable (which would trigger a rebuild).
    """
    for attempt in range(attempts - 1):
        try:
            return _open_and_touch(directory)
        except FileNotFoundError:
            time.sleep(0.02 * (attempt + 1))
    return _open_and_touch(directory)


def _open_and_touch(directory: str) -> FileIndex:
    ix = storage.open_index(directory)
    ix.doc_count()  # touches the TOC and segments: truncated files fail here
    return ix


def _open(directory: Path | None, version: int = SCHEMA_VERSION) -> FileIndex | None:
    if directory is None or not directory.is_dir() or not directory.name.startswith(f"index-v{version}-"):
        return None  # missing, or built for an older schema: the worker rebuilds it
    try:
        return open_directory(str(directory))
    except Exception as exc:  # any corruption means: rebuild from the database
        log.warning("search index at %s is unreadable (%s); it will be rebuilt", directory, exc)
        return None


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Index every searchable thread into a fresh directory, then swap it in. Returns documents written."""
    # A 512 MB pool spills fewer sorted runs to disk than 128 MB: a 40,000-post rebuild went from
    # 16.8 s to 12.8 s of Whoosh time (bench/RESULTS.md). Two writer processes (procs=2) were slower
    # once the single-segment merge was counted.
    return build_aside(root(), build_schema(), SCHEMA_VERSION, (whoosh_fields(d) for d in documents.all_documents()),
                       progress, limitmb=512)


def build_aside(base: Path, schema, version: int, fields: Iterable[dict],
                progress: Callable[[int], None] | None = None, limitmb: int = 128) -> int:
    """Write every document into a fresh directory under base named for the schema version, then point base's
    CURRENT at it (the thread index and the article index rebuild alike: searches never see a half-built
    index). Codec: a third less commit time (search.backends.whoosh.codec). Returns documents written."""
    report = progress or (lambda _n: None)
    directory = base / f"index-v{version}-{uuid.uuid4().hex[:12]}"
    directory.mkdir()
    writer = storage.create_index(str(directory), schema).writer(limitmb=limitmb, codec=Codec())
    written = 0
    try:
        for document in fields:
            writer.add_document(**document)
            written += 1
            report(1)
    except BaseException:
        writer.cancel()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    writer.commit(optimize=True)
    _swap_to(directory)
    return written


def _swap_to(directory: Path) -> None:
    """Point CURRENT (in the directory's parent) at directory atomically, then remove older index directories."""
    base = directory.parent
    temporary = base / f"{POINTER}.{uuid.uuid4().hex[:8]}"
    temporary.write_text(directory.name)
    os.replace(temporary, base / POINTER)
    for stale in base.glob("index-*"):
        if stale != directory:
            shutil.rmtree(stale, ignore_errors=True)


def writable_index() -> FileIndex:
    """The live index for the writer, rebuilding it first when it is missing or broken."""
    forget()  # the writer always re-checks the files
    ix = open_index()
    if ix is None:
        rebuild()
        ix = open_index()
    return ix


def update_thread(thread_id: int) -> None:
    """Write one thread's current state (or remove it) in the live index."""
    document = documents.document_for(thread_id)
    write_document(writable_index(), thread_id, whoosh_fields(document) if document else None)


def write_document(ix: FileIndex, thread_id: int, document: dict | None, *, purge: bool = False,
                   key: str = "thread_id") -> None:
    """Replace (or delete, when None) one document, waiting for the writer lock if needed.

    key: the unique field naming it (thread_id, or article_id in the article index).
    purge: also rewrite every segment still holding a replaced document (see purge_thread).
    """
    writer = ix.writer(timeout=WRITER_TIMEOUT_S, codec=Codec())
    if document is None:
        writer.delete_by_term(key, str(thread_id))
    else:
        writer.update_document(**document)
    writer.commit(mergetype=merge_segments_with_deletions if purge else None)


def purge_thread(thread_id: int) -> None:
    """Write one thread's current state and leave no older copy of any document in the files.

    Whoosh only marks a replaced document deleted: its stored title and excerpt and its words (which
    did-you-mean suggests) stay in the segment files until that segment is merged. Personal data moved
    out of a post must not stay, so this rewrites the segments holding deleted documents; that costs
    time in proportion to their size, so only such moves ask for it, never ordinary updates.
    """
    document = documents.document_for(thread_id)
    write_document(writable_index(), thread_id, whoosh_fields(document) if document else None, purge=True)


def merge_segments_with_deletions(writer, segments: list) -> list:
    """A Whoosh merge policy: copy the live documents of every segment with deletions into the new one."""
    kept = []
    for segment in segments:
        if not segment.has_deletions():
            kept.append(segment)
            continue
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return kept
