"""Text no front end lets through: NUL bytes anywhere, and titles with nothing visible in them.

PostgreSQL cannot store a NUL (U+0000) in a text column (psycopg refuses the statement, which was a
500), while SQLite stores it silently; so every front end refuses it up front, naming the field,
and both databases answer alike. The web's forms (forum.http.forms), the API's JSON bodies
(forum.http.api_requests), every query string (forum.http.security) and the signed helpdesk events
all call in here.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from forum.core.errors import Invalid

NUL = "\x00"
NUL_MESSAGE = "Remove the NUL character (\\x00): text here cannot contain it."
# Letters that render as nothing although Unicode does not class them as format characters.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def printable_name(name: str) -> str:
    """A field name fit to show and to key errors by, even when the name itself holds a NUL."""
    return name.replace(NUL, "\\x00")


def nul_fields(value: Any, name: str = "") -> list[str]:
    """The name of every field of a JSON value that holds a NUL, in its key or in any string within.

    Nested objects are named with dots (data.note); an array is named by its field (tags), once.
    """
    if isinstance(value, str):
        return [name or "body"] if NUL in value else []
    if isinstance(value, list):
        return [name or "body"] if any(nul_fields(item) for item in value) else []
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    for key, item in value.items():
        key_name = printable_name(f"{name}.{key}" if name else str(key))
        if NUL in str(key):
            found.append(key_name)
        else:
            found.extend(nul_fields(item, key_name))
    return found


def refuse_nul(value: Any, name: str = "") -> None:
    """Invalid (422) naming every field of value that holds a NUL; nothing else is judged here."""
    fields = nul_fields(value, name)
    if fields:
        raise Invalid({field: [NUL_MESSAGE] for field in fields},
                      f"Remove the NUL character (\\x00) from {', '.join(fields)}: text cannot contain it.")


def is_invisible(char: str) -> bool:
    """Whitespace, format characters (zero-width space and joiners, word joiner, BOM ...) and blank letters."""
    return char.isspace() or unicodedata.category(char) == "Cf" or char in BLANK_LETTERS


def visible_length(text: str) -> int:
    """The length a reader sees: from the first visible character to the last, format characters left out.

    Spaces between words count, as they always did for the title's minimum; 0 means nothing visible at all.
    """
    shown = [index for index, char in enumerate(text) if not is_invisible(char)]
    if not shown:
        return 0
    middle = text[shown[0]:shown[-1] + 1]
    return sum(1 for char in middle if char.isspace() or not is_invisible(char))
