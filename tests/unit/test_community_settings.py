"""Community settings: typed, validated, all-or-nothing, applied without a restart."""

from __future__ import annotations

import pytest

from forum.core.errors import Forbidden, Invalid
from forum.services import community_settings as settings


def test_defaults_match_the_domain_rules(db):
    values = settings.all_settings()
    assert values["sla.first_reply_hours"] == 4
    assert values["sla.solution_hours"] == 48
    assert values["reputation.daily_vote_cap"] == 200
    assert values["moderation.hide_threshold"] == 3
    assert values["sentiment.escalate_below"] == -0.6
    assert [values[f"case.first_response_hours.{p}"] for p in ("urgent", "high", "normal", "low")] == [1, 4, 8, 24]


def test_an_admin_change_applies_at_once_and_hours_may_be_fractional(make):
    admin = make.make_user("admin")
    result = settings.update_settings(admin, {"sla.first_reply_hours": 2.5, "moderation.hide_threshold": 5})
    assert result["sla.first_reply_hours"] == 2.5
    assert settings.get_setting("moderation.hide_threshold") == 5


@pytest.mark.parametrize(
    ("changes", "bad_key"),
    [
        ({"no.such.key": 1}, "no.such.key"),
        ({"moderation.hide_threshold": 2.5}, "moderation.hide_threshold"),
        ({"moderation.hide_threshold": "3"}, "moderation.hide_threshold"),
        ({"moderation.hide_threshold": True}, "moderation.hide_threshold"),
        ({"sentiment.escalate_below": -2}, "sentiment.escalate_below"),
        ({"sla.first_reply_hours": 0}, "sla.first_reply_hours"),
        ({"sla.first_reply_hours": float("nan")}, "sla.first_reply_hours"),
        ({"sla.sweep_interval_seconds": 1e400}, "sla.sweep_interval_seconds"),
        ({"sla.first_reply_hours": 10**400}, "sla.first_reply_hours"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(make, changes, bad_key):
    admin = make.make_user("admin")
    with pytest.raises(Invalid) as caught:
        settings.update_settings(admin, {"sla.solution_hours": 12, **changes})
    assert bad_key in caught.value.errors
    assert settings.get_setting("sla.solution_hours") == 48


@pytest.mark.parametrize("role", ["member", "advocate", "moderator", "agent"])
def test_only_admins_change_settings(make, role):
    with pytest.raises(Forbidden):
        settings.update_settings(make.make_user(role), {"sla.solution_hours": 12})


def test_a_change_written_elsewhere_is_read_at_once_and_each_reader_gets_its_own_lists(make, db):
    """Parsed values are kept per stored text (issue 21), yet a row another process wrote is what the next
    read returns, and a caller that edits a list it was given changes nobody else's."""
    from forum.core import clock
    from forum.models import CommunitySetting

    first = settings.all_settings()
    first["uploads.allowed_file_types"].append("exe")
    assert "exe" not in settings.all_settings()["uploads.allowed_file_types"]

    # as another process would: a row written without this process's update_settings
    db.session.add(CommunitySetting(key="moderation.hide_threshold", value_json="7", updated_at=clock.now()))
    db.session.commit()
    assert settings.all_settings()["moderation.hide_threshold"] == 7
    settings.forget_cached()
    assert settings.cached_setting("moderation.hide_threshold") == 7
    db.session.query(CommunitySetting).filter_by(key="moderation.hide_threshold").delete()
    db.session.commit()
    assert settings.all_settings()["moderation.hide_threshold"] == 3
