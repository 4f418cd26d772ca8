"""The index's files are read in place (search.backends.whoosh.storage): the same answers as Whoosh's own
storage gives, without a private copy of the segment in every process that opens it (issue 21: the job
worker's writer opens a reader on every segment for each update)."""

from __future__ import annotations

import tracemalloc

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

from search.backends.whoosh import storage

WORDS = [f"word{n}" for n in range(400)]


def _build(directory) -> None:
    ix = storage.create_index(str(directory), Schema(key=ID(stored=True, unique=True), body=TEXT(stored=True)))
    writer = ix.writer()
    for n in range(600):
        writer.add_document(key=str(n), body=" ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 60)))
    writer.commit()
    writer = ix.writer()  # a second segment, and a replaced document in the first
    writer.update_document(key="7", body="replaced text with word3")
    writer.commit()


def _answers(ix) -> tuple:
    with ix.searcher() as searcher:
        parser = QueryParser("body", ix.schema)
        hits = {q: [(hit["key"], round(hit.score, 6)) for hit in searcher.search(parser.parse(q), limit=None)]
                for q in ("word3", "word5 word8", '"word1 word2"', "replaced")}
        return hits, sorted(fields["key"] for fields in searcher.reader().all_stored_fields())


def test_an_index_reads_the_same_through_the_mapped_storage(tmp_path):
    _build(tmp_path)

    assert _answers(storage.open_index(str(tmp_path))) == _answers(whoosh_index.open_dir(str(tmp_path)))
    hits, keys = _answers(storage.open_index(str(tmp_path)))
    assert [key for key, _score in hits["replaced"]] == ["7"] and len(keys) == 600


def test_opening_a_reader_keeps_no_copy_of_the_segment(tmp_path):
    _build(tmp_path)
    segment_bytes = sum(path.stat().st_size for path in tmp_path.glob("*.seg"))
    ix = storage.open_index(str(tmp_path))

    tracemalloc.start()
    try:
        reader = ix.reader()
        reader.doc_count()
        held = tracemalloc.get_traced_memory()[0]
        reader.close()
    finally:
        tracemalloc.stop()

    assert held < segment_bytes / 4, (held, segment_bytes)
