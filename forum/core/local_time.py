"""Moments as a member reads them: in their own time zone, named, never a bare UTC timestamp."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_time(moment: datetime, time_zone: str) -> str:
    """ "20 November 2026, 10:00 Europe/Paris", in the member's zone (UTC when theirs is unknown)."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y, %H:%M} {zone.key}"
