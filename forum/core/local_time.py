"""Moments as a member reads them: in their own time zone, named, never a bare UTC timestamp, in their
language (Babel's formats through forum.core.i18n)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as babel_dates

from forum.core import i18n


def zone_of(time_zone: str | None) -> ZoneInfo:
    """The member's zone; UTC when theirs is unset or unknown (a zone removed from the tz database)."""
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _in(moment: datetime, zone: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def local_time(moment: datetime, time_zone: str) -> str:
    """ "20 November 2026, 10:00 Europe/Paris" ("20. November 2026, 10:00 Europe/Paris"): in the member's zone
    (UTC when theirs is unknown), in the reader's language, the zone named."""
    return i18n.format_moment(_in(moment, UTC), zone_of(time_zone), "long")


def local_day(moment: datetime, time_zone: str | None) -> str:
    """A calendar date in the reader's language ("5 March 2026"), on the day it was in the member's zone."""
    local = _in(moment, zone_of(time_zone))
    return babel_dates.format_date(local, "long", locale=i18n.babel_locale(i18n.current_language()))


def short_moment(moment: datetime, zone: ZoneInfo) -> str:
    """ "6 Dec 2026, 14:05 Europe/Paris": for dense lists like the delivery log, in zone."""
    return i18n.format_moment(_in(moment, UTC), zone, "medium")
