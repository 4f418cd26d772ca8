"""The edit and delete forms ask a moderator why they change someone else's post; the history page shows
title, tag and category changes among the body edits, with their reasons."""

from __future__ import annotations

from sqlalchemy import select

from forum.models import Notification, NotificationKind
from forum.services import posting
from tests.web.helpers import text

REASON_HINT = "say why you are"


def moderation_notes(db, user) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.MODERATION.value)))


def test_the_reason_field_is_shown_to_moderators_on_others_posts_only(act_as, community):
    reply = community.reply.id
    for url in (f"/p/{reply}/edit", f"/p/{reply}/delete"):
        page = text(act_as("moderator").get(url))
        assert 'name="reason"' in page and "Required: say why you are" in page
        assert 'name="reason"' not in text(act_as("other").get(url))  # the author's own post
    advocate_page = text(act_as("advocate").get(f"/p/{reply}/edit"))
    assert 'name="reason"' in advocate_page and "Optional: say why you are" in advocate_page


def test_a_moderator_edit_without_a_reason_is_refused_with_the_text_kept(act_as, community, db):
    response = act_as("moderator").post(f"/p/{community.reply.id}/edit", data={"body": "Edited by staff."})
    assert response.status_code == 422
    page = text(response)
    assert "Say why: the author is told." in page and "Edited by staff." in page
    db.session.expire_all()
    assert community.reply.body.startswith("Check the invoices page") and community.reply.edited_at is None
    assert moderation_notes(db, community.other) == []


def test_a_moderator_edit_with_a_reason_shows_in_the_history_and_reaches_the_author(act_as, community, db):
    client = act_as("moderator")
    response = client.post(f"/p/{community.reply.id}/edit",
                           data={"body": "Edited by staff: removed a phone number.", "reason": "Phone number"})
    assert response.status_code == 302
    history = text(client.get(f"/p/{community.reply.id}/history"))
    assert "Before the edit by" in history and "Reason: Phone number" in history
    assert moderation_notes(db, community.other) == ["A moderator edited your post. Reason: Phone number"]
    audit = text(client.get("/moderation/audit"))
    assert "post.edit" in audit and "Phone number" in audit


def test_a_moderator_delete_without_a_reason_is_refused_and_keeps_the_post(act_as, community, db):
    response = act_as("moderator").post(f"/p/{community.reply.id}/delete", data={"reason": " ", "confirm": "delete"})
    assert response.status_code == 422 and "Say why: the author is told." in text(response)
    db.session.expire_all()
    assert not community.reply.is_deleted


def test_a_moderator_delete_with_a_reason_tells_the_author_and_the_audit_log(act_as, community, db):
    client = act_as("moderator")
    response = client.post(f"/p/{community.reply.id}/delete", data={"reason": "Off topic", "confirm": "delete"})
    assert response.status_code == 302
    db.session.expire_all()
    assert community.reply.is_deleted
    assert moderation_notes(db, community.other) == ["A moderator deleted your post. Reason: Off topic"]
    audit = text(client.get("/moderation/audit"))
    assert "post.delete" in audit and "Off topic" in audit


def test_authors_delete_and_advocates_edit_without_a_reason(act_as, community, db):
    assert act_as("advocate").post(f"/p/{community.reply.id}/edit",
                                   data={"body": "Check the invoices page (wiki)."}).status_code == 302
    assert act_as("other").post(f"/p/{community.reply.id}/delete", data={"confirm": "delete"}).status_code == 302
    db.session.expire_all()
    assert community.reply.is_deleted


def test_the_history_page_shows_thread_changes_among_body_edits(act_as, community, make, clock_at):
    elsewhere = make.make_category(name="Hardware", slug="hardware")
    posting.edit_post(community.author, community.question, "I was charged twice in May.")
    clock_at.advance(minutes=1)
    assert act_as("author").post(f"/t/{community.thread.id}/edit", data={
        "title": "Charged twice for my plan in May", "tags": "billing"}).status_code == 302
    clock_at.advance(minutes=1)
    assert act_as("moderator").post(f"/t/{community.thread.id}/edit", data={
        "title": "Charged twice for my plan in May", "tags": "billing", "category_id": elsewhere.id,
        "reason": "It is about the router bill"}).status_code == 302
    page = text(act_as("author").get(f"/p/{community.question.id}/history"))
    newest_first = ["Category changed from", "Tags changed from", "Title changed from", "Before the edit by"]
    positions = [page.index(marker) for marker in newest_first]
    assert positions == sorted(positions)
    assert "<q class=\"revision-old\">Charged twice for my plan</q>" in page
    assert "<q class=\"revision-old\">Billing</q>" in page
    assert page.split("Tags changed from")[1].split(".</p>")[0].strip() == "<em>none</em>"  # it had no tags
    assert "Reason: It is about the router bill" in page
    assert page.count("Reason:") == 1  # the category change only; the author gave none


def test_an_unchanged_thread_edit_adds_nothing_to_the_history(act_as, community):
    data = {"title": "Charged twice for my plan", "tags": ""}
    assert act_as("author").post(f"/t/{community.thread.id}/edit", data=data).status_code == 302
    assert "This post has not been edited." in text(act_as("author").get(f"/p/{community.question.id}/history"))
