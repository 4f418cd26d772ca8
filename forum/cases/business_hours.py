"""Business-hours calendars: SLA clocks that only run while a category's support team is open.

A category may carry a calendar: an IANA time zone plus a small JSON document of weekly
opening hours and holidays. Without one, SLA clocks run 24/7 (domain.md). The document is

    {"week": {"mon": ["09:00", "17:00"], ..., "sat": null}, "holidays": ["2026-12-25"]}

one opening interval per weekday (a missing or null day is closed; "24:00" closes at
midnight), holidays are local dates that are closed all day. Everything here is pure: no
database, no clock, so it is tested exhaustively (DST, weekends, holidays) in isolation.

Open intervals are turned into real instants through zoneinfo, so an interval on a
daylight-saving day counts its true elapsed time (a 00:00–24:00 day is 23 h in spring and
25 h in autumn). A wall time in the spring-forward gap maps as zoneinfo's fold=0 does
(the offset before the change); an interval that would thereby end before it starts is empty.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from forum.core.errors import ErrorCollector, Invalid
from forum.core.i18n import _, _l

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                            _l("Saturday"), _l("Sunday")), strict=True))
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
MAX_HOLIDAYS = 366
MAX_DOCUMENT_CHARS = 20_000
# A guard against runaway loops: no SLA needs more than ~30 years of calendar days.
MAX_DAYS_SCANNED = 11_000
_known_zones = cache(available_timezones)  # scanning the tz database once is enough


@dataclass(frozen=True)
class Calendar:
    """A validated calendar: the zone, minutes-from-midnight (open, close) per weekday 0..6, holidays."""

    zone: ZoneInfo
    week: tuple[tuple[int, int] | None, ...]
    holidays: frozenset[date]

    @property
    def time_zone(self) -> str:
        return self.zone.key


def time_zone_names() -> list[str]:
    """Every IANA zone name known here, sorted (the admin form's suggestions)."""
    return sorted(_known_zones())


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _zone(name: object, errors: ErrorCollector) -> ZoneInfo | None:
    if not isinstance(name, str) or not name.strip():
        errors.add("time_zone", _("Choose a time zone, e.g. Europe/Berlin."))
        return None
    name = name.strip()
    # available_timezones() keeps out file paths and odd names ZoneInfo would otherwise try to open.
    if name not in _known_zones():
        errors.add("time_zone", _("Use an IANA time zone name, e.g. Europe/Berlin or America/New_York."))
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("time_zone", _("That time zone is not known here."))
        return None


def _day(day: str, value: object, errors: ErrorCollector) -> tuple[int, int] | None:
    if value is None:
        return None
    field = f"{day}_open"
    if (not isinstance(value, list | tuple) or len(value) != 2
            or not all(isinstance(v, str) and TIME_PATTERN.match(v) for v in value)):
        errors.add(field, _("%(day)s: give opening and closing times as HH:MM (24-hour), or leave both empty.",
                            day=DAY_NAMES[day]))
        return None
    opens, closes = _minutes(value[0]), _minutes(value[1])
    if value[0] == "24:00" or closes <= opens:
        errors.add(field, _("%(day)s: closing time must be after opening time.", day=DAY_NAMES[day]))
        return None
    return opens, closes


def _holidays(values: object, errors: ErrorCollector) -> frozenset[date]:
    if values is None:
        return frozenset()
    if not isinstance(values, list) or len(values) > MAX_HOLIDAYS:
        errors.add("holidays", _("List up to %(most)d holiday dates.", most=MAX_HOLIDAYS))
        return frozenset()
    found = set()
    for value in values:
        try:
            found.add(date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None)
        except ValueError:
            found.add(None)
    if None in found:
        errors.add("holidays", _("Write holidays as dates like 2026-12-25, one per line."))
        return frozenset()
    return frozenset(found)


def parse_calendar(time_zone: object, document: object) -> Calendar:
    """Validate a time zone and hours document; Invalid with every field error at once."""
    errors = ErrorCollector()
    zone = _zone(time_zone, errors)
    if not isinstance(document, dict) or not isinstance(document.get("week", {}), dict):
        errors.add("week", _("The opening hours are not in the expected shape."))
        errors.raise_if_any()
    week_doc = document.get("week", {})
    unknown = set(week_doc) - set(DAYS)
    if unknown:
        errors.add("week", _("Unknown weekday keys: %(keys)s.", keys=", ".join(sorted(map(str, unknown)))))
    week = tuple(_day(day, week_doc.get(day), errors) for day in DAYS)
    holidays = _holidays(document.get("holidays"), errors)
    if not any(week) and not errors.errors:
        errors.add("week", _("Open on at least one weekday, or remove the support hours."))
    errors.raise_if_any()
    return Calendar(zone=zone, week=week, holidays=holidays)


def calendar_from_json(time_zone: str | None, text: str | None) -> Calendar | None:
    """The stored calendar of a category (None: 24/7); Invalid when the stored text is malformed."""
    if not time_zone and not text:
        return None
    if not text or len(text) > MAX_DOCUMENT_CHARS:
        raise Invalid({"week": [_("The opening hours are missing or too long.")]})
    try:
        document = json.loads(text)
    except ValueError:
        raise Invalid({"week": [_("The opening hours are not valid JSON.")]}) from None
    return parse_calendar(time_zone, document)


def to_document(calendar: Calendar) -> dict:
    """The canonical JSON document of a calendar (closed days omitted, holidays sorted)."""
    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    week = {day: [hhmm(hours[0]), hhmm(hours[1])] for day, hours in zip(DAYS, calendar.week, strict=True) if hours}
    return {"week": week, "holidays": [d.isoformat() for d in sorted(calendar.holidays)]}


def to_json(calendar: Calendar) -> str:
    return json.dumps(to_document(calendar), separators=(",", ":"), sort_keys=True)


def _instant(calendar: Calendar, day: date, minutes: int) -> datetime:
    """The UTC instant of a local wall time (minutes from midnight; 1440 is the next midnight)."""
    local_day = day + timedelta(days=minutes // 1440)
    minutes %= 1440
    wall = datetime.combine(local_day, time(minutes // 60, minutes % 60), tzinfo=calendar.zone)
    return wall.astimezone(UTC)


def open_interval(calendar: Calendar, day: date) -> tuple[datetime, datetime] | None:
    """The UTC (start, end) of the local day's opening hours, or None when closed that day."""
    if day in calendar.holidays:
        return None
    hours = calendar.week[day.weekday()]
    if hours is None:
        return None
    start, end = _instant(calendar, day, hours[0]), _instant(calendar, day, hours[1])
    return (start, end) if end > start else None


def add_business_hours(start: datetime, hours: float, calendar: Calendar | None) -> datetime:
    """start plus hours of open time in calendar (aware UTC in, aware UTC out); None calendar: 24/7.

    Zero hours returns start unchanged, even outside opening hours (nothing needs counting).
    A positive amount that ends exactly at closing time returns the closing instant.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if hours < 0:
        raise ValueError("hours must not be negative")
    start = start.astimezone(UTC)
    remaining = timedelta(hours=hours)
    if calendar is None or not remaining:
        return start + remaining
    day = start.astimezone(calendar.zone).date()
    for _scanned in range(MAX_DAYS_SCANNED):
        interval = open_interval(calendar, day)
        day += timedelta(days=1)
        if interval is None or interval[1] <= start:
            continue
        opens = max(interval[0], start)
        available = interval[1] - opens
        if remaining <= available:
            return opens + remaining
        remaining -= available
    raise ValueError("the calendar has too little open time for that many hours")


def is_open(calendar: Calendar, moment: datetime) -> bool:
    """Whether moment lies within opening hours (the closing instant counts as open)."""
    day = moment.astimezone(calendar.zone).date()
    for candidate in (day - timedelta(days=1), day):
        interval = open_interval(calendar, candidate)
        if interval is not None and interval[0] <= moment <= interval[1]:
            return True
    return False
