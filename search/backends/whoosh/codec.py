"""Whoosh's file format (W3Codec), with a per-document reader that remembers which columns a segment has.

When a segment is written, Whoosh looks up the length of each posting's document; for a field
without a length column (the spelling words, IDs, numbers, dates) it asks the file system
whether that column exists, once per posting: about 590,000 stat() calls for the 40,000-post
benchmark, a third of the commit's time. A segment's files never change once written, so the
answer is kept per reader. Nothing else differs: same files, readable by the plain codec.

Segments written with this codec name it in the index's table of contents (Whoosh pickles it),
so this class must stay importable under this name; an index that cannot be opened is rebuilt.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader


class Codec(W3Codec):
    def per_document_reader(self, storage, segment) -> W3PerDocReader:
        return PerDocReader(storage, segment)


class PerDocReader(W3PerDocReader):
    """W3PerDocReader whose has_column() asks the file system once per column."""

    def __init__(self, storage, segment) -> None:
        super().__init__(storage, segment)
        self._has_column: dict[str, bool] = {}

    def has_column(self, fieldname: str) -> bool:
        if fieldname not in self._has_column:
            self._has_column[fieldname] = super().has_column(fieldname)
        return self._has_column[fieldname]
