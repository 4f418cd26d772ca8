"""Editing posts with revision history, and deleting them."""

from __future__ import annotations

from forum.http.urls import thread_path
from tests.web.helpers import text

CONFIRMED = {"confirm": "delete"}  # what the delete page's button sends


def test_author_edits_their_reply_and_the_thread_marks_it_edited(act_as, community, db):
    client = act_as("other")
    response = client.post(f"/p/{community.reply.id}/edit", data={"body": "Check the invoices page (updated)."})
    assert response.status_code == 302
    page = text(client.get(thread_path(community.thread)))
    assert "Check the invoices page (updated)." in page
    assert f'href="/p/{community.reply.id}/history">edited' in page


def test_revision_history_shows_who_changed_what_and_the_old_source_escaped(act_as, community):
    client = act_as("author")
    client.post(f"/p/{community.question.id}/edit", data={"body": "Old <script>alert(1)</script> gone"})
    client.post(f"/p/{community.question.id}/edit", data={"body": "Final **version**"})
    page = text(act_as("moderator").get(f"/p/{community.question.id}/history"))
    assert "Final **version**" in page
    assert "My router keeps dropping the connection every evening." in page
    assert "Old &lt;script&gt;alert(1)&lt;/script&gt; gone" in page and "<script>" not in page
    assert page.count("Before the edit by") == 2 and "asker" in page


def test_history_of_an_unedited_post_says_so(act_as, community):
    page = text(act_as("other").get(f"/p/{community.reply.id}/history"))
    assert "This post has not been edited." in page


def test_others_see_that_a_post_was_edited_but_not_its_earlier_versions(act_as, community):
    act_as("author").post(f"/p/{community.question.id}/edit", data={"body": "Removed my account number"})
    question = text(act_as("other").get(thread_path(community.thread))).split(f'id="p{community.question.id}"')[1]
    assert "edited" in question and f"/p/{community.question.id}/history" not in question
    assert act_as("other").get(f"/p/{community.question.id}/history").status_code == 404
    assert f"/p/{community.question.id}/history" in text(act_as("author").get(thread_path(community.thread)))


def test_moderator_edits_someone_elses_post_and_is_named_in_the_history(act_as, community):
    client = act_as("moderator")
    response = client.post(f"/p/{community.reply.id}/edit",
                           data={"body": "Edited by staff: removed a phone number.", "reason": "Phone number"})
    assert response.status_code == 302
    assert "Before the edit by" in text(client.get(f"/p/{community.reply.id}/history"))
    assert ">mod</a>" in text(client.get(f"/p/{community.reply.id}/history"))


def test_member_cannot_edit_someone_elses_post(act_as, community):
    client = act_as("author")
    assert client.post(f"/p/{community.reply.id}/edit", data={"body": "Mine now"}).status_code == 403
    assert "Edit<span" not in text(client.get(thread_path(community.thread))).split(f'id="p{community.reply.id}"')[1]


def test_saving_an_empty_post_is_refused_and_keeps_the_text(act_as, community, db):
    response = act_as("other").post(f"/p/{community.reply.id}/edit", data={"body": ""})
    assert response.status_code == 422 and "This field is required." in text(response)
    db.session.expire_all()
    assert community.reply.body.startswith("Check the invoices page")


def test_delete_asks_for_confirmation_first(act_as, community):
    page = text(act_as("other").get(f"/p/{community.reply.id}/delete"))
    assert "Delete this reply?" in page and "Delete reply" in page and "Cancel" in page


def test_deleted_reply_disappears_for_members_but_moderators_see_it_marked(act_as, community, db):
    response = act_as("other").post(f"/p/{community.reply.id}/delete", data=CONFIRMED)
    assert response.status_code == 302
    member_page = text(act_as("author").get(thread_path(community.thread)))
    assert "Check the invoices page" not in member_page and "0 replies" in member_page
    moderator_page = text(act_as("moderator").get(thread_path(community.thread)))
    assert "Check the invoices page" in moderator_page
    assert "post-deleted" in moderator_page and "only moderators see this reply" in moderator_page
    assert act_as("author").get(f"/p/{community.reply.id}/history").status_code == 404


def test_deleting_the_question_removes_the_thread_for_members(act_as, community):
    response = act_as("author").post(f"/p/{community.question.id}/delete", data=CONFIRMED)
    assert response.status_code == 302 and response.headers["Location"] == "/c/billing"
    assert act_as("other").get(thread_path(community.thread)).status_code == 404
    assert community.thread.title not in text(act_as("other").get("/"))
    moderator_page = text(act_as("moderator").get(thread_path(community.thread)))
    assert "This thread is deleted; only moderators can see it." in moderator_page


def test_a_deleted_post_cannot_be_deleted_twice(act_as, community):
    client = act_as("moderator")
    client.post(f"/p/{community.reply.id}/delete", data={"reason": "Spam", **CONFIRMED})
    assert client.post(f"/p/{community.reply.id}/delete", data={"reason": "Spam", **CONFIRMED}).status_code == 403


def test_unknown_post_is_a_404(act_as, community):
    client = act_as("admin")
    assert client.get("/p/999999/edit").status_code == 404
    assert client.get("/p/999999/history").status_code == 404
