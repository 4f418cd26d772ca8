"""The category edit page's support hours: admins set a business-hours calendar for case SLA clocks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AuditEntry
from tests.web.helpers import FORBIDDEN, SIGN_IN, expect, text

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def edit_form(category, **changes) -> dict[str, str]:
    form = {"name": category.name, "slug": category.slug, "description": "", "position": "0",
            "time_zone": "", "holidays": ""}
    form.update({f"{day}_{end}": "" for day in DAYS for end in ("open", "close")})
    form.update(changes)
    return form


def weekdays(opens: str = "09:00", closes: str = "17:00") -> dict[str, str]:
    return {key: value for day in DAYS[:5] for key, value in ((f"{day}_open", opens), (f"{day}_close", closes))}


@pytest.fixture
def admin(act_as):
    return act_as("admin")


def test_admin_sets_support_hours_and_sees_them_again(admin, community):
    category = community.category
    url = f"/admin/categories/{category.id}/edit"
    form = edit_form(category, time_zone="Europe/Berlin", holidays="2026-12-25\n2026-12-26",
                     sat_open="10:00", sat_close="14:00", **weekdays())
    response = admin.post(url, data=form)
    assert response.status_code == 302
    db.session.refresh(category)
    assert category.sla_time_zone == "Europe/Berlin"
    stored = json.loads(category.sla_hours_json)
    assert stored["week"]["mon"] == ["09:00", "17:00"] and stored["week"]["sat"] == ["10:00", "14:00"]
    assert "sun" not in stored["week"] and stored["holidays"] == ["2026-12-25", "2026-12-26"]
    page = text(admin.get(url))
    assert 'value="Europe/Berlin"' in page and 'name="sat_open"' in page and 'value="10:00"' in page
    assert "2026-12-25\n2026-12-26" in page and "Support hours" in page
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "category.update")).one()
    assert "Europe/Berlin" in entry.after_json


def test_clearing_every_support_hours_field_removes_the_calendar(admin, community):
    category = community.category
    url = f"/admin/categories/{category.id}/edit"
    admin.post(url, data=edit_form(category, time_zone="UTC", **weekdays()))
    assert admin.post(url, data=edit_form(category)).status_code == 302
    db.session.refresh(category)
    assert category.sla_time_zone is None and category.sla_hours_json is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Olympus", **weekdays()}, "Use an IANA time zone name"),
        (weekdays(), "Choose a time zone"),
        ({"time_zone": "Europe/Berlin", **weekdays("17:00", "09:00")}, "Monday: closing time must be after opening"),
        ({"time_zone": "Europe/Berlin", "tue_open": "9am", "tue_close": "5pm"},
         "Tuesday: give opening and closing times as HH:MM"),
        ({"time_zone": "Europe/Berlin", "wed_open": "09:00"}, "Wednesday: give opening and closing times"),
        ({"time_zone": "Europe/Berlin"}, "Open on at least one weekday"),
        ({"time_zone": "Europe/Berlin", "holidays": "Christmas", **weekdays()}, "like 2026-12-25"),
        ({"time_zone": "Europe/Berlin", "mon_open": "09:00:00", "mon_close": "17:00"}, "longer than 5 characters"),
    ],
)
def test_bad_support_hours_show_form_errors_and_change_nothing(admin, community, changes, message):
    category = community.category
    response = admin.post(f"/admin/categories/{category.id}/edit", data=edit_form(category, **changes))
    assert response.status_code == 422
    assert message in text(response)
    assert 'role="alert"' in text(response)
    db.session.refresh(category)
    assert category.sla_time_zone is None and category.sla_hours_json is None


def test_a_bad_field_keeps_what_was_typed(admin, community):
    category = community.category
    form = edit_form(category, time_zone="Europe/Berlin", **(weekdays() | {"thu_open": "18:00", "thu_close": "08:00"}))
    page = text(admin.post(f"/admin/categories/{category.id}/edit", data=form))
    assert 'value="18:00"' in page and 'aria-invalid="true"' in page


@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN),
                                                 ("advocate", FORBIDDEN), ("moderator", FORBIDDEN)])
def test_only_admins_reach_the_support_hours(act_as, community, caller, outcome):
    client = act_as(caller)
    category = community.category
    url = f"/admin/categories/{category.id}/edit"
    expect(client.get(url), outcome)
    expect(client.post(url, data=edit_form(category, time_zone="Europe/Berlin", **weekdays())), outcome)
    db.session.refresh(category)
    assert category.sla_time_zone is None


def test_a_post_without_support_hours_fields_leaves_the_calendar_alone(admin, community):
    """Older clients (and the plain rename form) post no hours fields: that is not a request to clear them."""
    category = community.category
    url = f"/admin/categories/{category.id}/edit"
    admin.post(url, data=edit_form(category, time_zone="Europe/Berlin", **weekdays()))
    rename = {"name": "Billing & payments", "slug": category.slug, "description": "", "position": "0"}
    assert admin.post(url, data=rename).status_code == 302
    db.session.refresh(category)
    assert category.name == "Billing & payments" and category.sla_time_zone == "Europe/Berlin"


def test_the_time_zone_field_suggests_iana_names(admin, community):
    page = text(admin.get(f"/admin/categories/{community.category.id}/edit"))
    assert 'list="time-zones"' in page and '<option value="America/New_York">' in page
