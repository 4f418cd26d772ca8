"""GET and PATCH /settings: the community rules, one flat object, admins only."""

from __future__ import annotations

import pytest

from tests.api.support import assert_problem


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("moderator", 403),
                                             ("agent", 403), ("admin", 200)])
def test_only_admins_read_settings(call_as, who, status):
    response = call_as(who).get("/api/v1/settings")
    if status != 200:
        assert_problem(response, status)
        return
    settings = response.get_json()
    assert settings["sla.first_reply_hours"] == 4 and settings["moderation.hide_threshold"] == 3
    assert all(not isinstance(value, dict) for value in settings.values())


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("moderator", 403),
                                             ("admin", 200)])
def test_only_admins_change_settings(call_as, who, status):
    response = call_as(who).patch("/api/v1/settings", json={"sla.first_reply_hours": 2.5})
    if status != 200:
        assert_problem(response, status)
        return
    assert response.get_json()["sla.first_reply_hours"] == 2.5
    assert response.get_json()["sla.solution_hours"] == 48  # the whole object comes back
    assert call_as("admin").get("/api/v1/settings").get_json()["sla.first_reply_hours"] == 2.5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"no.such.setting": 1}, "no.such.setting"),
        ({"sla.first_reply_hours": "four"}, "sla.first_reply_hours"),
        ({"sla.first_reply_hours": True}, "sla.first_reply_hours"),
        ({"sla.first_reply_hours": None}, "sla.first_reply_hours"),
        ({"sla.first_reply_hours": 0}, "sla.first_reply_hours"),
        ({"moderation.hide_threshold": 2.5}, "moderation.hide_threshold"),
        ({"moderation.hide_threshold": 10**30}, "moderation.hide_threshold"),
    ],
)
def test_unknown_keys_and_bad_values_are_a_422_and_change_nothing(call_as, changes, field):
    admin = call_as("admin")
    before = admin.get("/api/v1/settings").get_json()
    problem = assert_problem(admin.patch("/api/v1/settings", json={"sla.solution_hours": 24, **changes}), 422, field)
    assert "sla.solution_hours" not in problem["errors"]
    assert admin.get("/api/v1/settings").get_json() == before
