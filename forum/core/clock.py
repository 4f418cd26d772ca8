"""The one source of "now", so tests can move time for SLA and expiry rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """Current time, aware UTC, second precision is not assumed."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Pin now() to moment (None unpins); used by tests and demo seeding."""
    global _frozen
    _frozen = moment


@contextmanager
def restored() -> Iterator[None]:
    """Put the clock back as it was (pinned or running) when the block ends, even on failure.

    For code that moves the clock to write history (demo seeding): unpinning at the end would
    send a test that pinned the clock back to today's date.
    """
    saved = _frozen
    try:
        yield
    finally:
        freeze(saved)
