"""GET/PATCH /me: the caller's profile, email preferences and unread notification count."""

from __future__ import annotations

import pytest

from tests.api.support import assert_problem


def me(call_as, who="member") -> dict:
    response = call_as(who).get("/api/v1/me")
    assert response.status_code == 200
    return response.get_json()


def test_me_shows_email_preferences_and_profile(call_as, cast):
    shown = me(call_as)
    # Replies and mentions by email at once; the weekly digest only when asked for (issue 20).
    assert shown["email_frequency"] == "immediately" and shown["weekly_digest"] is False
    assert shown["time_zone"] == "UTC" and shown["bio"] == "" and shown["notifications_unread"] == 0
    assert shown["username"] == cast["member"].username


@pytest.mark.parametrize("who", ["member", "advocate", "moderator", "agent", "admin"])
def test_signed_in_users_change_their_own_profile(call_as, cast, who):
    change = {"display_name": "Casey L.", "bio": "Router nerd.", "time_zone": "Europe/Berlin",
              "email_frequency": "daily", "weekly_digest": False}
    response = call_as(who).patch("/api/v1/me", json=change)
    assert response.status_code == 200, response.get_data(as_text=True)
    changed = response.get_json()
    assert {key: changed[key] for key in change} == change
    assert me(call_as, who) == changed
    assert call_as("anonymous").get(f"/api/v1/users/{cast[who].id}").get_json()["display_name"] == "Casey L."


def test_fields_left_out_keep_their_value(call_as):
    call_as("member").patch("/api/v1/me", json={"bio": "Hi.", "time_zone": "Asia/Tokyo", "weekly_digest": True})
    changed = call_as("member").patch("/api/v1/me", json={"email_frequency": "off"}).get_json()
    assert changed["bio"] == "Hi." and changed["time_zone"] == "Asia/Tokyo" and changed["email_frequency"] == "off"
    changed = call_as("member").patch("/api/v1/me", json={"display_name": "Sam"}).get_json()
    assert changed["email_frequency"] == "off" and changed["weekly_digest"] is True and changed["bio"] == "Hi."
    assert call_as("member").patch("/api/v1/me", json={}).get_json()["display_name"] == "Sam"


def test_fields_nobody_sets_here_are_ignored(call_as, cast):
    changed = call_as("member").patch("/api/v1/me", json={"role": "admin", "reputation": 9999,
                                                         "email": "new@example.com"}).get_json()
    assert changed["role"] == "member" and changed["reputation"] == 0 and changed["email"] == cast["member"].email


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"display_name": 5}, "display_name"),
        ({"display_name": "x" * 65}, "display_name"),
        ({"display_name": "\u200b\u2060 \u3164"}, "display_name"),  # nothing a reader can see
        ({"bio": ["a"]}, "bio"),
        ({"bio": "x" * 2001}, "bio"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": 2}, "time_zone"),
        ({"email_frequency": "hourly"}, "email_frequency"),
        ({"email_frequency": True}, "email_frequency"),
        ({"weekly_digest": "yes"}, "weekly_digest"),
        ({"weekly_digest": 1}, "weekly_digest"),
    ],
)
def test_bad_changes_are_a_422_and_change_nothing(call_as, change, field):
    before = me(call_as)
    assert_problem(call_as("member").patch("/api/v1/me", json={"display_name": "Changed", "bio": "New bio.",
                                                               **change}), 422, field)
    assert me(call_as) == before


def test_every_bad_field_is_reported_at_once(call_as):
    problem = assert_problem(call_as("member").patch("/api/v1/me", json={"bio": 1, "email_frequency": "x",
                                                                        "weekly_digest": None}), 422)
    assert set(problem["errors"]) == {"bio", "email_frequency"}


def test_anonymous_has_no_me(call_as):
    assert_problem(call_as("anonymous").patch("/api/v1/me", json={"bio": "Hi"}), 401)
    assert_problem(call_as("anonymous").get("/api/v1/me"), 401)
