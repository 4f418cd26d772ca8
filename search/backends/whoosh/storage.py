"""Whoosh's file storage, reading each segment through a memory map without copying it into the process.

Whoosh maps a segment's compound file (.seg) and hands out each file inside it as a BufferFile, whose
constructor puts the mapped bytes in an io.BytesIO: a private copy of the whole postings and terms
files (15 MB at 40,000 posts, ten times that at 400,000) every time a reader opens the segment. The
job worker's writer opens a reader on every segment for each update (to delete the document it
replaces), so that copy was most of its peak memory (issue 21), and every searcher paid it too.

Here the same map is read in place: positioned reads (the hot ones, Whoosh's get*()) were already
slices of the map, and sequential reads (headers, pickles, varints) go through a small cursor over it.
Same files, same format; only how this process reads them differs. The map closes when the last view
of it goes (a rebuild's swap removes directories whose files are still mapped: Linux keeps them).
"""

from __future__ import annotations

import mmap
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import FileIndex

COMPOUND_SUFFIX = ".seg"  # whoosh.codec.base.Segment.COMPOUND_EXT


class MappedStorage(FileStorage):
    """A FileStorage whose compound segment files are memory maps read in place."""

    # Tells Whoosh's CompoundStorage not to map (and copy) the file itself, but to ask the file this
    # storage opened for each part (MappedFile.subset).
    supports_mmap = False

    def open_file(self, name: str, **kwargs) -> StructFile:
        if not name.endswith(COMPOUND_SUFFIX):
            return super().open_file(name, **kwargs)
        with open(self._fpath(name), "rb") as handle:  # the map outlives the descriptor
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(memoryview(mapped), name=name, **kwargs)


def open_index(directory: str) -> FileIndex:
    """whoosh.index.open_dir(directory), on a MappedStorage."""
    return FileIndex(MappedStorage(directory))


def create_index(directory: str, schema) -> FileIndex:
    """whoosh.index.create_in(directory, schema), on a MappedStorage."""
    return MappedStorage(directory).create_index(schema)


class MappedFile(BufferFile):
    """A BufferFile over a view of a memory map, read in place (BufferFile's constructor copies it)."""

    def __init__(self, view: memoryview, name: str | None = None, onclose=None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = view
        self.file = _Cursor(view)

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        return MappedFile(self._buf[position:position + length], name=name or self._name)


class _Cursor:
    """The read, seek and tell of a file over a memoryview, without copying the view."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(start, end)
        return self._view[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        """Up to and including the next newline (pickle.load needs it, for protocol 0 pickles)."""
        start = end = self._position
        limit = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        while end < limit:
            chunk = self._view[end:min(end + 4096, limit)].tobytes()
            newline = chunk.find(b"\n")
            end = end + newline + 1 if newline >= 0 else end + len(chunk)
            if newline >= 0:
                break
        return self.read(end - start)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        """Nothing to release: the map closes when its last view is dropped."""
