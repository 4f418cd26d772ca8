"""Moderation and admin pages: watched words, suspensions (and their banner), anonymising, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.core import clock
from forum.http.urls import thread_path
from forum.models import AuditEntry
from forum.services import audit_writer
from moderation.models import WatchedWord
from moderation.services.suspensions import SuspensionInput, suspend_user
from tests.web.helpers import BACK, FORBIDDEN, OK, SIGN_IN, expect, text

CALLERS = ["anonymous", "author", "advocate", "moderator", "admin"]
ADMIN_ONLY = dict(zip(CALLERS, [SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK], strict=True))
MODERATORS = dict(zip(CALLERS, [SIGN_IN, FORBIDDEN, FORBIDDEN, OK, OK], strict=True))
PAGES = {
    "/admin/watched-words": ADMIN_ONLY,
    "/moderation/audit": MODERATORS,
    "/moderation/users/{other.id}/suspend": MODERATORS,
    "/admin/users/{other.id}/anonymize": ADMIN_ONLY,
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_is_shown_to_the_right_people_only(act_as, community, path, caller):
    expect(act_as(caller).get(path.format(**vars(community))), PAGES[path][caller])


REFUSED_POSTS = [
    ("/admin/watched-words", {"phrase": "spam", "mode": "block"}, "moderator", FORBIDDEN),
    ("/admin/watched-words", {"phrase": "spam", "mode": "block"}, "anonymous", SIGN_IN),
    ("/moderation/users/{other.id}/suspend", {"days": "7", "reason": "x"}, "author", FORBIDDEN),
    ("/moderation/users/{other.id}/suspend", {"days": "7", "reason": "x"}, "advocate", FORBIDDEN),
    ("/moderation/users/{other.id}/suspend", {"days": "7", "reason": "x"}, "anonymous", SIGN_IN),
    ("/moderation/users/{admin.id}/suspend", {"days": "7", "reason": "x"}, "moderator", FORBIDDEN),
    ("/moderation/users/{other.id}/suspension/lift", {}, "author", FORBIDDEN),
    ("/admin/users/{other.id}/anonymize", {"confirm": "helper"}, "moderator", FORBIDDEN),
    ("/admin/users/{other.id}/anonymize", {"confirm": "helper"}, "anonymous", SIGN_IN),
]


@pytest.mark.parametrize(("path", "data", "caller", "outcome"), REFUSED_POSTS)
def test_refused_changes_change_nothing(act_as, community, db, path, data, caller, outcome):
    expect(act_as(caller).post(path.format(**vars(community)), data=data), outcome)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0
    assert community.other.suspended_until is None and community.other.anonymized_at is None


def test_admins_add_and_delete_watched_words(act_as, community, db):
    client = act_as("admin")
    page = client.get("/admin")
    assert "/admin/watched-words" in text(page) and "/moderation/audit" in text(page)
    added = client.post("/admin/watched-words", data={"phrase": "refund policy", "mode": "link",
                                                      "replacement": "https://help.example.com/refunds"})
    expect(added, BACK)
    listing = text(client.get("/admin/watched-words"))
    assert "refund policy" in listing and "https://help.example.com/refunds" in listing
    word = db.session.scalar(db.select(WatchedWord))
    expect(client.post(f"/admin/watched-words/{word.id}/delete"), BACK)
    assert db.session.scalar(db.select(WatchedWord)) is None


def test_a_bad_watched_word_shows_the_error_beside_the_field(act_as, community):
    page = act_as("admin").post("/admin/watched-words", data={"phrase": "refunds", "mode": "link",
                                                               "replacement": "javascript:alert(1)"})
    assert page.status_code == 422 and "Enter the http:// or https:// address" in text(page)


def test_a_blocked_word_refuses_the_question_with_a_clear_message(act_as, community):
    act_as("admin").post("/admin/watched-words", data={"phrase": "scam", "mode": "block"})
    page = act_as("author").post("/ask", data={"category_id": community.category.id, "kind": "question",
                                               "title": "Is this a scam or not?", "body": "Just asking.",
                                               "confirmed": "1"})
    assert page.status_code == 422 and "“scam” is not allowed here" in text(page)


def test_a_censored_word_is_replaced_in_the_published_reply(act_as, community):
    act_as("admin").post("/admin/watched-words", data={"phrase": "darn", "mode": "censor"})
    client = act_as("other")
    expect(client.post(f"/t/{community.thread.id}/reply", data={"body": "That darn button again."}), BACK)
    page = text(client.get(thread_path(community.thread)))
    assert "That ■■■ button again." in page and "That darn button" not in page


def test_a_new_members_first_post_with_a_link_waits_unseen(act_as, community, make, switch_user, db):
    newcomer = make.make_user()
    client = switch_user(newcomer)
    expect(client.post(f"/t/{community.thread.id}/reply",
                       data={"body": "Fixed it with https://help.example.com/router-reset"}), BACK)
    assert "router-reset" not in text(switch_user(community.other).get(thread_path(community.thread)))
    assert "router-reset" in text(switch_user(community.moderator).get(thread_path(community.thread)))


def test_moderators_suspend_from_the_profile_and_lift_again(act_as, community, db):
    client = act_as("moderator")
    profile = text(client.get(f"/u/{community.other.username}"))
    assert f"/moderation/users/{community.other.id}/suspend" in profile
    assert "/anonymize" not in profile  # admins only
    done = client.post(f"/moderation/users/{community.other.id}/suspend", data={"days": "3", "reason": "Spam links",
                                                                                        "confirm": "suspend"})
    expect(done, BACK)
    db.session.refresh(community.other)
    assert community.other.suspended_until is not None
    page = text(client.get(f"/moderation/users/{community.other.id}/suspend"))
    assert "Spam links" in page and "Lift the suspension" in page
    expect(client.post(f"/moderation/users/{community.other.id}/suspension/lift", data={"reason": "Sorted"}), BACK)
    db.session.refresh(community.other)
    assert community.other.suspended_until is None


def test_members_see_no_moderation_links_on_profiles(act_as, community):
    assert "/suspend" not in text(act_as("author").get(f"/u/{community.other.username}"))


def test_a_suspend_form_without_reason_is_refused(act_as, community):
    page = act_as("moderator").post(f"/moderation/users/{community.other.id}/suspend", data={"days": "3"})
    assert page.status_code == 422 and community.other.suspended_until is None


def test_the_suspended_member_sees_why_and_until_when_on_every_page(act_as, community, clock_at):
    until = clock.now() + timedelta(days=2)
    suspend_user(community.moderator, community.other, SuspensionInput(until, "Repeated rude replies"))
    client = act_as("other")
    for path in ("/", thread_path(community.thread), "/settings/profile"):
        page = text(client.get(path))
        assert "Your account is suspended until" in page and "Repeated rude replies" in page
        assert until.strftime("%d %B %Y, %H:%M UTC") in page
    assert "Your account is suspended" not in text(act_as("author").get("/"))
    clock_at.advance(days=2, seconds=1)
    assert "Your account is suspended" not in text(act_as("other").get("/"))


@pytest.mark.parametrize(("path", "data"), [
    ("/t/{thread.id}/reply", {"body": "Let me answer anyway."}),
    ("/ask", {"category_id": "{category.id}", "kind": "question", "title": "Another question here",
              "body": "Details.", "confirmed": "1"}),
    ("/p/{question.id}/helpful", {}),
    ("/t/{thread.id}/me-too", {}),
])
def test_a_suspended_member_is_refused_with_the_reason_in_view(act_as, community, db, path, data):
    suspend_user(community.moderator, community.other,
                 SuspensionInput(clock.now() + timedelta(days=1), "Cooling-off period"))
    fields = {key: value.format(**vars(community)) for key, value in data.items()}
    page = act_as("other").post(path.format(**vars(community)), data=fields)
    assert page.status_code == 403
    assert "Your account is suspended until" in text(page) and "Cooling-off period" in text(page)
    db.session.refresh(community.thread)
    assert community.thread.reply_count == 1 and community.thread.me_too_count == 0


def test_admins_anonymise_only_after_typing_the_username(act_as, community, db):
    client = act_as("admin")
    assert "Anonymise" in text(client.get(f"/u/{community.other.username}"))
    wrong = client.post(f"/admin/users/{community.other.id}/anonymize", data={"confirm": "someone"})
    assert wrong.status_code == 422 and "Type “helper” exactly" in text(wrong)
    assert community.other.anonymized_at is None
    done = client.post(f"/admin/users/{community.other.id}/anonymize", data={"confirm": "helper", "reason": "#42"})
    expect(done, BACK)
    db.session.refresh(community.other)
    assert community.other.anonymized_at is not None
    thread_page = text(client.get(thread_path(community.thread)))
    assert "Former member" in thread_page and "Check the invoices page" in thread_page


def _entry(actor, action: str, target_id: int, when: datetime) -> None:
    clock.freeze(when)
    audit_writer.record(actor, action, "user", target_id, reason=f"{action} {target_id}")
    clock.freeze(None)


def test_moderators_find_the_audit_log_in_the_header(act_as, community):
    assert "/moderation/audit" in text(act_as("moderator").get("/"))
    assert "/moderation/audit" not in text(act_as("advocate").get("/"))


def test_the_audit_log_filters_by_actor_action_target_and_day(act_as, community, db):
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    _entry(community.moderator, "user.suspend", 7, day)
    _entry(community.admin, "user.role_change", 8, day + timedelta(days=1))
    _entry(None, "user.suspend", 9, day + timedelta(days=2))
    db.session.commit()
    client = act_as("moderator")

    def reasons(query: str) -> list[str]:
        page = text(client.get(f"/moderation/audit?{query}"))
        return [r for r in ("user.suspend 7", "user.role_change 8", "user.suspend 9") if r in page]

    assert reasons("") == ["user.suspend 7", "user.role_change 8", "user.suspend 9"]
    assert reasons("action=user.suspend") == ["user.suspend 7", "user.suspend 9"]
    assert reasons("actor=BOSS") == ["user.role_change 8"]
    assert reasons("since=2026-03-02&until=2026-03-02") == ["user.role_change 8"]
    assert reasons("target_type=category") == []
    bad = client.get("/moderation/audit?since=yesterday")
    assert bad.status_code == 422 and "Use a date like" in text(bad)
    assert client.get("/moderation/audit?cursor=%%%").status_code == 422


def test_the_audit_log_pages_with_a_cursor(act_as, community, db):
    for n in range(51):
        audit_writer.record(community.admin, "test.entry", "user", n + 1, reason=f"entry-{n + 1}-end")
    db.session.commit()
    client = act_as("moderator")
    first = text(client.get("/moderation/audit"))
    assert "entry-51-end" in first and "entry-2-end" in first and "entry-1-end" not in first
    next_url = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = text(client.get(next_url))
    assert "entry-1-end" in second and "entry-2-end" not in second


def test_admin_actions_appear_in_the_audit_log(act_as, community, db):
    client = act_as("admin")
    client.post(f"/admin/users/{community.other.id}/role", data={"role": "advocate"})
    client.post("/admin/categories", data={"name": "Returns", "slug": "returns", "position": "1"})
    client.post(f"/admin/categories/{community.category.id}/edit",
                data={"name": "Billing and plans", "slug": "billing", "position": "0"})
    client.post("/admin/settings", data={"sla.first_reply_hours": "6", **_other_settings()})
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.role_change", "category.create", "category.update", "settings.update"]
    page = text(client.get("/moderation/audit"))
    assert "user.role_change" in page and "advocate" in page and "settings.update" in page


def _other_settings() -> dict[str, str]:
    """Every other setting as the form shows it now (an unticked box is left out, as a browser does)."""
    from forum.services.community_settings import all_settings

    def shown(value) -> str:  # a list setting is typed comma-separated
        return ", ".join(value) if isinstance(value, list) else str(value)

    current = all_settings()
    left_as_they_are = {key: value for key, value in current.items() if key != "sla.first_reply_hours"}
    return {key: shown(value) for key, value in left_as_they_are.items() if value is not False}
