"""The bell, the notifications page, notification settings with what one watches, and unsubscribing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.models import Notification, Subscription
from forum.services import notifications, subscriptions
from tests.web.helpers import text


def _bell(html: str) -> str:
    match = re.search(r'<span class="visually-hidden">(Notifications, \d+ unread)</span>', html)
    assert match, "no bell in the header"
    return match.group(1)


def _token(user) -> str:
    return notifications.unsubscribe_url(user).rsplit("/", 1)[1]


# --- the bell and the list --------------------------------------------------------------------------------


def test_the_asker_is_told_about_a_reply_and_the_replier_is_not(act_as, community):
    page = text(act_as("author").get("/notifications"))
    path = f"/t/{community.thread.id}/{community.thread.slug}#p{community.reply.id}"
    assert f'<a href="{path}">New reply: Charged twice for my plan</a>' in page
    assert "notification-unread" in page
    assert "New reply" not in text(act_as("other").get("/notifications"))


def test_the_bell_counts_unread_and_marking_read_lowers_it(act_as, community, make, db):
    make.make_reply(make.make_thread(author=community.author), body="Another idea")  # another thread: its own line
    client = act_as("author")
    assert _bell(text(client.get("/"))) == "Notifications, 2 unread"
    newest = db.session.scalar(select(Notification.id).where(Notification.user_id == community.author.id)
                               .order_by(Notification.id.desc()))
    response = client.post(f"/notifications/{newest}/read")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#n{newest}")
    assert _bell(text(client.get("/"))) == "Notifications, 1 unread"
    client.post("/notifications/read")
    page = text(client.get("/notifications"))
    assert _bell(page) == "Notifications, 0 unread" and "notification-unread" not in page
    assert "Mark all read" not in page


def test_marking_someone_elses_notification_read_changes_nothing(act_as, community, db):
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == community.author.id))
    refused = act_as("other").post(f"/notifications/{theirs.id}/read")
    assert refused.status_code == 404 and "it is not yours" in text(refused)
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_visitors_have_no_bell(client, community):
    assert "Notifications," not in text(client.get("/"))


def test_the_bell_shows_on_every_page_for_members(act_as, community):
    page = text(act_as("other").get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert page.count("Notifications, 0 unread") == 1


def test_notifications_are_paged_by_cursor(act_as, community, make, db):
    for _ in range(31):
        notifications.notify([community.other.id], notifications.Event(
            notifications.NotificationKind.NEEDS_INFO, community.thread, actor=community.moderator,
            message="Which plan?"))
    db.session.commit()
    client = act_as("other")
    first = text(client.get("/notifications"))
    assert first.count('<li class="notification') == 30 and 'rel="next"' in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(next_url))
    assert second.count('<li class="notification') == 1 and "First page" in second and "Which plan?" in second


def test_a_tampered_notifications_cursor_is_refused_with_a_message(act_as, community):
    response = act_as("author").get("/notifications?cursor=not-a-cursor")
    assert response.status_code == 422 and "This cursor is not valid" in text(response)


# --- settings ---------------------------------------------------------------------------------------------


def test_settings_show_and_save_email_choices(act_as, community, db):
    client = act_as("author")
    page = text(client.get("/settings/notifications"))
    assert re.search(r'<input checked id="email_frequency-0" name="email_frequency" type="radio" value="immediately">',
                     page)
    response = client.post("/settings/notifications", data={"email_frequency": "daily"})  # digest box unticked
    assert response.status_code == 302
    db.session.refresh(community.author)
    assert community.author.email_frequency == "daily" and community.author.weekly_digest is False
    client.post("/settings/notifications", data={"email_frequency": "off", "weekly_digest": "y"})
    db.session.refresh(community.author)
    assert community.author.email_frequency == "off" and community.author.weekly_digest is True


@pytest.mark.parametrize("frequency", ["", "hourly", "x" * 500])
def test_a_bad_email_choice_is_refused_with_a_message(act_as, community, db, frequency):
    response = act_as("author").post("/settings/notifications", data={"email_frequency": frequency})
    assert response.status_code == 422 and "Choose immediately, daily or off." in text(response)
    db.session.refresh(community.author)
    assert community.author.email_frequency == "immediately"


def test_settings_list_what_is_watched_and_muted_with_buttons_to_undo(act_as, community, make, db):
    tag_thread = make.make_thread(tags=["roaming"])
    subscriptions.watch(community.author, tag_thread.tags[0])
    subscriptions.mute(community.author, community.category)
    client = act_as("author")
    page = text(client.get("/settings/notifications"))
    following = page[page.index('id="following"'):page.index('id="muted"')]
    muted = page[page.index('id="muted"'):]
    assert "Charged twice for my plan" in following and "Unwatch" in following  # asked it: watching
    assert 'href="/tags/roaming"' in following and "Unfollow" in following
    assert "Billing" in muted and "Unmute" in muted
    row = db.session.scalar(select(Subscription).where(Subscription.user_id == community.author.id,
                                                       Subscription.category_id == community.category.id))
    assert client.post(f"/settings/notifications/watches/{row.id}/remove").status_code == 302
    assert "Nothing muted." in text(client.get("/settings/notifications"))


def test_nobody_can_remove_someone_elses_watch(act_as, community, db):
    row = db.session.scalar(select(Subscription).where(Subscription.user_id == community.author.id))
    response = act_as("other").post(f"/settings/notifications/watches/{row.id}/remove")
    assert response.status_code == 404 and "That watch or mute does not exist." in text(response)
    assert db.session.get(Subscription, row.id) is not None


# --- unsubscribe ------------------------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_first_and_changes_nothing_on_open(client, community, db):
    page = text(client.get(f"/unsubscribe/{_token(community.author)}"))
    assert "Turn off emails" in page and "asker" in page
    db.session.refresh(community.author)
    assert community.author.email_frequency == "immediately"


def test_the_unsubscribe_button_turns_emails_off(client, community, db):
    response = client.post(f"/unsubscribe/{_token(community.author)}")
    assert response.status_code == 200 and "Emails are off" in text(response)
    db.session.refresh(community.author)
    assert community.author.email_frequency == "off" and community.author.weekly_digest is False


def test_one_click_unsubscribe_works_without_a_csrf_token(client, community, db):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click with no cookies and no token."""
    response = client.post(f"/unsubscribe/{_token(community.other)}", data={"List-Unsubscribe": "One-Click"},
                           csrf=False)
    assert response.status_code == 200
    db.session.refresh(community.other)
    assert community.other.email_frequency == "off"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_unsubscribe_token_is_refused_clearly(client, community, db, method):
    forged = _token(community.author)[:-3] + "abc"
    response = getattr(client, method)(f"/unsubscribe/{forged}")
    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in text(response)
    db.session.refresh(community.author)
    assert community.author.email_frequency == "immediately"
