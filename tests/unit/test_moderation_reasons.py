"""Moderation reasons and the one history: a moderator's edit or delete of someone else's post needs a reason
(kept on the revision, in the audit log and in the author's notification); title, tag and category changes
are revisions of the question post next to its body edits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import PostRevision
from forum.services import posting, reading
from moderation.services import actions, flags, review_queue
from moderation.services.flags import NewFlag
from moderation.services.review_queue import Decision
from tests.moderation_support import audit_entries, moderation_notes


@pytest.fixture
def moderator(make):
    return make.make_user("moderator")


@pytest.fixture
def reply(make):
    return make.make_reply(make.make_thread(), body="Call me on 555 0100 and I will explain.")


def revisions(post) -> list[PostRevision]:
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id)))


def revision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PostRevision))


# --- editing and deleting posts --------------------------------------------------------------------------


def test_authors_edit_and_delete_their_own_posts_without_a_reason(reply):
    posting.edit_post(reply.author, reply, "Try channel 6 instead.")
    assert [(r.field, r.reason) for r in revisions(reply)] == [("body", None)]
    posting.delete_post(reply.author, reply)
    assert reply.is_deleted and audit_entries() == [] and moderation_notes(reply.author_id) == []


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_moderator_editing_someone_elses_post_without_a_reason_is_refused_and_nothing_changes(
    moderator, reply, reason
):
    with pytest.raises(Invalid) as refused:
        posting.edit_post(moderator, reply, "Removed the phone number.", reason=reason)
    assert "reason" in refused.value.errors
    db.session.rollback()
    db.session.refresh(reply)
    assert reply.body.startswith("Call me") and revisions(reply) == [] and audit_entries() == []
    assert moderation_notes(reply.author_id) == []


def test_a_moderator_deleting_someone_elses_post_without_a_reason_is_refused(moderator, reply):
    with pytest.raises(Invalid) as refused:
        posting.delete_post(moderator, reply)
    assert list(refused.value.errors) == ["reason"]
    db.session.rollback()
    db.session.refresh(reply)
    assert not reply.is_deleted and reply.thread.reply_count == 1 and audit_entries() == []


def test_a_moderators_edit_keeps_the_reason_on_the_revision_in_the_audit_log_and_tells_the_author(moderator, reply):
    posting.edit_post(moderator, reply, "Call me (number removed).", reason="  Personal data  ")
    (revision,) = revisions(reply)
    assert (revision.field, revision.reason, revision.editor_id) == ("body", "Personal data", moderator.id)
    assert revision.body.startswith("Call me on 555")
    (entry,) = audit_entries("post.edit")
    assert (entry.reason, entry.actor_id, entry.target_id) == ("Personal data", moderator.id, reply.id)
    assert moderation_notes(reply.author_id) == ["A moderator edited your post. Reason: Personal data"]


def test_a_moderators_delete_carries_the_reason_to_the_audit_log_and_the_author(moderator, reply):
    posting.delete_post(moderator, reply, reason="Spam")
    assert reply.is_deleted
    assert [e.reason for e in audit_entries("post.delete")] == ["Spam"]
    assert moderation_notes(reply.author_id) == ["A moderator deleted your post. Reason: Spam"]


def test_moderators_need_no_reason_for_their_own_posts(make, moderator):
    own = make.make_reply(make.make_thread(), author=moderator, body="Staff answer.")
    posting.edit_post(moderator, own, "Staff answer, corrected.")
    posting.delete_post(moderator, own)
    assert own.is_deleted and audit_entries() == []


def test_a_reason_that_is_too_long_is_refused(moderator, reply):
    with pytest.raises(Invalid) as refused:
        posting.edit_post(moderator, reply, "Shorter.", reason="x" * 1001)
    assert "reason" in refused.value.errors


def test_an_advocates_wiki_edit_needs_no_reason_but_keeps_one_given(make, reply):
    advocate = make.make_user("advocate")
    posting.edit_post(advocate, reply, "Call the support line instead.")
    posting.edit_post(advocate, reply, "Call the support line (0800) instead.", reason="Added the number")
    assert [r.reason for r in revisions(reply)] == [None, "Added the number"]
    assert audit_entries() == [] and moderation_notes(reply.author_id) == []  # not a moderator's action


def test_moderator_actions_need_a_reason_before_the_review_item_closes(make, moderator, reply):
    for _ in range(3):
        flags.flag_post(make.make_user(), reply, NewFlag("spam"))
    with pytest.raises(Invalid):
        actions.delete_post(moderator, reply)
    db.session.rollback()
    assert [i.post_id for i in review_queue.list_open(moderator, 50).items] == [reply.id]
    actions.delete_post(moderator, reply, "Spam, as flagged")
    assert reply.is_deleted and review_queue.list_open(moderator, 50).items == []
    assert moderation_notes(reply.author_id)[-1] == "A moderator deleted your post. Reason: Spam, as flagged"
    with pytest.raises(Invalid):
        actions.edit_post(moderator, make.make_reply(reply.thread), "Changed.")


def test_the_review_queue_still_deletes_with_its_note(make, moderator, reply):
    for _ in range(3):
        flags.flag_post(make.make_user(), reply, NewFlag("spam"))
    item = next(i for i in review_queue.list_open(moderator, 50).items if i.post_id == reply.id)
    review_queue.resolve_item(moderator, item.id, Decision("delete", "Advertising"))
    assert reply.is_deleted
    assert moderation_notes(reply.author_id)[-1] == "A moderator deleted your post. Reason: Advertising"


# --- title, tags and category in the history ------------------------------------------------------------


def test_title_tags_and_category_changes_are_revisions_of_the_question(make, moderator, clock_at):
    thread = make.make_thread(title="Router drops every evening", tags=["wifi", "router"])
    question = reading.question_post(thread)
    old_category = thread.category.name
    elsewhere = make.make_category(name="Hardware")
    posting.edit_post(thread.author, question, "It drops at 8 pm sharp.")
    clock_at.advance(minutes=1)
    posting.update_thread(thread.author, thread, posting.ThreadChange(title="Router drops at 8 pm every evening"))
    clock_at.advance(minutes=1)
    posting.update_thread(moderator, thread, posting.ThreadChange(tags=["router", "fibre"], category_id=elsewhere.id,
                                                                  reason="Hardware question"))
    history = [(r.field, r.body, r.reason, r.editor_id) for r in reading.post_revisions(moderator, question)]
    assert history == [
        ("body", "My router keeps dropping the connection every evening. What can I try?", None, thread.author_id),
        ("title", "Router drops every evening", None, thread.author_id),
        ("tags", "router, wifi", "Hardware question", moderator.id),
        ("category", old_category, "Hardware question", moderator.id),
    ]
    assert [e.reason for e in audit_entries("thread.move")] == ["Hardware question"]


def test_unchanged_values_make_no_revision(make, moderator):
    thread = make.make_thread(title="Router drops every evening", tags=["wifi", "router"])
    before = revision_count()
    posting.update_thread(thread.author, thread, posting.ThreadChange(title="Router drops every evening",
                                                                      tags=["router", "WIFI"]))
    posting.update_thread(moderator, thread, posting.ThreadChange(category_id=thread.category_id, locked=True))
    assert revision_count() == before and thread.locked


def test_a_refused_thread_change_records_no_revision(make):
    thread = make.make_thread(title="Router drops every evening")
    with pytest.raises(Invalid):
        posting.update_thread(thread.author, thread, posting.ThreadChange(title="A fine new title", tags=["bad tag!"]))
    assert revision_count() == 0


def test_a_moderator_retitling_someone_elses_question_is_audited_and_the_asker_told_why(make, moderator):
    thread = make.make_thread(title="HELP!!! router broken")
    question = reading.question_post(thread)
    posting.update_thread(moderator, thread, posting.ThreadChange(title="Router drops the connection every evening",
                                                                  tags=["router"], reason="A title others can find"))
    (entry,) = audit_entries("thread.edit")
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, thread.id, "A title others can find")
    assert moderation_notes(question.author_id) == ["A moderator edited your post. Reason: A title others can find"]
    posting.update_thread(thread.author, thread, posting.ThreadChange(title="Router drops the connection at night"))
    assert len(audit_entries("thread.edit")) == 1  # the asker's own change is not a moderator action
