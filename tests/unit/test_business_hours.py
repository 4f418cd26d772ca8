"""Business-hours calendars: counting only open time, across weekends, holidays and daylight-saving changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.cases.business_hours import (
    DAYS,
    add_business_hours,
    calendar_from_json,
    is_open,
    parse_calendar,
    to_document,
    to_json,
)
from forum.core.errors import Invalid

WEEKDAYS_9_TO_5 = {"week": {day: ["09:00", "17:00"] for day in DAYS[:5]}}


def calendar(zone: str = "Europe/Berlin", document: dict | None = None):
    return parse_calendar(zone, document or WEEKDAYS_9_TO_5)


def local(zone: str, *parts: int) -> datetime:
    """A wall time in zone as aware UTC (fold=0 for ambiguous times)."""
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- ordinary weeks ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ((2026, 11, 23, 10, 0), 3, (2026, 11, 23, 13, 0)),       # Monday, inside opening hours
        ((2026, 11, 23, 16, 0), 1, (2026, 11, 23, 17, 0)),       # ends exactly at closing time
        ((2026, 11, 23, 7, 0), 1, (2026, 11, 23, 10, 0)),        # starts before opening
        ((2026, 11, 23, 18, 30), 1, (2026, 11, 24, 10, 0)),      # starts after closing
        ((2026, 11, 23, 16, 50), 0.25, (2026, 11, 24, 9, 5)),    # fractional hours carry over
        ((2026, 11, 20, 16, 0), 4, (2026, 11, 23, 12, 0)),       # Friday → Monday over the weekend
        ((2026, 11, 21, 12, 0), 1, (2026, 11, 23, 10, 0)),       # starts on a Saturday
        ((2026, 11, 23, 9, 0), 24, (2026, 11, 25, 17, 0)),       # three whole working days
        ((2026, 11, 23, 9, 0), 41, (2026, 11, 30, 10, 0)),       # a full week and an hour
    ],
)
def test_open_time_is_counted_in_the_calendar_zone(start, hours, due):
    zone = "Europe/Berlin"
    assert add_business_hours(local(zone, *start), hours, calendar(zone)) == local(zone, *due)


def test_a_holiday_is_skipped():
    cal = calendar(document={**WEEKDAYS_9_TO_5, "holidays": ["2026-12-25"]})
    start = local("Europe/Berlin", 2026, 12, 24, 16, 0)  # Thursday; Friday is the holiday
    assert add_business_hours(start, 2, cal) == local("Europe/Berlin", 2026, 12, 28, 10, 0)
    assert add_business_hours(start, 2, calendar()) == local("Europe/Berlin", 2026, 12, 25, 10, 0)


def test_each_weekday_can_have_its_own_hours_and_closed_days():
    cal = calendar(document={"week": {"mon": ["08:00", "12:00"], "wed": ["13:30", "24:00"], "sat": None}})
    zone = "Europe/Berlin"
    start = local(zone, 2026, 11, 23, 11, 0)  # Monday: one hour left, Tuesday closed, Wednesday from 13:30
    assert add_business_hours(start, 1, cal) == local(zone, 2026, 11, 23, 12, 0)
    assert add_business_hours(start, 2, cal) == local(zone, 2026, 11, 25, 14, 30)
    assert add_business_hours(start, 11.5, cal) == local(zone, 2026, 11, 26, 0, 0)  # 24:00 is midnight
    assert add_business_hours(start, 12, cal) == local(zone, 2026, 11, 30, 8, 30)


def test_zero_hours_returns_the_start_even_when_closed():
    saturday = local("Europe/Berlin", 2026, 11, 21, 3, 0)
    assert add_business_hours(saturday, 0, calendar()) == saturday


def test_no_calendar_means_24_7():
    start = utc(2026, 3, 28, 23, 0)
    assert add_business_hours(start, 30, None) == start + timedelta(hours=30)


def test_naive_starts_and_negative_hours_are_refused():
    with pytest.raises(ValueError):
        add_business_hours(datetime(2026, 11, 23, 9, 0), 1, calendar())
    with pytest.raises(ValueError):
        add_business_hours(utc(2026, 11, 23, 9, 0), -1, calendar())


# --- daylight saving -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("zone", "friday", "monday_utc"),
    [
        # Europe/Berlin springs forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
        ("Europe/Berlin", (2026, 3, 27, 16, 0), utc(2026, 3, 30, 8, 0)),
        # ...and falls back on Sunday 25 October 2026: Friday is UTC+2, Monday UTC+1.
        ("Europe/Berlin", (2026, 10, 23, 16, 0), utc(2026, 10, 26, 9, 0)),
        # America/New_York springs forward on 8 March 2026 (UTC-5 → UTC-4)...
        ("America/New_York", (2026, 3, 6, 16, 0), utc(2026, 3, 9, 14, 0)),
        # ...and falls back on 1 November 2026 (UTC-4 → UTC-5).
        ("America/New_York", (2026, 10, 30, 16, 0), utc(2026, 11, 2, 15, 0)),
    ],
)
def test_opening_hours_follow_the_wall_clock_across_a_dst_weekend(zone, friday, monday_utc):
    """Friday 16:00 plus two hours is Monday 10:00 local, whatever the UTC offset became meanwhile."""
    assert add_business_hours(local(zone, *friday), 2, calendar(zone)) == monday_utc


NIGHTS = {"week": {day: ["00:00", "06:00"] for day in DAYS}}


@pytest.mark.parametrize(
    ("zone", "sunday", "hours", "due"),
    [
        # Spring forward: 00:00–06:00 holds only five real hours, so 5 h fill it exactly...
        ("Europe/Berlin", (2026, 3, 29), 5, utc(2026, 3, 29, 4, 0)),
        # ...and the sixth half hour spills into Monday 00:30 local (UTC+2).
        ("Europe/Berlin", (2026, 3, 29), 5.5, utc(2026, 3, 29, 22, 30)),
        # Fall back: the same opening holds seven real hours; 6.5 h end at 05:30 local (UTC+1).
        ("Europe/Berlin", (2026, 10, 25), 6.5, utc(2026, 10, 25, 4, 30)),
        ("America/New_York", (2026, 3, 8), 5, utc(2026, 3, 8, 10, 0)),
        ("America/New_York", (2026, 11, 1), 6.5, utc(2026, 11, 1, 10, 30)),
    ],
)
def test_an_opening_that_spans_the_clock_change_counts_real_elapsed_time(zone, sunday, hours, due):
    start = local(zone, *sunday, 0, 0)
    assert add_business_hours(start, hours, calendar(zone, NIGHTS)) == due


def test_a_whole_open_day_lasts_25_hours_when_the_clocks_go_back():
    cal = calendar("America/New_York", {"week": {"sun": ["00:00", "24:00"]}})
    start = local("America/New_York", 2026, 11, 1, 0, 0)
    assert add_business_hours(start, 25, cal) == local("America/New_York", 2026, 11, 2, 0, 0)
    assert add_business_hours(start, 25.5, cal) == local("America/New_York", 2026, 11, 8, 0, 30)


def test_a_start_in_the_repeated_hour_counts_from_that_instant():
    """01:30 happens twice in New York on 1 November; starting at the second one leaves 22.5 h that day."""
    cal = calendar("America/New_York", {"week": {"sun": ["00:00", "24:00"]}})
    second_half_past_one = utc(2026, 11, 1, 6, 30)  # 01:30 EST, after the fall back
    assert add_business_hours(second_half_past_one, 22.5, cal) == local("America/New_York", 2026, 11, 2, 0, 0)


# --- properties ----------------------------------------------------------------------------------

ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"])
STARTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
HOURS = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda h: round(h, 3))
ALWAYS_OPEN = {"week": {day: ["00:00", "24:00"] for day in DAYS}}


@settings(max_examples=150, deadline=None)
@given(zone=ZONES, start=STARTS, hours=HOURS)
def test_an_always_open_calendar_is_plain_addition(zone, start, hours):
    assert add_business_hours(start, hours, calendar(zone, ALWAYS_OPEN)) == start + timedelta(hours=hours)


@settings(max_examples=150, deadline=None)
@given(zone=ZONES, start=STARTS, hours=st.floats(min_value=0.001, max_value=200, allow_nan=False),
       more=st.floats(min_value=0, max_value=50, allow_nan=False))
def test_the_due_time_is_in_opening_hours_and_grows_with_the_hours(zone, start, hours, more):
    cal = calendar(zone, {**WEEKDAYS_9_TO_5, "holidays": ["2026-12-25", "2027-01-01"]})
    due = add_business_hours(start, hours, cal)
    assert due > start and is_open(cal, due)
    assert add_business_hours(start, hours + more, cal) >= due
    local_due = due.astimezone(cal.zone)
    assert local_due.weekday() < 5 and local_due.date().isoformat() not in ("2026-12-25", "2027-01-01")


@settings(max_examples=100, deadline=None)
@given(zone=ZONES, start=STARTS, first=st.integers(0, 100), second=st.integers(0, 100))
def test_adding_in_two_steps_equals_adding_at_once(zone, start, first, second):
    """Whole minutes keep float rounding out of it; the first step may end at closing time, which is fine."""
    cal = calendar(zone, NIGHTS)
    once = add_business_hours(start, (first + second) / 60, cal)
    assert add_business_hours(add_business_hours(start, first / 60, cal), second / 60, cal) == once


# --- validating ----------------------------------------------------------------------------------

def test_a_calendar_round_trips_through_its_stored_json():
    cal = calendar("America/New_York", {"week": {"mon": ["08:30", "17:00"], "sat": ["10:00", "14:00"]},
                                        "holidays": ["2026-12-25", "2026-11-26"]})
    stored = to_json(cal)
    assert json.loads(stored) == {"week": {"mon": ["08:30", "17:00"], "sat": ["10:00", "14:00"]},
                                  "holidays": ["2026-11-26", "2026-12-25"]}
    assert calendar_from_json("America/New_York", stored) == cal
    assert to_document(cal)["week"].keys() == {"mon", "sat"}
    assert calendar_from_json(None, None) is None


@pytest.mark.parametrize(
    ("zone", "document", "field", "message"),
    [
        ("Mars/Olympus", WEEKDAYS_9_TO_5, "time_zone", "Use an IANA time zone name"),
        ("", WEEKDAYS_9_TO_5, "time_zone", "Choose a time zone"),
        ("../../etc/passwd", WEEKDAYS_9_TO_5, "time_zone", "Use an IANA time zone name"),
        ("Europe/Berlin", {"week": {"mon": ["9am", "5pm"]}}, "mon_open", "Monday: give opening and closing times"),
        ("Europe/Berlin", {"week": {"tue": ["09:00", ""]}}, "tue_open", "Tuesday: give opening and closing times"),
        ("Europe/Berlin", {"week": {"wed": ["25:00", "26:00"]}}, "wed_open", "HH:MM"),
        ("Europe/Berlin", {"week": {"thu": ["17:00", "09:00"]}}, "thu_open", "closing time must be after opening"),
        ("Europe/Berlin", {"week": {"fri": ["09:00", "09:00"]}}, "fri_open", "closing time must be after opening"),
        ("Europe/Berlin", {"week": {"sun": ["24:00", "24:00"]}}, "sun_open", "closing time must be after opening"),
        ("Europe/Berlin", {"week": {}}, "week", "Open on at least one weekday"),
        ("Europe/Berlin", {"week": {"mon": None, "sat": None}}, "week", "Open on at least one weekday"),
        ("Europe/Berlin", {"week": {"monday": ["09:00", "17:00"]}}, "week", "Unknown weekday keys: monday"),
        ("Europe/Berlin", {"week": ["09:00"]}, "week", "not in the expected shape"),
        ("Europe/Berlin", ["mon"], "week", "not in the expected shape"),
        ("Europe/Berlin", {**WEEKDAYS_9_TO_5, "holidays": ["25.12.2026"]}, "holidays", "like 2026-12-25"),
        ("Europe/Berlin", {**WEEKDAYS_9_TO_5, "holidays": ["2026-02-30"]}, "holidays", "like 2026-12-25"),
        ("Europe/Berlin", {**WEEKDAYS_9_TO_5, "holidays": "2026-12-25"}, "holidays", "List up to"),
    ],
)
def test_invalid_calendars_name_the_field_to_fix(zone, document, field, message):
    with pytest.raises(Invalid) as caught:
        parse_calendar(zone, document)
    assert any(message in text for text in caught.value.errors[field])


def test_every_problem_is_reported_at_once():
    with pytest.raises(Invalid) as caught:
        parse_calendar("Nowhere/City", {"week": {"mon": ["x", "y"], "fri": ["18:00", "08:00"]}, "holidays": ["soon"]})
    assert set(caught.value.errors) == {"time_zone", "mon_open", "fri_open", "holidays"}


@pytest.mark.parametrize("stored", ["{not json", "", "x" * 30_000])
def test_malformed_stored_calendars_are_invalid(stored):
    with pytest.raises(Invalid):
        calendar_from_json("Europe/Berlin", stored)
