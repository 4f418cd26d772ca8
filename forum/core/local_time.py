"""Moments as a member reads them: in their own time zone, named, never a bare UTC timestamp."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(time_zone: str | None) -> ZoneInfo:
    """The member's zone; UTC when theirs is unset or unknown (a zone removed from the tz database)."""
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _in(moment: datetime, zone: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def local_time(moment: datetime, time_zone: str) -> str:
    """ "20 November 2026, 10:00 Europe/Paris", in the member's zone (UTC when theirs is unknown)."""
    zone = zone_of(time_zone)
    local = _in(moment, zone)
    return f"{local.day} {local:%B %Y, %H:%M} {zone.key}"


def local_day(moment: datetime, time_zone: str | None) -> str:
    """A calendar date as people write it ("5 March 2026"), on the day it was in the member's zone."""
    local = _in(moment, zone_of(time_zone))
    return f"{local.day} {local:%B %Y}"


def short_moment(moment: datetime, zone: ZoneInfo) -> str:
    """ "6 Dec 2026, 14:05": day, short month, year and minutes, in zone (for dense lists like the audit log)."""
    local = _in(moment, zone)
    return f"{local.day} {local:%b %Y, %H:%M}"
