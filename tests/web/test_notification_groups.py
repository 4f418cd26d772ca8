"""Replies to one thread are one line on the notifications page ("3 new replies in …") and in the digest."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.models import Notification, OutboundEmail
from forum.services import digests, notifications
from tests.web.helpers import text

TITLE = "Charged twice for my plan"


def _lines(page: str) -> list[str]:
    return re.findall(r'<li class="notification[^"]*" id="n\d+">.*?</li>', page, re.DOTALL)


def _unread(db, user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def _replies_by(make, thread, *names: str):
    return [make.make_reply(thread, author=make.make_user(username=name), body=f"An idea from {name}")
            for name in names]


def test_replies_to_one_thread_are_one_line_naming_who_replied(act_as, community, make):
    _replies_by(make, community.thread, "ana", "ben", "cal")  # with the helper's: 4 replies by 4 people
    page = text(act_as("author").get("/notifications"))
    [line] = _lines(page)
    first = f"/t/{community.thread.id}/{community.thread.slug}#p{community.reply.id}"  # the first unread reply
    assert f'<a href="{first}">4 new replies in {TITLE}</a>' in line
    assert "cal, ben and 2 others replied" in line and "notification-unread" in line
    assert line.count("Mark read") == 1
    assert "4 unread." in page  # the count is of notifications, as the bell's


def test_two_repliers_are_both_named(act_as, community, make):
    _replies_by(make, community.thread, "ana")
    [line] = _lines(text(act_as("author").get("/notifications")))
    assert f"2 new replies in {TITLE}" in line and "ana and helper replied" in line


def test_a_single_reply_still_reads_as_before(act_as, community):
    [line] = _lines(text(act_as("author").get("/notifications")))
    assert f">New reply: {TITLE}</a>" in line and "from " in line and "replied" not in line


def test_marking_the_line_read_marks_every_reply_in_it(act_as, community, make, db):
    _replies_by(make, community.thread, "ana", "ben")
    client = act_as("author")
    newest = re.search(r'id="n(\d+)"', text(client.get("/notifications"))).group(1)
    assert client.post(f"/notifications/{newest}/read").status_code == 302
    assert _unread(db, community.author) == 0
    [line] = _lines(text(client.get("/notifications")))
    assert f">3 replies in {TITLE}</a>" in line and "new replies" not in line and "Mark read" not in line
    assert "notification-unread" not in line


def test_a_reply_that_came_after_the_page_was_shown_stays_unread(act_as, community, make, db):
    _replies_by(make, community.thread, "ana")
    client = act_as("author")
    shown = re.search(r'id="n(\d+)"', text(client.get("/notifications"))).group(1)
    _replies_by(make, community.thread, "ben")
    client.post(f"/notifications/{shown}/read")
    assert _unread(db, community.author) == 1
    new, read = _lines(text(client.get("/notifications")))
    assert f">New reply: {TITLE}</a>" in new and "notification-unread" in new  # ben's, alone: new lines stay new
    assert f">2 replies in {TITLE}</a>" in read


def test_other_kinds_and_other_threads_keep_their_own_lines(act_as, community, make, db):
    _replies_by(make, community.thread, "ana")
    elsewhere = make.make_thread(author=community.author, title="Router drops at night")
    _replies_by(make, elsewhere, "ben")
    notifications.notify([community.author.id], notifications.Event(
        notifications.NotificationKind.NEEDS_INFO, community.thread, actor=community.moderator, message="Which plan?"))
    notifications.notify([community.author.id], notifications.Event(
        notifications.NotificationKind.NEEDS_INFO, community.thread, actor=community.moderator, message="And when?"))
    db.session.commit()
    lines = _lines(text(act_as("author").get("/notifications")))
    assert len(lines) == 4
    assert "More information needed" in lines[0] and "And when?" in lines[0]
    assert "Which plan?" in lines[1]
    assert ">New reply: Router drops at night</a>" in lines[2]
    assert f">2 new replies in {TITLE}</a>" in lines[3]


def test_a_page_is_thirty_lines_and_a_group_is_never_split_across_pages(act_as, community, make, db):
    """The helper's reply is the oldest notification; a later reply joins it on page one, so page two
    holds only the first of the 30 single notices made in between."""
    for n in range(30):
        notifications.notify([community.author.id], notifications.Event(
            notifications.NotificationKind.NEEDS_INFO, community.thread, actor=community.moderator,
            message=f"Question {n}"))
    db.session.commit()
    _replies_by(make, community.thread, "ana")
    client = act_as("author")
    first = text(client.get("/notifications"))
    lines = _lines(first)
    assert len(lines) == 30 and f"2 new replies in {TITLE}" in lines[0] and "Question 1<" in lines[-1]
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = _lines(text(client.get(next_url)))
    assert len(second) == 1 and "Question 0<" in second[0] and "repl" not in second[0]


def test_the_api_still_lists_each_notification(community, make, api_client):
    _replies_by(make, community.thread, "ana", "ben")
    items = api_client(community.author).get("/api/v1/notifications").get_json()["items"]
    assert [item["summary"] for item in items] == [f"New reply: {TITLE}"] * 3


def test_the_daily_digest_tells_replies_to_one_thread_in_one_line(community, make, db):
    community.author.email_frequency = "daily"
    db.session.commit()
    _replies_by(make, community.thread, "ana", "ben")
    assert digests.send_daily_digests() == 1
    mail = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == community.author.email))
    assert mail.subject == "Your Horseshoe digest: 3 updates"
    assert f"- 3 new replies in {TITLE}" in mail.text_body and "New reply" not in mail.text_body
    assert f"#p{community.reply.id}" in mail.text_body  # the line leads to the first of them
