"""Moderation's, serial voting's and the reminders' numbers are settings: a change applies to the very next
flag, post, job run or page, in the same running app, and is audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import AuditEntry, Notification, Visibility
from forum.recognition import upkeep
from forum.services import community_settings, policies, posting, qa, sweeps
from moderation.services import flags
from moderation.services.flags import NewFlag
from tests.web.helpers import text

LINK = "Try the guide at https://help.example.com/router for this."


def change(make, values: dict) -> None:
    """An admin changes settings while the app runs (the API and the page call the same service)."""
    community_settings.update_settings(make.make_user("admin"), values)


def test_a_heavier_member_flag_hides_a_post_with_fewer_flags_and_the_change_is_audited(make):
    first, second = make.make_reply(make.make_thread()), make.make_reply(make.make_thread())
    flags.flag_post(make.make_user(), first, NewFlag("spam"))
    assert first.visibility == Visibility.PUBLIC.value  # 1 of 3 points
    change(make, {"moderation.flag_weight.member": 3})
    flag = flags.flag_post(make.make_user(), second, NewFlag("spam"))
    assert flag.weight == 3 and second.visibility == Visibility.HIDDEN.value
    assert flags.score(first.id) == 1  # a flag keeps the weight it was raised with
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update")).all()
    assert json.loads(entry.before_json) == {"moderation.flag_weight.member": 1}
    assert json.loads(entry.after_json) == {"moderation.flag_weight.member": 3}


def test_a_lighter_staff_flag_no_longer_hides_alone(make):
    reply = make.make_reply(make.make_thread())
    change(make, {"moderation.flag_weight.staff": 2, "moderation.flag_weight.advocate": 1})
    flags.flag_post(make.make_user("moderator"), reply, NewFlag("off_topic"))
    flags.flag_post(make.make_user("advocate"), reply, NewFlag("off_topic"))
    assert reply.visibility == Visibility.HIDDEN.value and flags.score(reply.id) == 3
    other = make.make_reply(make.make_thread())
    flags.flag_post(make.make_user("moderator"), other, NewFlag("off_topic"))
    assert other.visibility == Visibility.PUBLIC.value


def test_how_many_posts_with_links_are_held_is_a_setting(make):
    member, thread = make.make_user(), make.make_thread()
    for _ in range(2):
        post = posting.reply_to_thread(member, thread, LINK)
        assert post.visibility == Visibility.PENDING.value
        post.visibility = Visibility.PUBLIC.value  # a moderator approves it
    draft = policies.Draft(member, "reply", "Also https://help.example.com/wifi helps.", None)
    assert not policies.review(draft).held
    change(make, {"moderation.held_link_posts": 3})
    result = policies.review(draft)
    assert result.held and "approves the first 3" in result.hold_reasons[0]
    change(make, {"moderation.held_link_posts": 0})
    assert not policies.review(policies.Draft(make.make_user(), "reply", LINK, None)).held


def test_fewer_links_allowed_to_new_members_refuses_a_post_accepted_before(make):
    draft = policies.Draft(make.make_user(), "reply", "See example.com and www.example.org", None)
    assert policies.review(draft).held  # two links: accepted, and held for a moderator
    change(make, {"moderation.new_member_max_links": 1})
    with pytest.raises(Invalid) as refused:
        policies.review(draft)
    assert "New members can post at most 1 link at a time" in refused.value.errors["body"][0]


def test_a_lower_serial_vote_limit_reverses_votes_the_default_allows(make, clock_at):
    author, thread = make.make_user(), make.make_thread()
    posts = [make.make_reply(thread, author=author) for _ in range(6)]
    voter = make.make_user()
    for post in posts:
        qa.vote_helpful(voter, post)
        clock_at.advance(minutes=5)
    assert upkeep.reverse_serial_votes() == 0  # 6 votes: fine under the default of 10 in 24 h
    change(make, {"reputation.serial_vote_limit": 5})
    assert upkeep.reverse_serial_votes() == 1
    db.session.refresh(author)
    assert author.reputation == 0


def test_a_shorter_serial_window_lets_votes_spread_over_it_stand(make, clock_at):
    author, thread = make.make_user(), make.make_thread()
    posts = [make.make_reply(thread, author=author) for _ in range(11)]
    voter = make.make_user()
    for post in posts:
        qa.vote_helpful(voter, post)
        clock_at.advance(hours=1)
    change(make, {"reputation.serial_window_hours": 6})
    assert upkeep.reverse_serial_votes() == 0  # never more than 7 votes within 6 hours
    change(make, {"reputation.serial_window_hours": 24})
    assert upkeep.reverse_serial_votes() == 1


def _kinds_for(user) -> list[str]:
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]


def test_changed_feedback_and_reminder_delays_apply_to_the_next_sweep(make, clock_at):
    thread = make.make_thread()
    make.make_reply(thread)
    clock_at.advance(hours=3)
    assert sweeps.request_due_feedback() == 0 and sweeps.remind_askers() == 0
    change(make, {"notifications.feedback_request_hours": 2, "notifications.first_reminder_days": 0.1,
                    "notifications.second_reminder_days": 1})
    assert sweeps.request_due_feedback() == 1
    assert sweeps.remind_askers() == 1  # 3 h > 0.1 day: the first reminder is due
    assert sweeps.remind_askers() == 0
    clock_at.advance(hours=22)
    assert sweeps.remind_askers() == 1
    assert _kinds_for(thread.author).count("reminder") == 2


def test_the_asker_is_pointed_to_support_after_the_set_hours(make, login_as, client, clock_at):
    asker = make.make_user()
    thread = make.make_thread(author=asker)
    login_as(asker)
    clock_at.advance(hours=3)
    assert "escalation-suggested" not in text(client.get(f"/t/{thread.id}/{thread.slug}"))
    change(make, {"case.suggest_escalation_hours": 2.5})
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "escalation-suggested" in page and "waited more than 2.5 hours without a solution" in page


def test_each_setting_sits_in_its_group_on_the_settings_page(make, login_as, client):
    login_as(make.make_user("admin"))
    page = text(client.get("/admin/settings"))
    expected = {
        "moderation": ("moderation.flag_weight.member", "moderation.flag_weight.advocate",
                       "moderation.flag_weight.staff", "moderation.new_member_max_links", "moderation.held_link_posts"),
        "reputation": ("reputation.serial_vote_limit", "reputation.serial_window_hours"),
        "notifications": ("notifications.feedback_request_hours", "notifications.first_reminder_days",
                          "notifications.second_reminder_days"),
        "cases": ("case.suggest_escalation_hours",),
        "uploads": ("uploads.max_image_megapixels", "uploads.max_animation_frames"),
    }
    for slug, keys in expected.items():
        group = page.split(f'id="settings-{slug}"', 1)[1].split("</fieldset>", 1)[0]
        assert all(f'name="{key}"' in group for key in keys), slug
