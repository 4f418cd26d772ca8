"""Reading a Stack Exchange data dump: one `<row .../>` per record, streamed, never the whole file in memory.

The public archive keeps each table in its own XML file (Posts.xml, Users.xml, Votes.xml, Comments.xml,
Tags.xml, PostLinks.xml, Badges.xml); every field is an attribute and an absent attribute is NULL.
iterparse hands rows over one at a time and each element is cleared once read, so a dump of several
gigabytes reads in constant memory. Dates are ISO 8601 in UTC without a zone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import iterparse  # nosec B405  # dumps are operator-supplied files, no DTDs expanded

QUESTION, ANSWER = "1", "2"
UPVOTE = "2"
DUPLICATE_LINK = "3"
FILES = ("Posts.xml", "Users.xml", "Votes.xml", "Comments.xml", "Tags.xml", "PostLinks.xml", "Badges.xml")
REQUIRED = ("Posts.xml", "Users.xml")
_ANGLE_TAGS = re.compile(r"<([^<>]+)>")


class DumpError(ValueError):
    """The directory is not a readable Stack Exchange dump (a file missing or not XML)."""


@dataclass(frozen=True)
class Dump:
    """A dump directory: one site's files."""

    directory: Path

    def rows(self, name: str) -> Iterator[dict[str, str]]:
        """Each row's attributes in file order; nothing when an optional file is absent."""
        path = self.directory / name
        if not path.exists():
            if name in REQUIRED:
                raise DumpError(f"{path} is missing: is this a Stack Exchange dump directory?")
            return
        try:
            for _event, element in iterparse(path, events=("end",)):  # nosec B314  # see the import
                if element.tag == "row":
                    yield dict(element.attrib)
                    element.clear()
        except SyntaxError as exc:  # ParseError
            raise DumpError(f"{path} is not valid XML: {exc}") from exc

    def count(self, name: str, predicate=lambda _row: True) -> int:
        return sum(1 for row in self.rows(name) if predicate(row))

    def upvotes(self) -> Counter[int]:
        """Upvotes per post id (downvotes are ignored: Horseshoe has none; voters are anonymised anyway)."""
        return Counter(int(row["PostId"]) for row in self.rows("Votes.xml")
                       if row.get("VoteTypeId") == UPVOTE and row.get("PostId"))


def check(directory: str | Path) -> Dump:
    """The dump in directory, or DumpError naming what is missing."""
    dump = Dump(Path(directory))
    if not dump.directory.is_dir():
        raise DumpError(f"{dump.directory} is not a directory.")
    for name in REQUIRED:
        if not (dump.directory / name).exists():
            raise DumpError(f"{dump.directory / name} is missing: is this a Stack Exchange dump directory?")
    return dump


def parse_date(value: str | None) -> datetime | None:
    """"2018-02-06T20:19:50.957" (UTC, no zone) as an aware datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def parse_tags(value: str | None) -> list[str]:
    """Both spellings of a question's tags: "<tag1><tag2>" (older dumps) and "|tag1|tag2|" (newer ones)."""
    if not value:
        return []
    names = _ANGLE_TAGS.findall(value) if value.startswith("<") else value.split("|")
    return [name.strip().lower() for name in names if name.strip()]


def number(row: dict[str, str], key: str) -> int | None:
    value = row.get(key)
    return int(value) if value not in (None, "") else None
