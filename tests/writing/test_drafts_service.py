"""The drafts service: keys, limits, who may save what, the bound on drafts, discard on publish, uploads kept."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import uploads
from forum.core.errors import Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.models import Draft, Upload
from forum.services import posting, reading
from forum.writing import drafts, preview
from moderation.services import suspensions


def test_the_limits_are_posting_s():
    assert drafts.MAX_BODY_BYTES == posting.MAX_BODY_BYTES


@pytest.mark.parametrize("key", ["", "question", "question-0", "question-01", "reply-x", "edit--3", "post-3",
                                 "reply-99999999999", "reply-3/", "Reply-3", " reply-3"])
def test_a_key_of_no_known_form_names_nothing(key):
    with pytest.raises(NotFound):
        drafts.parse_key(key)


def test_keys_name_what_the_text_becomes():
    assert drafts.parse_key("question-3") == drafts.DraftKey("question", 3)
    assert drafts.reply_key(42) == "reply-42" and drafts.edit_key(108) == "edit-108"
    assert drafts.question_key(7) == "question-7"


def test_saving_twice_replaces_and_reading_is_own_only(make, clock_at):
    thread, member, other = make.make_thread(), make.make_user(), make.make_user()
    key = drafts.reply_key(thread.id)
    first = drafts.save_draft(member, key, drafts.DraftInput("First go"))
    clock_at.advance(seconds=5)
    second = drafts.save_draft(member, key, drafts.DraftInput("Second go", title="ignored for replies"))
    assert first.id == second.id and second.body == "Second go" and second.title == ""
    assert second.updated_at > second.created_at
    assert drafts.get_draft(member, key).body == "Second go"
    with pytest.raises(NotFound):
        drafts.get_draft(other, key)  # another member's draft under the same key is never found


def test_a_question_draft_keeps_its_title(make):
    category, member = make.make_category(), make.make_user()
    draft = drafts.save_draft(member, drafts.question_key(category.id), drafts.DraftInput("Body", "Title here"))
    assert (draft.title, draft.body) == ("Title here", "Body")


def test_too_long_empty_and_bad_titles_are_refused(make):
    category, member = make.make_category(), make.make_user()
    key = drafts.question_key(category.id)
    with pytest.raises(Invalid) as too_long:
        drafts.save_draft(member, key, drafts.DraftInput("x" * (drafts.MAX_BODY_BYTES + 1)))
    with pytest.raises(Invalid) as empty:
        drafts.save_draft(member, key, drafts.DraftInput("   ", "  "))
    with pytest.raises(Invalid) as title:
        drafts.save_draft(member, key, drafts.DraftInput("Body", "t" * 201))
    assert "body" in too_long.value.errors and "body" in empty.value.errors and "title" in title.value.errors
    assert drafts.save_draft(member, key, drafts.DraftInput("é" * (drafts.MAX_BODY_BYTES // 2))).body
    assert db.session.scalar(select(func.count(Draft.id))) == 1


def test_a_key_naming_what_the_member_may_not_write_is_refused(make):
    member, moderator = make.make_user(), make.make_user(role="moderator")
    thread = make.make_thread()
    posting.update_thread(moderator, thread, posting.ThreadChange(locked=True))
    with pytest.raises(Forbidden):
        drafts.save_draft(member, drafts.reply_key(thread.id), drafts.DraftInput("Locked out"))
    with pytest.raises(Forbidden):  # someone else's post
        drafts.save_draft(member, drafts.edit_key(reading.question_post(thread).id), drafts.DraftInput("Mine now"))
    with pytest.raises(NotFound):
        drafts.save_draft(member, drafts.reply_key(thread.id + 1000), drafts.DraftInput("Nowhere"))
    with pytest.raises(NotFound):
        drafts.save_draft(member, drafts.question_key(99999), drafts.DraftInput("No such category"))
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_a_suspended_member_saves_no_draft_but_reads_theirs(make, clock_at):
    member, moderator = make.make_user(), make.make_user(role="moderator")
    thread = make.make_thread()
    key = drafts.reply_key(thread.id)
    drafts.save_draft(member, key, drafts.DraftInput("Before the suspension"))
    suspensions.suspend_user(moderator, member,
                             suspensions.SuspensionInput(clock_at.now + timedelta(days=3), "Cooling off"))
    with pytest.raises(Forbidden):
        drafts.save_draft(member, key, drafts.DraftInput("During"))
    assert drafts.get_draft(member, key).body == "Before the suspension"


def test_a_member_keeps_a_bounded_number_of_drafts_the_oldest_giving_way(make, clock_at, monkeypatch):
    monkeypatch.setattr(drafts, "MAX_DRAFTS", 3)
    member = make.make_user()
    threads = [make.make_thread() for _ in range(4)]
    for thread in threads:
        clock_at.advance(minutes=1)
        drafts.save_draft(member, drafts.reply_key(thread.id), drafts.DraftInput(f"On {thread.id}"))
    keys = {draft.key for draft in drafts.drafts_of(member)}
    assert keys == {drafts.reply_key(thread.id) for thread in threads[1:]}


def test_publishing_discards_the_matching_draft_only(make):
    member, category = make.make_user(), make.make_category()
    thread = make.make_thread(category=category)
    other_thread = make.make_thread(category=category)
    for key in (drafts.question_key(category.id), drafts.reply_key(thread.id), drafts.reply_key(other_thread.id)):
        drafts.save_draft(member, key, drafts.DraftInput("Half written", "A title in progress"))
    posting.start_thread(member, posting.NewThread(category.id, "My printer is on fire now", "Help please"))
    post = posting.reply_to_thread(member, thread, "Done writing")
    assert {draft.key for draft in drafts.drafts_of(member)} == {drafts.reply_key(other_thread.id)}
    drafts.save_draft(member, drafts.edit_key(post.id), drafts.DraftInput("Better words"))
    posting.edit_post(member, post, "Better words")
    assert {draft.key for draft in drafts.drafts_of(member)} == {drafts.reply_key(other_thread.id)}


def test_the_profile_list_names_what_each_draft_belongs_to(make):
    member, category = make.make_user(), make.make_category(name="Billing")
    thread = make.make_thread()
    drafts.save_draft(member, drafts.question_key(category.id), drafts.DraftInput("b", "Question title"))
    drafts.save_draft(member, drafts.reply_key(thread.id), drafts.DraftInput("reply"))
    entries = {entry.kind: entry for entry in drafts.list_drafts(member)}
    assert entries["question"].category.name == "Billing"
    assert entries["reply"].thread.id == thread.id


def test_delete_is_idempotent(make):
    member, thread = make.make_user(), make.make_thread()
    key = drafts.reply_key(thread.id)
    drafts.save_draft(member, key, drafts.DraftInput("x"))
    assert drafts.delete_draft(member, key) is True
    assert drafts.delete_draft(member, key) is False


def test_the_preview_renders_like_a_post_and_refuses_more_than_a_post_holds(make):
    member = make.make_user()
    html = preview.render_preview(member, "**bold** <script>alert(1)</script>")
    assert "<strong>bold</strong>" in html and "<script>" not in html
    with pytest.raises(preview.TooLong):
        preview.render_preview(member, "x" * (posting.MAX_BODY_BYTES + 1))


def test_an_upload_a_draft_references_is_kept_from_the_orphan_sweep(make, clock_at):
    member, thread = make.make_user(), make.make_thread()
    kept = uploads.store_stream(member, io.BytesIO(b"draft screenshot\n"), "kept.txt", "text/plain")
    lost = uploads.store_stream(member, io.BytesIO(b"forgotten file\n"), "lost.txt", "text/plain")
    stranger = make.make_user()  # a draft by someone else naming the file keeps nothing
    other_thread = make.make_thread()
    drafts.save_draft(member, drafts.reply_key(thread.id),
                      drafts.DraftInput(f"See [the log]({uploads.url_for_upload(kept)})"))
    drafts.save_draft(stranger, drafts.reply_key(other_thread.id),
                      drafts.DraftInput(f"Stolen [link]({uploads.url_for_upload(lost)})"))
    clock_at.advance(hours=25)
    assert uploads.sweep_orphans()["uploads"] == 1
    assert db.session.get(Upload, kept.id) is not None and db.session.get(Upload, lost.id) is None
    drafts.delete_draft(member, drafts.reply_key(thread.id))  # the draft goes: the file is an orphan again
    assert uploads.sweep_orphans()["uploads"] == 1
    assert db.session.get(Upload, kept.id) is None
