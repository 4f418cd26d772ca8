"""The moderation, serial-voting, reminder and upload-guard settings through the API: their defaults (the
numbers of domain.md), and a bad value is a 422 naming the field that changes nothing."""

from __future__ import annotations

import pytest

from tests.api.support import assert_problem

DEFAULTS = {
    "moderation.flag_weight.member": 1, "moderation.flag_weight.advocate": 2, "moderation.flag_weight.staff": 3,
    "moderation.new_member_max_links": 2, "moderation.held_link_posts": 2,
    "reputation.serial_vote_limit": 10, "reputation.serial_window_hours": 24,
    "notifications.feedback_request_hours": 24, "notifications.first_reminder_days": 3,
    "notifications.second_reminder_days": 7, "case.suggest_escalation_hours": 24,
    "uploads.max_image_megapixels": 50, "uploads.max_animation_frames": 100,
}


def test_the_defaults_are_domain_mds_numbers(call_as):
    settings = call_as("admin").get("/api/v1/settings").get_json()
    assert {key: settings[key] for key in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(("field", "value", "message"), [
    ("moderation.flag_weight.member", -1, "must be at least 0"),
    ("moderation.flag_weight.advocate", 1.5, "must be a whole number"),
    ("moderation.flag_weight.staff", 101, "must be at most 100"),
    ("moderation.held_link_posts", "2", "must be a number"),
    ("moderation.new_member_max_links", 51, "must be at most 50"),
    ("reputation.serial_vote_limit", 0, "must be at least 1"),
    ("reputation.serial_window_hours", 24 * 31, "must be at most 720"),
    ("notifications.feedback_request_hours", 0, "must be at least 0.05"),
    ("notifications.first_reminder_days", None, "must be a number"),
    ("notifications.second_reminder_days", 366, "must be at most 365"),
    ("case.suggest_escalation_hours", True, "must be a number"),
    ("uploads.max_image_megapixels", 81, "must be at most 80"),
    ("uploads.max_animation_frames", 0, "must be at least 1"),
])
def test_a_bad_value_is_a_422_naming_the_field_and_stores_nothing(call_as, field, value, message):
    admin = call_as("admin")
    before = admin.get("/api/v1/settings").get_json()
    problem = assert_problem(admin.patch("/api/v1/settings", json={field: value}), 422, field)
    assert set(problem["errors"]) == {field}
    assert any(message in text for text in problem["errors"][field]), problem["errors"]
    assert admin.get("/api/v1/settings").get_json() == before
