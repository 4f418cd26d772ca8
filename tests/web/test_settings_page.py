"""The admin settings page reads as a page: settings grouped by what they govern, each with a label, help,
its unit beside the input, its key for reference, and a mark when it differs from its default."""

from __future__ import annotations

import html
import re

import pytest

from forum.services import community_settings
from forum.web import settings_display
from tests.web.helpers import text

NUMBERS = ("integer", "number")


@pytest.fixture
def admin(act_as, community):
    return act_as("admin")


def _form(**overrides: str | None) -> dict[str, str]:
    """Every setting as the page's form sends it back (an unticked box sends nothing)."""
    def typed(value) -> str | None:
        if isinstance(value, bool):
            return "y" if value else None
        return "\n".join(value) if isinstance(value, list) else str(value)
    values = {key: typed(value) for key, value in community_settings.all_settings().items()}
    return {key: value for key, value in {**values, **overrides}.items() if value is not None}


def _setting(page: str, key: str) -> str:
    """The markup of one setting's block on the page (it ends with the setting's key and default)."""
    key_at = page.index(f'<code class="setting-key">{key}</code>')
    return html.unescape(page[page.rindex('<div class="field setting', 0, key_at):page.index("</p>", key_at)])


def test_every_registered_setting_has_a_label_help_a_group_and_a_unit_if_it_is_a_number(app):
    """A feature adding a key must say what it is called and where it goes (a new prefix: settings_display.GROUPS).

    Read once the app is built (the app fixture): domain packages register their settings as they start.
    """
    for key, spec in community_settings.REGISTRY.items():
        assert spec.label and spec.label[0].isupper(), f"{key}: give it a label=..."
        assert spec.description.strip(), f"{key}: describe it"
        assert settings_display.group_of(key) is not None, f"{key}: add its prefix to forum.web.settings_display.GROUPS"
        if spec.shape in NUMBERS:
            assert spec.unit, f"{key}: say what the number counts with unit=..."


def test_a_later_key_joins_its_prefixs_group_and_an_unknown_prefix_has_none():
    assert settings_display.group_of("sentiment.notify_below").title == "Sentiment"
    assert settings_display.group_of("accounts.signup_captcha").title == "Moderation and spam"  # longest prefix
    assert settings_display.group_of("accounts.session_days").title == "Accounts and sign-in"
    assert settings_display.group_of("weather.forecast") is None


def test_settings_are_grouped_under_headings_with_an_index(admin):
    page = text(admin.get("/admin/settings"))
    groups = settings_display.grouped(community_settings.all_settings())
    assert [group.title for group in groups][:4] == ["Reputation", "Ranks and privileges", "Bounties",
                                                      "Moderation and spam"]
    for group in groups:
        assert f'<a href="#settings-{group.slug}">{group.title}</a>' in page
        assert f'<fieldset class="settings-group" id="settings-{group.slug}">\n' in page
        assert f"<legend><h2>{group.title}</h2></legend>" in page
    sla = page.split('id="settings-cases"', 1)[1].split("</fieldset>", 1)[0]
    assert 'name="sla.first_reply_hours"' in sla and 'name="case.first_response_hours.urgent"' in sla
    assert 'name="sentiment.escalate_below"' not in sla


def test_each_setting_shows_its_label_help_unit_and_key_beside_the_input(admin):
    page = text(admin.get("/admin/settings"))
    hours = _setting(page, "sla.first_reply_hours")
    assert '<label for="sla.first_reply_hours">First reply target</label>' in hours
    assert "Hours a question may wait for any reply before escalation." in hours
    assert '<span class="setting-unit" id="sla.first_reply_hours-unit">hours</span>' in hours
    assert 'aria-describedby="sla.first_reply_hours-hint sla.first_reply_hours-unit"' in hours
    assert 'max="2160" min="0.05" name="sla.first_reply_hours" required step="any" type="number" value="4"' in hours
    assert '<code class="setting-key">sla.first_reply_hours</code>' in hours
    cap = _setting(page, "reputation.daily_vote_cap")
    assert 'min="0" name="reputation.daily_vote_cap" required step="1" type="number"' in cap
    assert "points per day</span>" in cap
    sentiment = _setting(page, "sentiment.escalate_below")
    assert "Escalate follow-ups this negative" in sentiment and "−1 (very upset)" in sentiment


def test_booleans_are_checkboxes_and_lists_one_item_per_line(admin):
    page = text(admin.get("/admin/settings"))
    uploads = _setting(page, "uploads.enabled")
    assert 'type="checkbox" value="y"> <label for="uploads.enabled">Allow uploads</label>' in uploads
    types = _setting(page, "uploads.allowed_file_types")
    assert re.search(r'<textarea [^>]*name="uploads.allowed_file_types" rows="4">\s*pdf\ntxt\nlog</textarea>', types)


def test_a_changed_setting_is_marked_with_its_default(admin):
    untouched = _setting(text(admin.get("/admin/settings")), "uploads.max_file_mb")
    assert "Changed" not in untouched and "setting-is-changed" not in untouched
    assert admin.post("/admin/settings", data=_form(**{"uploads.max_file_mb": "12.5"})).status_code == 302
    page = text(admin.get("/admin/settings"))
    changed = _setting(page, "uploads.max_file_mb")
    assert "setting-is-changed" in changed and 'value="12.5"' in changed
    assert "Changed; the default is 25 MB." in re.sub(r"<[^>]+>", "", changed)
    assert "uploads.max_file_mb-default" in changed.split("aria-describedby=", 1)[1].split(">", 1)[0]
    assert re.search(r'#settings-uploads">Uploads</a>\s*<span class="settings-count">\(8<span class="visually-hidden">'
                     r" settings</span>, 1 changed\)", page)


def test_a_list_typed_one_per_line_is_saved_and_shown_back_the_same_way(admin):
    form = _form(**{"accounts.blocked_email_domains": "spam.example\n@junk.example\n"})
    assert admin.post("/admin/settings", data=form).status_code == 302
    assert community_settings.get_setting("accounts.blocked_email_domains") == ["spam.example", "junk.example"]
    assert "spam.example\njunk.example</textarea>" in text(admin.get("/admin/settings"))


def test_bad_values_are_shown_beside_their_fields_and_listed_at_the_top(admin):
    response = admin.post("/admin/settings", data=_form(**{"moderation.hide_threshold": "0",
                                                           "uploads.max_image_mb": "lots"}))
    assert response.status_code == 422
    page = text(response)
    summary = page.split('class="errors-alert settings-error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Nothing was saved." in summary and "2 settings need another value" in summary
    assert '<a href="#moderation.hide_threshold">Flag score that hides a post</a>' in summary
    threshold = _setting(page, "moderation.hide_threshold")
    assert 'id="moderation.hide_threshold-errors"' in threshold and "must be at least 1" in threshold
    assert 'aria-invalid="true"' in threshold
    assert "must be at least 1" not in _setting(page, "uploads.max_image_mb")
    assert community_settings.get_setting("moderation.hide_threshold") == 3


def test_a_key_no_group_claims_is_still_shown_under_other_settings(admin, monkeypatch):
    monkeypatch.setitem(community_settings.REGISTRY, "weather.forecast_days", community_settings.SettingSpec(
        "weather.forecast_days", int, 3, "Days of forecast shown.", 1, 10))
    page = text(admin.get("/admin/settings"))
    assert '<a href="#settings-other">Other settings</a>' in page
    other = _setting(page, "weather.forecast_days")
    assert '<label for="weather.forecast_days">Forecast days</label>' in other


def test_recognition_settings_have_their_groups_and_the_page_says_points_apply_to_new_reputation_only(admin):
    page = text(admin.get("/admin/settings"))
    for slug, keys in (("reputation", ("reputation.points.reply_voted", "reputation.rescue_after_hours")),
                       ("ranks", ("ranks.champion.threshold", "privileges.links.threshold")),
                       ("bounties", ("bounty.points", "bounty.offer_at_pct"))):
        group = page.split(f'id="settings-{slug}"', 1)[1].split("</fieldset>", 1)[0]
        assert all(f'name="{key}"' in group for key in keys), slug
    reputation = page.split('id="settings-reputation"', 1)[1].split("</fieldset>", 1)[0]
    assert "Changing points applies to reputation earned from now on" in reputation


def test_a_rank_out_of_order_is_refused_beside_its_field(admin):
    answer = admin.post("/admin/settings", data=_form(**{"ranks.helper.threshold": "20"}))
    assert answer.status_code == 422
    helper = _setting(text(answer), "ranks.helper.threshold")
    assert "It must be more than the Contributor rank's 50" in helper
    assert community_settings.get_setting("ranks.helper.threshold") == 200
