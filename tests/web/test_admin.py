"""Admin pages: categories, user roles and community settings."""

from __future__ import annotations

import pytest

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


def _settings_form(**overrides: str) -> dict[str, str]:
    values = {key: str(value) for key, value in community_settings.all_settings().items()}
    return {**values, **overrides}


def test_settings_page_has_one_number_field_per_setting_with_its_description(admin):
    page = text(admin.get("/admin/settings"))
    for key, spec in community_settings.REGISTRY.items():
        assert f'name="{key}"' in page and spec.description in page
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
