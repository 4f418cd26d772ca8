"""Posting rules: threads, replies, edits with history, soft deletes, status and counters."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from forum.core.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from forum.models import Thread
from forum.services import posting, reading


def test_starting_a_thread_renders_sanitized_html_and_normalizes_tags(make):
    thread = make.make_thread(body="**Help** <script>x</script>", tags=["Wi-Fi", "router", "wi-fi"])
    question = reading.question_post(thread)
    assert question.body_html.startswith("<p><strong>Help</strong> &lt;script&gt;")
    assert [tag.name for tag in thread.tags] == ["router", "wi-fi"]
    assert thread.status == "open" and thread.reply_count == 0


def test_every_problem_with_a_new_thread_is_reported_at_once(make):
    with pytest.raises(Invalid) as caught:
        posting.start_thread(make.make_user(), posting.NewThread(None, "short", "", ["bad tag!"], "poll"))
    assert set(caught.value.errors) == {"category_id", "title", "body", "tags", "kind"}


def test_bodies_over_64_kb_are_refused_with_a_clear_message(make):
    thread = make.make_thread()
    with pytest.raises(Invalid) as caught:
        posting.reply_to_thread(make.make_user(), thread, "x" * (64 * 1024 + 1))
    assert "64 KB" in caught.value.errors["body"][0]


def test_a_reply_from_someone_else_marks_the_question_answered(make):
    thread = make.make_thread()
    posting.reply_to_thread(thread.author, thread, "Some more detail from me")
    assert thread.status == "open"
    make.make_reply(thread)
    assert thread.status == "answered"
    assert thread.reply_count == 2


def test_anonymous_cannot_post_and_locked_threads_refuse_members(make):
    thread = make.make_thread()
    with pytest.raises(NotAuthenticated):
        posting.reply_to_thread(None, thread, "hello there")
    posting.update_thread(make.make_user("moderator"), thread, posting.ThreadChange(locked=True))
    with pytest.raises(Forbidden):
        make.make_reply(thread)
    make.make_reply(thread, author=make.make_user("moderator"))
    assert thread.reply_count == 1


def test_editing_keeps_every_previous_version(make):
    thread = make.make_thread(body="first version")
    post = reading.question_post(thread)
    posting.edit_post(thread.author, post, "second version")
    posting.edit_post(make.make_user("moderator"), post, "third version", reason="Clearer")
    history = reading.post_revisions(thread.author, post)
    assert [revision.body for revision in history] == ["first version", "second version"]
    assert history[1].editor.role == "moderator"
    assert post.body == "third version" and post.edited_at is not None


def test_members_cannot_edit_or_delete_others_posts(make):
    thread = make.make_thread()
    post = reading.question_post(thread)
    stranger = make.make_user()
    with pytest.raises(Forbidden):
        posting.edit_post(stranger, post, "vandalised")
    with pytest.raises(Forbidden):
        posting.delete_post(stranger, post)


def test_deleting_a_reply_hides_it_from_members_and_fixes_the_count(make):
    thread = make.make_thread(replies=2)
    reply = reading.list_replies(None, thread, 10).items[0]
    posting.delete_post(reply.author, reply)
    assert thread.reply_count == 1
    assert [p.id for p in reading.list_replies(None, thread, 10).items] != [reply.id]
    moderator = make.make_user("moderator")
    assert reply.id in [p.id for p in reading.list_replies(moderator, thread, 10).items]
    with pytest.raises(NotFound):
        reading.get_post(None, reply.id)


def test_deleting_the_question_removes_the_thread_for_everyone_but_moderators(make):
    thread = make.make_thread()
    posting.delete_post(thread.author, reading.question_post(thread))
    with pytest.raises(NotFound):
        reading.get_thread(make.make_user(), thread.id)
    assert reading.get_thread(make.make_user("moderator"), thread.id).deleted_at is not None


def test_authors_retitle_but_only_moderators_move_lock_and_pin(make):
    thread = make.make_thread()
    other = make.make_category()
    posting.update_thread(thread.author, thread, posting.ThreadChange(title="A clearer title for my question"))
    assert thread.slug == "a-clearer-title-for-my-question"
    with pytest.raises(Forbidden):
        posting.update_thread(thread.author, thread, posting.ThreadChange(pinned=True))
    posting.update_thread(make.make_user("admin"), thread, posting.ThreadChange(category_id=other.id, pinned=True))
    assert thread.category_id == other.id and thread.pinned


def test_a_failed_thread_update_changes_nothing(make, db):
    thread = make.make_thread(title="Original title of the thread")
    with pytest.raises(Invalid):
        posting.update_thread(
            make.make_user("moderator"), thread, posting.ThreadChange(title="Brand new title here", category_id=99999)
        )
    fresh = db.session.get(Thread, thread.id)
    assert fresh.title == "Original title of the thread"


def test_deleting_the_only_helpful_reply_makes_the_question_unanswered_again(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    posting.delete_post(reply.author, reply)
    assert thread.status == "open" and thread.first_reply_at is None and thread.reply_count == 0


def test_deleting_twice_moves_the_counter_once(make):
    thread = make.make_thread(replies=2)
    reply = reading.list_replies(None, thread, 10).items[0]
    moderator = make.make_user("moderator")
    posting.delete_post(moderator, reply, reason="Spam")
    set_committed_value(reply, "deleted_at", None)  # as a request that read it before the first delete
    posting.delete_post(moderator, reply, reason="Spam")
    assert thread.reply_count == 1


@pytest.mark.parametrize(
    "title", ["Line one\nLine two of the title", "Tab\tin the middle of title", "Bell \x07 title here"]
)
def test_titles_with_control_characters_are_refused(make, title):
    with pytest.raises(Invalid) as caught:
        make.make_thread(title=title)
    assert "one line" in caught.value.errors["title"][0]
