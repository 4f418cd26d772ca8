"""What cannot be undone asks first (issue 23): deleting a post or thread, suspending, anonymising.

Each page says what happens and what cannot be taken back, and only its red button acts: a POST without the
confirmation (a stray form, a script) does nothing and says why. The API keeps no such step.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.models import AuditEntry, Notification
from tests.web.helpers import text

UNCONFIRMED = "Nothing was deleted yet: deleting needs the confirmation on this page."


def _audit_count(db) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


@pytest.mark.parametrize(("caller", "form"), [("other", {}), ("moderator", {"reason": "Spam"})])
def test_a_delete_posted_without_the_confirmation_deletes_nothing_and_says_why(act_as, community, db, caller, form):
    response = act_as(caller).post(f"/p/{community.reply.id}/delete", data=form)
    assert response.status_code == 422
    page = text(response)
    assert UNCONFIRMED in page
    assert 'name="confirm" type="hidden" value="delete"' in page
    assert 'class="button button-danger">Delete reply<' in page
    db.session.expire_all()
    assert not community.reply.is_deleted and community.thread.reply_count == 1
    done = act_as(caller).post(f"/p/{community.reply.id}/delete", data={**form, "confirm": "delete"})
    assert done.status_code == 302  # the control: the same request, confirmed, deletes
    db.session.expire_all()
    assert community.reply.is_deleted


def test_a_thread_delete_without_the_confirmation_leaves_the_thread_up(act_as, community, db):
    response = act_as("author").post(f"/p/{community.question.id}/delete")
    assert response.status_code == 422 and UNCONFIRMED in text(response)
    db.session.expire_all()
    assert community.thread.deleted_at is None
    assert act_as("other").get(f"/t/{community.thread.id}/{community.thread.slug}").status_code == 200


def test_the_delete_page_says_what_cannot_be_undone(act_as, community, db):
    act_as("author").post(f"/p/{community.reply.id}/accept")
    author_page = text(act_as("other").get(f"/p/{community.reply.id}/delete"))
    assert "You cannot undo this yourself" in author_page and "Only a moderator can bring it back." in author_page
    assert "The reputation it earned is taken back" in author_page
    assert "the thread loses its solution, and a restore does not give it back" in author_page
    moderator_page = text(act_as("moderator").get(f"/p/{community.reply.id}/delete"))
    assert "You can restore it later" in moderator_page and "the author is told at once" in moderator_page
    thread_page = text(act_as("author").get(f"/p/{community.question.id}/delete"))
    assert "Delete this thread?" in thread_page and "its 1 reply out of view" in thread_page
    assert "and so is what the thread’s replies earned" in thread_page


def test_the_api_deletes_without_a_confirmation_step(api_client, community, db):
    response = api_client(community.other).delete(f"/api/v1/posts/{community.reply.id}")
    assert response.status_code < 300
    db.session.expire_all()
    assert community.reply.is_deleted


def test_suspending_asks_for_confirmation_and_nothing_happens_until_then(act_as, community, db):
    audits = _audit_count(db)
    client = act_as("moderator")
    form = {"days": "7", "reason": "Spam links"}
    step = client.post(f"/moderation/users/{community.other.id}/suspend", data=form)
    assert step.status_code == 200
    page = text(step)
    assert "Suspend helper for 1 week?" in page and "Nothing has happened yet." in page
    assert "27 November 2026, 09:00 UTC" in page and "“Spam links”" in page
    assert "That notice and the audit entry stay even if you lift the suspension early." in page
    assert 'class="button button-danger">Suspend helper<' in page
    assert 'name="confirm" type="hidden" value="suspend"' in page
    db.session.expire_all()
    assert community.other.suspended_until is None and _audit_count(db) == audits
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == community.other.id)) == 0

    revised = client.post(f"/moderation/users/{community.other.id}/suspend", data={**form, "revise": "1",
                                                                                   "confirm": "suspend"})
    assert revised.status_code == 200 and "Spam links</textarea>" in text(revised)  # back to the form, kept
    db.session.expire_all()
    assert community.other.suspended_until is None

    done = client.post(f"/moderation/users/{community.other.id}/suspend", data={**form, "confirm": "suspend"})
    assert done.status_code == 302
    db.session.expire_all()
    assert community.other.suspended_until is not None


def test_anonymising_without_typing_the_username_changes_nothing_and_says_why(act_as, community, db):
    page = text(act_as("admin").get(f"/admin/users/{community.other.id}/anonymize"))
    assert "This cannot be undone" in page and 'class="button button-danger">Anonymise this account<' in page
    response = act_as("admin").post(f"/admin/users/{community.other.id}/anonymize", data={"reason": "#42"})
    assert response.status_code == 422
    assert "Nothing was changed: type the username to confirm." in text(response)
    db.session.expire_all()
    assert community.other.anonymized_at is None and community.other.username == "helper"
