"""Admin pages: categories, user roles and community settings."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from forum.models import AuditEntry
from forum.services import community_settings
from tests.web.helpers import text


@pytest.fixture
def admin(act_as, community):
    return act_as("admin")


def test_admin_overview_links_every_section_with_counts(admin):
    page = text(admin.get("/admin"))
    assert "5 accounts" in page and "1 category" in page
    for path in ("/admin/categories", "/admin/users", "/admin/settings"):
        assert f'href="{path}"' in page


def test_admin_creates_a_category_that_appears_on_the_front_page(admin):
    form = {"name": "Mobile data", "slug": "mobile-data", "description": "Roaming, bundles, speed.", "position": "2"}
    response = admin.post("/admin/categories", data=form)
    assert response.status_code == 302
    assert "Mobile data" in text(admin.get("/admin/categories"))
    assert "Roaming, bundles, speed." in text(admin.get("/"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "billing"}, "That slug is already used."),
        ({"slug": "Not A Slug"}, "Use lowercase letters, digits and single dashes"),
        ({"name": ""}, "This field is required."),
        ({"position": "first"}, "Not a valid integer value."),
        ({"position": "99999"}, "Use a whole number from -10000 to 10000."),
    ],
)
def test_bad_category_input_shows_what_to_fix(admin, change, message):
    form = {"name": "New one", "slug": "new-one", "description": "", "position": "0", **change}
    response = admin.post("/admin/categories", data=form)
    assert response.status_code == 422 and message in text(response)
    assert "new-one" not in text(admin.get("/admin/categories")).split("New category")[0]


def test_admin_renames_a_category(admin, community, db):
    form = {"name": "Billing & payments", "slug": "billing-payments", "description": "Money matters.", "position": "1"}
    response = admin.post(f"/admin/categories/{community.category.id}/edit", data=form)
    assert response.status_code == 302
    assert "Billing &amp; payments" in text(admin.get("/c/billing-payments"))


def test_renaming_a_category_to_a_taken_slug_is_refused(admin, community, make):
    make.make_category(slug="accounts")
    form = {"name": "Billing", "slug": "accounts", "description": "", "position": "0"}
    response = admin.post(f"/admin/categories/{community.category.id}/edit", data=form)
    assert response.status_code == 422 and "That slug is already used." in text(response)


def test_unknown_category_edit_is_a_404(admin):
    assert admin.get("/admin/categories/99999/edit").status_code == 404


def test_admin_finds_users_by_username_prefix(admin, make):
    make.make_user(username="zed_one")
    page = text(admin.get("/admin/users?q=ZED"))
    assert "zed_one" in page and "asker" not in page
    assert "asker" in text(admin.get("/admin/users"))


def test_user_search_treats_wildcards_literally(admin):
    assert "asker" not in text(admin.get("/admin/users?q=%25"))


def test_admin_promotes_a_member_to_moderator(admin, community, db):
    response = admin.post(f"/admin/users/{community.other.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    db.session.expire_all()
    assert community.other.role == "moderator"
    assert "helper is now moderator." in text(admin.get("/admin/users"))


def test_admin_cannot_remove_their_own_admin_role(admin, community, db):
    response = admin.post(f"/admin/users/{community.admin.id}/role", data={"role": "member"})
    assert response.status_code == 422
    assert "You cannot remove your own admin role." in text(response)
    db.session.expire_all()
    assert community.admin.role == "admin"


def test_an_unknown_role_is_refused(admin, community):
    response = admin.post(f"/admin/users/{community.other.id}/role", data={"role": "emperor"})
    assert response.status_code == 422 and "Not a valid choice." in text(response)


def _typed(value) -> str | None:
    """A setting as the page's form sends it: a ticked checkbox sends "y", an unticked one nothing."""
    if isinstance(value, bool):
        return "y" if value else None
    return ", ".join(value) if isinstance(value, list) else str(value)


def _settings_form(**overrides: str | None) -> dict[str, str]:
    values = {key: _typed(value) for key, value in community_settings.all_settings().items()}
    return {key: value for key, value in {**values, **overrides}.items() if value is not None}


def test_settings_page_has_one_number_field_per_setting_with_its_description(admin):
    page = text(admin.get("/admin/settings"))
    for key, spec in community_settings.REGISTRY.items():
        assert f'name="{key}"' in page and str(escape(spec.description)) in page  # as the page writes it
    assert 'type="number"' in page and 'value="-0.6"' in page


def test_admin_changes_a_setting_and_it_applies_at_once(admin, db):
    response = admin.post("/admin/settings", data=_settings_form(**{"sla.first_reply_hours": "2.5"}))
    assert response.status_code == 302
    assert community_settings.get_setting("sla.first_reply_hours") == 2.5
    assert 'value="2.5"' in text(admin.get("/admin/settings"))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("moderation.hide_threshold", "2.5", "must be a whole number"),
        ("moderation.hide_threshold", "0", "must be at least 1"),
        ("sla.first_reply_hours", "lots", "must be a number"),
        ("sla.first_reply_hours", "nan", "must be a number"),
        ("sla.first_reply_hours", "1e999", "must be a number"),
        ("sentiment.escalate_below", "-2", "must be at least -1"),
        ("sla.solution_hours", "", "This field is required."),
    ],
)
def test_bad_setting_values_are_refused_beside_the_field_and_nothing_is_saved(admin, key, value, message):
    form = _settings_form(**{key: value, "reputation.daily_vote_cap": "150"})
    response = admin.post("/admin/settings", data=form)
    assert response.status_code == 422
    page = text(response)
    assert message in page and f'id="{key}-errors"' in page
    assert community_settings.get_setting("reputation.daily_vote_cap") == 200


def test_settings_page_shows_a_checkbox_for_booleans_and_a_text_box_for_lists(admin):
    page = text(admin.get("/admin/settings"))
    assert 'checked id="uploads.enabled" name="uploads.enabled" type="checkbox" value="y"' in page
    assert 'id="uploads.allowed_file_types" name="uploads.allowed_file_types" rows="4">' in page
    assert "pdf\ntxt\nlog</textarea>" in page and "Separate them with commas or new lines." in page
    assert 'name="uploads.max_image_mb" required step="any" type="number" value="10"' in page


def test_admin_switches_uploads_off_and_edits_the_allowed_types(admin, db):
    form = _settings_form(**{"uploads.enabled": None, "uploads.allowed_file_types": "PDF, .csv\nzip, pdf",
                             "uploads.max_file_mb": "12.5"})
    response = admin.post("/admin/settings", data=form)
    assert response.status_code == 302
    assert community_settings.get_setting("uploads.enabled") is False
    assert community_settings.get_setting("uploads.allowed_file_types") == ["pdf", "csv", "zip"]
    assert community_settings.get_setting("uploads.max_file_mb") == 12.5
    page = text(admin.get("/admin/settings"))
    assert 'checked id="uploads.enabled"' not in page and "pdf\ncsv\nzip</textarea>" in page
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "settings.update")).one()
    assert json.loads(entry.before_json) == {
        "uploads.enabled": True, "uploads.allowed_file_types": ["pdf", "txt", "log"], "uploads.max_file_mb": 25}
    assert json.loads(entry.after_json)["uploads.enabled"] is False
    assert admin.post("/admin/settings", data=_settings_form(**{"uploads.enabled": "y"})).status_code == 302
    assert community_settings.get_setting("uploads.enabled") is True


def test_an_empty_allowed_types_list_means_images_only(admin):
    form = _settings_form(**{"uploads.allowed_file_types": " , "})
    assert admin.post("/admin/settings", data=form).status_code == 302
    assert community_settings.get_setting("uploads.allowed_file_types") == []


def test_saving_the_settings_unchanged_says_nothing_changed(admin, db):
    response = admin.post("/admin/settings", data=_settings_form(), follow_redirects=True)
    assert "Nothing changed: every setting already had that value." in text(response)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("uploads.allowed_file_types", "pdf, svg",
         "cannot include &#34;svg&#34;; allowed: pdf, txt, log, csv, json, zip"),
        ("uploads.allowed_file_types", "html", "cannot include &#34;html&#34;"),
        ("uploads.allowed_file_types", "pdf\nexe", "cannot include &#34;exe&#34;"),
        ("uploads.max_image_mb", "0.05", "must be at least 0.1"),
        ("uploads.daily_limit", "ten", "must be a number"),
        ("uploads.hold_new_member_posts", "1.5", "must be a whole number"),
    ],
)
def test_bad_upload_settings_are_refused_beside_the_field_and_nothing_is_saved(admin, key, value, message):
    form = _settings_form(**{key: value, "uploads.enabled": None, "reputation.daily_vote_cap": "150"})
    response = admin.post("/admin/settings", data=form)
    assert response.status_code == 422
    page = text(response)
    assert message in page and f'id="{key}-errors"' in page
    assert community_settings.get_setting("uploads.enabled") is True
    assert community_settings.get_setting("reputation.daily_vote_cap") == 200


@pytest.fixture
def greeting(monkeypatch):
    """A string setting with choices, registered the way a feature adds its keys."""
    monkeypatch.setitem(community_settings.REGISTRY, "test.greeting", community_settings.StringSetting(
        "test.greeting", "hello", "Greeting shown to new members.", choices=("hello", "welcome"), max_length=8))


def test_a_string_setting_is_a_text_input_checked_by_the_service(admin, greeting):
    page = text(admin.get("/admin/settings"))
    assert 'maxlength="8" name="test.greeting" type="text" value="hello"' in page
    response = admin.post("/admin/settings", data=_settings_form(**{"test.greeting": "howdy"}))
    assert response.status_code == 422
    assert "must be one of: hello, welcome" in text(response) and 'id="test.greeting-errors"' in text(response)
    assert admin.post("/admin/settings", data=_settings_form(**{"test.greeting": " welcome"})).status_code == 302
    assert community_settings.get_setting("test.greeting") == "welcome"
