"""Reading a multipart/form-data body as it arrives: the file part goes to a temporary file, chunk by chunk.

Memory stays flat whatever the body's size: no part is ever held whole except the small text
fields (alt text, a CSRF token), and the file is cut off with a 413 as soon as it passes the
largest size any upload may have, without reading the rest. The caller hands in any binary stream
(the WSGI input), so this knows nothing of HTTP frameworks.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from forum.core.errors import DomainError
from forum.core.i18n import N_, _
from forum.uploads.filetypes import SNIFF_BYTES, TooLarge

CHUNK = 64 * 1024  # read from the request at a time
SLICE = 8 * 1024  # handed to the multipart decoder at a time (see _slices)
MAX_FIELD_BYTES = 16 * 1024
MAX_PARTS = 20


class MalformedBody(DomainError):
    status = 400
    title = N_("Malformed multipart body")


@dataclass
class ReceivedFile:
    """The file part as stored in a temporary file; delete it with discard() when done."""

    path: Path
    filename: str
    content_type: str
    size: int = 0
    head: bytes = b""  # the first bytes, for sniffing the type
    sha256: str = ""

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class ReceivedForm:
    file: ReceivedFile | None = None
    fields: dict[str, str] = field(default_factory=dict)


class _FileSink:
    """Writes one file part to disk, hashing and counting as it goes, refusing it past max_bytes."""

    def __init__(self, filename: str, content_type: str, workdir: Path, max_bytes: int) -> None:
        fd, name = tempfile.mkstemp(dir=workdir, prefix="upload-")
        self.handle = os.fdopen(fd, "wb")
        self.received = ReceivedFile(Path(name), filename, content_type)
        self.digest = hashlib.sha256()
        self.max_bytes = max_bytes

    def write(self, data: bytes) -> None:
        received = self.received
        received.size += len(data)
        if received.size > self.max_bytes:
            most = format(self.max_bytes / (1024 * 1024), "g")
            raise TooLarge(_("The file is larger than the largest upload allowed (%(most)s MB).", most=most))
        if len(received.head) < SNIFF_BYTES:
            received.head += data[: SNIFF_BYTES - len(received.head)]
        self.digest.update(data)
        self.handle.write(data)

    def close(self) -> ReceivedFile:
        self.handle.close()
        self.received.sha256 = self.digest.hexdigest()
        return self.received


def _chunks(stream: BinaryIO):
    while data := stream.read(CHUNK):
        yield data
    yield None


class _Receiver:
    """Routes the decoder's events: the file part to its sink, fields to memory, other parts nowhere."""

    def __init__(self, workdir: Path, max_file_bytes: int, file_field: str) -> None:
        self.form = ReceivedForm()
        self.workdir, self.max_file_bytes, self.file_field = workdir, max_file_bytes, file_field
        self.sink: _FileSink | None = None
        self.field: tuple[str, list[bytes]] | None = None
        self.write = self._skip

    def _skip(self, data: bytes) -> None:
        pass

    def _field_write(self, data: bytes) -> None:
        chunks = self.field[1]
        chunks.append(data)
        if sum(map(len, chunks)) > MAX_FIELD_BYTES:
            raise TooLarge(_("The form field %(name)s is too long.", name=repr(self.field[0])))

    def start(self, part: Field | File) -> None:
        if isinstance(part, File) and part.name == self.file_field and self.sink is None and self.form.file is None:
            self.sink = _FileSink(part.filename or "", part.headers.get("Content-Type", ""), self.workdir,
                                  self.max_file_bytes)
            self.write = self.sink.write
        elif isinstance(part, Field):
            self.field = (part.name, [])
            self.write = self._field_write
        else:
            self.write = self._skip

    def end(self) -> None:
        if self.sink is not None:
            self.form.file = self.sink.close()
            self.sink = None
        elif self.field is not None:
            name, chunks = self.field
            self.form.fields.setdefault(name, b"".join(chunks).decode("utf-8", "replace"))
            self.field = None
        self.write = self._skip

    def abandon(self) -> None:
        if self.sink is not None:
            self.sink.close().discard()
        if self.form.file is not None:
            self.form.file.discard()


def _slices(data: bytes | None):
    """The decoder refuses any piece that would grow its buffer past MAX_FIELD_BYTES, file data included:
    feed it slices small enough that, drained after each, it never holds more than a slice and a boundary."""
    if data is None:
        yield None
        return
    for start in range(0, len(data), SLICE):
        yield data[start:start + SLICE]


def _drain(decoder: MultipartDecoder, receiver: _Receiver) -> None:
    event = decoder.next_event()
    while not isinstance(event, Epilogue | NeedData):
        if isinstance(event, Field | File):
            receiver.start(event)
        elif isinstance(event, Data):
            receiver.write(event.data)
            if not event.more_data:
                receiver.end()
        event = decoder.next_event()


def receive_multipart(stream: BinaryIO, boundary: bytes, *, max_file_bytes: int, workdir: Path,
                      file_field: str = "file") -> ReceivedForm:
    """Parse the body: the first part named file_field to disk, short text fields to memory, the rest skipped."""
    decoder = MultipartDecoder(boundary, max_form_memory_size=MAX_FIELD_BYTES, max_parts=MAX_PARTS)
    receiver = _Receiver(workdir, max_file_bytes, file_field)
    try:
        for data in _chunks(stream):
            for piece in _slices(data):
                decoder.receive_data(piece)
                _drain(decoder, receiver)
    except ValueError as exc:
        receiver.abandon()
        raise MalformedBody(_("The multipart/form-data body could not be read.")) from exc
    except BaseException:
        receiver.abandon()
        raise
    return receiver.form


def receive_stream(stream: BinaryIO, filename: str, content_type: str, *, max_file_bytes: int,
                   workdir: Path) -> ReceivedFile:
    """A file that is the whole stream (not a multipart part), saved to disk under the same cap."""
    sink = _FileSink(filename, content_type, workdir, max_file_bytes)
    try:
        for data in _chunks(stream):
            if data is not None:
                sink.write(data)
    except BaseException:
        sink.close().discard()
        raise
    return sink.close()
