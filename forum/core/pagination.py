"""Keyset (cursor) pagination: stable under inserts, cheap on large tables."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from forum.core.errors import Invalid
from forum.core.i18n import _

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 200  # real cursors are under 100 characters


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor from the sort key of the last item shown."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, shape: Sequence[type]) -> list[Any] | None:
    """The sort key inside cursor, checked against the expected types; Invalid if tampered."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise Invalid({"cursor": [_("This cursor is not valid; start from the first page.")]})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(shape):
            raise ValueError
        return [_cursor_value(v, kind) for v, kind in zip(values, shape, strict=True)]
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError, RecursionError) as exc:
        raise Invalid({"cursor": [_("This cursor is not valid; start from the first page.")]}) from exc


def _cursor_value(value: Any, kind: type) -> Any:
    """One decoded cursor value, refused (ValueError) when no database column could hold it."""
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        return moment.astimezone(UTC) if moment.tzinfo else moment  # OverflowError near year 1 or 9999
    if isinstance(value, float) or kind is int and not -(2**63) <= int(value) < 2**63:
        raise ValueError("not a 64-bit integer")
    return kind(value)


def clamp_limit(limit: Any, default: int = DEFAULT_LIMIT) -> int:
    """A page size within 1..100, or Invalid with a clear message."""
    if limit in (None, ""):
        return default
    try:
        value = int(limit)
    except (TypeError, ValueError) as exc:
        raise Invalid({"limit": [_("Use a whole number from 1 to 100.")]}) from exc
    if not 1 <= value <= MAX_LIMIT:
        raise Invalid({"limit": [_("Use a whole number from 1 to 100.")]})
    return value
