"""The one source of "now", so tests can move time for SLA and expiry rules."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """Current time, aware UTC, second precision is not assumed."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Pin now() to moment (None unpins); used by tests and demo seeding."""
    global _frozen
    _frozen = moment
