"""How the data export writes its files: JSON documents and streamed JSON arrays inside the ZIP, and times.

Shared by forum.accounts.export_archive (the account's sections) and forum.accounts.export_private (drafts,
conversations, ignored members), so that every file of the archive is written the same way.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select

from forum.core.extensions import db
from forum.models import User

Section = Callable[[zipfile.ZipFile, User], None]

# Rows read per batch by the sections that stream (a member may have tens of thousands of votes).
BATCH = 500


def timestamp(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def write_json(archive: zipfile.ZipFile, name: str, data: Any) -> None:
    archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_json_array(archive: zipfile.ZipFile, name: str, items: Iterable[dict[str, Any]]) -> None:
    """A JSON array written one item at a time into the ZIP: memory stays flat however many rows there are."""
    with archive.open(name, "w") as out:
        separator = b"[\n  "
        for item in items:
            out.write(separator + json.dumps(item, ensure_ascii=False).encode())
            separator = b",\n  "
        out.write(b"[]\n" if separator == b"[\n  " else b"\n]\n")


def streamed(query: Select) -> Iterator[Any]:
    """The query's rows in batches of BATCH, never all loaded at once."""
    return iter(db.session.scalars(query.execution_options(yield_per=BATCH)))
