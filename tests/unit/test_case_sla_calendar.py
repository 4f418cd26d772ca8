"""Case SLA due times in a category's support hours; 24/7 without a calendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forum import cases
from forum.cases.work import raise_priority
from forum.core.errors import Forbidden, Invalid
from forum.core.extensions import db
from forum.models import AuditEntry, Case, Category
from forum.services import categories

WEEKDAYS = {day: ("09:00", "17:00") for day in ("mon", "tue", "wed", "thu", "fri")}


def set_hours(admin, category: Category, time_zone: str, week=None, holidays=()) -> Category:
    data = categories.CategoryInput(
        slug=category.slug, name=category.name, description=category.description, position=category.position,
        support_hours=categories.SupportHoursInput(time_zone=time_zone, week=week or WEEKDAYS, holidays=holidays),
    )
    return categories.update_category(admin, category, data)


@pytest.fixture
def admin(make):
    return make.make_user("admin")


@pytest.fixture
def berlin(make, admin) -> Category:
    return set_hours(admin, make.make_category(), "Europe/Berlin")


def escalate(make, category: Category, priority: str = "normal") -> Case:
    thread = make.make_thread(category=category)
    return cases.escalate_thread(thread.author, thread, "Still broken", priority=cases.CasePriority(priority))[0]


def test_the_clock_is_friday_10_00_in_berlin(clock_at):
    assert clock_at.now == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the times below build on this


@pytest.mark.parametrize(
    ("priority", "due"),
    [
        ("urgent", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),  # Friday 11:00 Berlin
        ("normal", datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),   # 7 h on Friday, 1 h on Monday → Monday 10:00
        ("low", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),      # 7 + 8 + 8 + 1 → Wednesday 10:00
    ],
)
def test_a_case_in_a_category_with_support_hours_is_due_in_those_hours(make, berlin, clock_at, priority, due):
    assert escalate(make, berlin, priority).first_response_due_at == due


def test_without_a_calendar_the_clock_runs_24_7(make, clock_at):
    case = escalate(make, make.make_category())
    assert case.first_response_due_at == clock_at.now + timedelta(hours=8)


def test_holidays_and_other_zones_count(make, admin, clock_at):
    new_york = set_hours(admin, make.make_category(), "America/New_York", holidays=("2026-11-26",))
    clock_at.set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))  # Wednesday 16:00 in New York; Thanksgiving next
    case = escalate(make, new_york, "high")
    assert case.first_response_due_at == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Friday 12:00 New York


def test_a_priority_change_recomputes_the_due_time_in_support_hours(make, berlin, clock_at):
    case = escalate(make, berlin, "normal")
    clock_at.advance(hours=2)
    cases.change_case(make.make_user("agent"), case, cases.CaseChange(priority="urgent"))
    # Counted from when the case was opened (Friday 10:00 Berlin), not from the change.
    assert case.first_response_due_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    cases.change_case(make.make_user("agent"), case, cases.CaseChange(priority="low"))
    assert case.first_response_due_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_removing_the_calendar_goes_back_to_24_7(make, admin, berlin, clock_at):
    categories.update_category(admin, berlin, categories.CategoryInput(
        slug=berlin.slug, name=berlin.name, support_hours=categories.SupportHoursInput(),
    ))
    assert berlin.sla_time_zone is None and berlin.sla_hours_json is None
    assert escalate(make, berlin).first_response_due_at == clock_at.now + timedelta(hours=8)


def test_a_broken_stored_calendar_falls_back_to_24_7(make, berlin, clock_at):
    berlin.sla_hours_json = "{broken"
    db.session.commit()
    assert escalate(make, berlin).first_response_due_at == clock_at.now + timedelta(hours=8)


def test_updates_without_support_hours_leave_them_alone(admin, berlin):
    stored = berlin.sla_hours_json
    categories.update_category(admin, berlin, categories.CategoryInput(slug=berlin.slug, name="Renamed"))
    assert berlin.sla_hours_json == stored and berlin.sla_time_zone == "Europe/Berlin"


def test_saving_support_hours_stores_canonical_json_and_is_audited(admin, berlin):
    assert json.loads(berlin.sla_hours_json) == {
        "week": {day: ["09:00", "17:00"] for day in WEEKDAYS}, "holidays": [],
    }
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "category.update")).one()
    assert entry.actor_id == admin.id and entry.target_id == berlin.id
    assert "Europe/Berlin" in entry.after_json and "Europe/Berlin" not in entry.before_json


def test_invalid_support_hours_are_refused_with_every_field_error(admin, make):
    category = make.make_category()
    with pytest.raises(Invalid) as caught:
        set_hours(admin, category, "Moon/Base", week={"mon": ("18:00", "09:00")}, holidays=("someday",))
    assert set(caught.value.errors) == {"time_zone", "mon_open", "holidays"}
    db.session.refresh(category)
    assert category.sla_time_zone is None


def test_only_admins_set_support_hours(make):
    category = make.make_category()
    with pytest.raises(Forbidden):
        set_hours(make.make_user("moderator"), category, "Europe/Berlin")


def test_an_automatic_priority_raise_uses_the_calendar_too(make, berlin, clock_at):
    """The sentiment trigger raises priority through the same path; low → normal stays in support hours."""
    case = escalate(make, berlin, "low")
    assert raise_priority(case, None, "Upset follow-up")
    assert case.priority == "normal" and case.first_response_due_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
