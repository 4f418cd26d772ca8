"""GET and PATCH /settings: the community rules, one flat object, admins only."""

from __future__ import annotations

import json

import pytest

from forum.core import clock
from forum.models import AuditEntry, CommunitySetting
from forum.services import community_settings
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


UPLOAD_DEFAULTS = {"uploads.enabled": True, "uploads.max_image_mb": 10, "uploads.max_file_mb": 25,
                   "uploads.daily_limit": 100, "uploads.allowed_file_types": ["pdf", "txt", "log"],
                   "uploads.hold_new_member_posts": 2}


@pytest.fixture
def greeting(monkeypatch):
    """A string setting and a free-form list setting, registered the way a feature adds its keys."""
    monkeypatch.setitem(community_settings.REGISTRY, "test.greeting", community_settings.StringSetting(
        "test.greeting", "hello", "Greeting shown to new members.", choices=("hello", "welcome", "hi there"),
        max_length=8))
    monkeypatch.setitem(community_settings.REGISTRY, "test.code", community_settings.StringSetting(
        "test.code", "ab", "Short code.", max_length=4, pattern="[a-z]+", pattern_hint="lowercase letters only"))
    monkeypatch.setitem(community_settings.REGISTRY, "test.words", community_settings.ListSetting(
        "test.words", (), "Words to watch.", max_items=3, item_pattern="[a-z]+", item_hint="letters a to z",
        lowercase=True))


def test_typed_upload_settings_are_read_with_their_defaults_as_json_types(call_as):
    settings = call_as("admin").get("/api/v1/settings").get_json()
    assert {key: settings[key] for key in UPLOAD_DEFAULTS} == UPLOAD_DEFAULTS
    assert settings["uploads.enabled"] is True and settings["uploads.daily_limit"] == 100


def test_typed_settings_round_trip_normalised_and_audited(call_as, db):
    admin = call_as("admin")
    changes = {"uploads.enabled": False, "uploads.allowed_file_types": [" PDF", ".csv", "pdf", "zip "],
               "uploads.max_image_mb": 2.5, "uploads.daily_limit": 20, "uploads.hold_new_member_posts": 0}
    answer = admin.patch("/api/v1/settings", json=changes)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    expected = {**changes, "uploads.allowed_file_types": ["pdf", "csv", "zip"]}
    assert {key: answer.get_json()[key] for key in changes} == expected
    assert {key: admin.get("/api/v1/settings").get_json()[key] for key in changes} == expected
    assert community_settings.get_setting("uploads.enabled") is False
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "settings.update")).one()
    assert json.loads(entry.before_json)["uploads.allowed_file_types"] == ["pdf", "txt", "log"]
    assert json.loads(entry.after_json) == expected
    admin.patch("/api/v1/settings", json=expected)  # the same values again: stored, but no second entry
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"uploads.enabled": "false"}, "uploads.enabled", "must be true or false"),
        ({"uploads.enabled": 0}, "uploads.enabled", "must be true or false"),
        ({"uploads.enabled": 1}, "uploads.enabled", "must be true or false"),
        ({"uploads.enabled": None}, "uploads.enabled", "must be true or false"),
        ({"uploads.allowed_file_types": "pdf"}, "uploads.allowed_file_types", "must be a list of text values"),
        ({"uploads.allowed_file_types": ["pdf", 7]}, "uploads.allowed_file_types", "7 is not text"),
        ({"uploads.allowed_file_types": ["pdf", "svg"]}, "uploads.allowed_file_types", 'cannot include "svg"'),
        ({"uploads.allowed_file_types": ["HTML"]}, "uploads.allowed_file_types", 'cannot include "html"'),
        ({"uploads.allowed_file_types": ["exe"]}, "uploads.allowed_file_types", 'cannot include "exe"'),
        ({"uploads.allowed_file_types": ["js"]}, "uploads.allowed_file_types", 'cannot include "js"'),
        ({"uploads.max_image_mb": 0}, "uploads.max_image_mb", "must be at least 0.1"),
        ({"uploads.max_file_mb": 501}, "uploads.max_file_mb", "must be at most 500"),
        ({"uploads.max_file_mb": True}, "uploads.max_file_mb", "must be a number"),
        ({"uploads.daily_limit": 1.5}, "uploads.daily_limit", "must be a whole number"),
        ({"uploads.hold_new_member_posts": 21}, "uploads.hold_new_member_posts", "must be at most 20"),
        ({"uploads.hold_new_member_posts": "2"}, "uploads.hold_new_member_posts", "must be a number"),
    ],
)
def test_typed_values_of_the_wrong_kind_are_a_422_naming_the_key_and_store_nothing(call_as, changes, field, message):
    admin = call_as("admin")
    before = admin.get("/api/v1/settings").get_json()
    body = {"uploads.enabled": False, "uploads.allowed_file_types": ["csv"], "sla.solution_hours": 24, **changes}
    problem = assert_problem(admin.patch("/api/v1/settings", json=body), 422, field)
    assert any(message in m for m in problem["errors"][field]), problem["errors"]
    assert set(problem["errors"]) == {field}
    assert admin.get("/api/v1/settings").get_json() == before


def test_every_bad_value_in_one_patch_is_named_at_once(call_as):
    problem = assert_problem(call_as("admin").patch("/api/v1/settings", json={
        "uploads.enabled": "yes", "uploads.allowed_file_types": ["svg"], "uploads.sparkles": True}), 422)
    assert set(problem["errors"]) == {"uploads.enabled", "uploads.allowed_file_types", "uploads.sparkles"}
    assert problem["errors"]["uploads.sparkles"] == ["Unknown setting."]


def test_string_and_list_settings_validate_through_the_api(call_as, greeting):
    admin = call_as("admin")
    assert admin.get("/api/v1/settings").get_json()["test.words"] == []
    answer = admin.patch("/api/v1/settings", json={"test.greeting": " welcome ", "test.code": "xyz",
                                                    "test.words": ["Refund", "refund", "  ", "delay"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert {k: answer.get_json()[k] for k in ("test.greeting", "test.code", "test.words")} == {
        "test.greeting": "welcome", "test.code": "xyz", "test.words": ["refund", "delay"]}
    for changes, field, message in [
        ({"test.greeting": 5}, "test.greeting", "must be text"),
        ({"test.greeting": "howdy"}, "test.greeting", "must be one of: hello, welcome, hi there"),
        ({"test.code": "abcde"}, "test.code", "must be at most 4 characters long"),
        ({"test.code": "a1"}, "test.code", "must be lowercase letters only"),
        ({"test.words": ["a", "b", "c", "d"]}, "test.words", "may hold at most 3 items, not 4"),
        ({"test.words": ["ok", "no way"]}, "test.words", "each item must be letters a to z"),
        ({"test.words": [["nested"]]}, "test.words", "is not text"),
    ]:
        problem = assert_problem(admin.patch("/api/v1/settings", json={"test.words": ["fine"], **changes}), 422, field)
        assert any(message in m for m in problem["errors"][field]), problem["errors"]
    assert admin.get("/api/v1/settings").get_json()["test.words"] == ["refund", "delay"]


def test_a_stored_value_the_rules_now_refuse_reads_as_the_default(call_as, db):
    db.session.add(CommunitySetting(key="uploads.allowed_file_types", value_json='["svg"]',
                                    updated_at=clock.now()))
    db.session.add(CommunitySetting(key="uploads.enabled", value_json="1", updated_at=clock.now()))
    db.session.commit()
    settings = call_as("admin").get("/api/v1/settings").get_json()
    assert settings["uploads.allowed_file_types"] == ["pdf", "txt", "log"] and settings["uploads.enabled"] is True


def test_the_openapi_document_describes_each_setting_with_its_type(call_as):
    schemas = call_as("anonymous").get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    settings, changes = schemas["Settings"]["properties"], schemas["SettingsChanges"]
    assert settings["uploads.enabled"]["type"] == "boolean"
    assert settings["uploads.daily_limit"] == {**settings["uploads.daily_limit"], "type": "integer", "minimum": 0,
                                               "maximum": 10000, "default": 100}
    assert settings["uploads.max_image_mb"]["type"] == "number"
    file_types = settings["uploads.allowed_file_types"]
    assert file_types["type"] == "array" and file_types["default"] == ["pdf", "txt", "log"]
    assert set(file_types["items"]["enum"]) == {"pdf", "txt", "log", "csv", "json", "zip"}
    assert changes["additionalProperties"] is False and "required" not in changes
    assert set(schemas["Settings"]["required"]) == set(community_settings.REGISTRY)
    patch = call_as("anonymous").get("/api/v1/openapi.json").get_json()["paths"]["/settings"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SettingsChanges"}
