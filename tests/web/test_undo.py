"""Ten seconds to undo accepting an answer or hiding a post (issue 23): the notice's Undo button, and its limits.

The button carries a signed ticket; the server honours it only from the person who acted, within the window
(10 s, plus a short grace for a slow connection), and only while nothing changed since. Time moves on the
test clock, as forum.core.clock does for every rule that reads it.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from forum.http.urls import thread_path
from forum.models import AuditEntry, Notification, User
from forum.services import undo
from tests.web.helpers import text

UNDO_FORM = re.compile(r'<form method="post" action="([^"]+)" class="inline-form undo-form" data-undo-seconds="10">'
                       r'\s*<input type="hidden" name="csrf_token" value="[^"]+">'
                       r'\s*<input type="hidden" name="token" value="([^"]+)">')
TOO_LATE = "Nothing was undone: Undo lasts ten seconds and they have passed."


def _offer(client, response) -> tuple[str, str]:
    """Follow the act's redirect; the page's Undo form: (its address, its ticket)."""
    assert response.status_code == 302, text(response)[:300]
    page = text(client.get(response.headers["Location"]))
    found = UNDO_FORM.findall(page)
    assert found, "no Undo button on the page after the act"
    assert "/static/undo.js" in page
    return found[-1]  # the latest act's (an earlier act's notice, never shown in a test, may come first)


def _flashes(client) -> list[tuple[str, str]]:
    """What the next page would say (its flashes), taken from the session as that page would take them."""
    with client.session_transaction() as sess:
        return [(category, message) for category, message in sess.pop("_flashes", [])]


def _reputation(db, *users: User) -> list[int]:
    db.session.expire_all()
    return [db.session.get(User, user.id).reputation for user in users]


# --- accepting --------------------------------------------------------------------------------------------


def test_accept_then_undo_leaves_the_thread_unsolved_and_the_reputation_as_before(act_as, community, db):
    before = _reputation(db, community.other, community.author)
    client = act_as("author")
    action, token = _offer(client, client.post(f"/p/{community.reply.id}/accept"))
    assert action == f"/t/{community.thread.id}/accept/undo"
    assert _reputation(db, community.other, community.author) != before  # the control: accepting paid

    response = client.post(action, data={"token": token})
    assert response.status_code == 302
    assert _flashes(client) == [("success", "Undone: the thread has no accepted solution again.")]
    db.session.expire_all()
    assert community.thread.accepted_post_id is None and community.thread.status == "answered"
    assert _reputation(db, community.other, community.author) == before
    assert "Accept as solution" in text(client.get(thread_path(community.thread)))


def test_undoing_accept_this_instead_gives_the_solution_back_to_the_earlier_answer(act_as, community, make, db):
    better = make.make_reply(community.thread, author=make.make_user(username="fixer"), body="Call billing.")
    client = act_as("author")
    client.post(f"/p/{community.reply.id}/accept")
    before = _reputation(db, community.other, better.author, community.author)
    action, token = _offer(client, client.post(f"/p/{better.id}/accept"))

    client.post(action, data={"token": token})
    assert _flashes(client) == [("success", "Undone: the answer accepted before is the solution again.")]
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id and community.thread.status == "solved"
    assert _reputation(db, community.other, better.author, community.author) == before


def test_an_undo_after_the_window_is_refused_and_changes_nothing(act_as, community, db, clock_at):
    client = act_as("author")
    action, token = _offer(client, client.post(f"/p/{community.reply.id}/accept"))
    reputation = _reputation(db, community.other)
    clock_at.advance(seconds=(undo.WINDOW + undo.GRACE).total_seconds() + 1)

    response = client.post(action, data={"token": token})
    assert response.status_code == 302
    assert [(category, message[:len(TOO_LATE)]) for category, message in _flashes(client)] == [("warning", TOO_LATE)]
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id and community.thread.status == "solved"
    assert _reputation(db, community.other) == reputation


def test_an_undo_a_little_after_ten_seconds_still_counts_for_a_slow_connection(act_as, community, db, clock_at):
    client = act_as("author")
    action, token = _offer(client, client.post(f"/p/{community.reply.id}/accept"))
    clock_at.advance(seconds=undo.WINDOW.total_seconds() + 2)
    client.post(action, data={"token": token})
    db.session.expire_all()
    assert community.thread.accepted_post_id is None


def test_someone_elses_undo_ticket_is_refused(act_as, community, db):
    action, token = _offer(act_as("author"), act_as("author").post(f"/p/{community.reply.id}/accept"))
    admin = act_as("admin")  # may accept and unaccept here, but did not do this acceptance
    admin.post(action, data={"token": token})
    assert _flashes(admin) == [("warning", undo.SOMEONE_ELSES)]
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id


def test_an_undo_is_refused_once_someone_else_accepted_another_answer(act_as, community, make, db):
    better = make.make_reply(community.thread, body="Call billing.")
    client = act_as("author")
    action, token = _offer(client, client.post(f"/p/{community.reply.id}/accept"))
    moderator = act_as("moderator")
    moderator.post(f"/p/{better.id}/accept")
    _flashes(moderator)  # the moderator's own notice, read on their page
    client = act_as("author")
    client.post(action, data={"token": token})
    assert _flashes(client) == [("warning", undo.CHANGED_SINCE)]
    db.session.expire_all()
    assert community.thread.accepted_post_id == better.id


def test_a_forged_or_missing_ticket_is_refused(act_as, community, db):
    client = act_as("author")
    action, token = _offer(client, client.post(f"/p/{community.reply.id}/accept"))
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), ""):
        client.post(action, data={"token": forged})
        assert _flashes(client) == [("warning", undo.NOT_VALID)]
    hide_ticket = f"/moderation/posts/{community.reply.id}/hide/undo"  # an accept ticket is no hide ticket
    assert act_as("moderator").post(hide_ticket, data={"token": token}).status_code == 302
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id and community.reply.visibility == "public"


def test_a_spent_accept_ticket_does_not_undo_a_later_acceptance_of_the_same_answer(act_as, community, db, clock_at):
    client = act_as("author")
    action, spent = _offer(client, client.post(f"/p/{community.reply.id}/accept"))
    client.post(action, data={"token": spent})
    _flashes(client)
    clock_at.advance(seconds=2)
    _offer(client, client.post(f"/p/{community.reply.id}/accept"))  # accepted again, on purpose

    client.post(action, data={"token": spent})  # the first notice's button, still in another tab
    assert _flashes(client) == [("warning", undo.CHANGED_SINCE)]
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id and community.thread.status == "solved"


def test_callers_who_may_not_accept_are_refused_before_the_ticket_is_read(act_as, community, db):
    action, token = _offer(act_as("author"), act_as("author").post(f"/p/{community.reply.id}/accept"))
    assert act_as("other").post(action, data={"token": token}).status_code == 403
    db.session.expire_all()
    assert community.thread.accepted_post_id == community.reply.id


# --- hiding -----------------------------------------------------------------------------------------------


def test_hide_then_undo_makes_the_post_visible_again_audited_as_an_unhide(act_as, community, db):
    client = act_as("moderator")
    action, token = _offer(client, client.post(f"/moderation/posts/{community.reply.id}/hide",
                                               data={"reason": "Looks like spam"}))
    assert action == f"/moderation/posts/{community.reply.id}/hide/undo"
    assert "Check the invoices page" not in text(act_as("author").get(thread_path(community.thread)))

    client = act_as("moderator")
    client.post(action, data={"token": token})
    assert _flashes(client) == [("success", "Undone: the post is visible again.")]
    db.session.expire_all()
    assert community.reply.visibility == "public"
    assert "Check the invoices page" in text(act_as("author").get(thread_path(community.thread)))
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "post", AuditEntry.target_id == community.reply.id).order_by(AuditEntry.id)))
    assert actions == ["post.hide", "post.unhide"]
    told = list(db.session.scalars(select(Notification.message).where(Notification.user_id == community.other.id)))
    assert any("made it visible again" in message for message in told)


def test_a_late_or_borrowed_hide_undo_is_refused_and_the_post_stays_hidden(act_as, community, make, db, clock_at):
    client = act_as("moderator")
    action, token = _offer(client, client.post(f"/moderation/posts/{community.reply.id}/hide",
                                               data={"reason": "Looks like spam"}))
    other_moderator = act_as("admin")
    other_moderator.post(action, data={"token": token})
    assert _flashes(other_moderator) == [("warning", undo.SOMEONE_ELSES)]
    clock_at.advance(seconds=16)
    client = act_as("moderator")
    client.post(action, data={"token": token})
    assert [category for category, _message in _flashes(client)] == ["warning"]
    db.session.expire_all()
    assert community.reply.visibility == "hidden"


def test_a_hide_undo_is_refused_once_the_post_changed_since(act_as, community, db):
    client = act_as("moderator")
    action, token = _offer(client, client.post(f"/moderation/posts/{community.reply.id}/hide",
                                               data={"reason": "Looks like spam"}))
    admin = act_as("admin")
    admin.post(f"/moderation/posts/{community.reply.id}/unhide")
    admin.post(f"/moderation/posts/{community.reply.id}/hide", data={"reason": "Really spam"})
    _flashes(admin)
    client = act_as("moderator")
    client.post(action, data={"token": token})
    assert [category for category, _message in _flashes(client)] == ["warning"]
    db.session.expire_all()
    assert community.reply.visibility == "hidden"


def test_a_spent_hide_ticket_does_not_undo_a_later_hide_of_the_same_post(act_as, community, db, clock_at):
    client = act_as("moderator")
    hide = f"/moderation/posts/{community.reply.id}/hide"
    action, spent = _offer(client, client.post(hide, data={"reason": "Looks like spam"}))
    client.post(action, data={"token": spent})
    _flashes(client)
    clock_at.advance(seconds=2)
    _offer(client, client.post(hide, data={"reason": "Spam after all"}))  # hidden again, on purpose

    client.post(action, data={"token": spent})
    assert [category for category, _message in _flashes(client)] == ["warning"]
    db.session.expire_all()
    assert community.reply.visibility == "hidden"


def test_hiding_the_accepted_answer_and_undoing_says_the_solution_stays_dropped(act_as, community, db):
    act_as("author").post(f"/p/{community.reply.id}/accept")
    client = act_as("moderator")
    action, token = _offer(client, client.post(f"/moderation/posts/{community.reply.id}/hide",
                                               data={"reason": "Wrong one"}))
    client.post(action, data={"token": token})
    ((category, message),) = _flashes(client)
    assert category == "success" and "It was the accepted solution" in message
    db.session.expire_all()
    assert community.reply.visibility == "public" and community.thread.accepted_post_id is None


def test_signing_out_drops_a_pending_undo_offer_so_the_next_person_at_the_browser_never_sees_it(act_as, community):
    client = act_as("author")
    assert client.post(f"/p/{community.reply.id}/accept").status_code == 302  # its notice not shown yet
    client.post("/auth/logout")
    page = text(client.get("/"))
    assert "You are signed out." in page
    assert not UNDO_FORM.search(page) and "Answer accepted" not in page
