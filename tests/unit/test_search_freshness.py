"""Search stays fresh by itself: a write path that never mentions search still queues the thread's update."""

from __future__ import annotations

from sqlalchemy import delete, update

from forum.core.extensions import db
from forum.models import Job, Post, Visibility
from forum.services import reading
from tests.unit.test_index_job_dedup import waiting_updates


def clear_queue() -> None:
    db.session.execute(delete(Job))
    db.session.commit()


def test_an_orm_change_to_what_search_reads_queues_the_thread(make):
    thread = make.make_thread()
    clear_queue()
    question = reading.question_post(thread)
    question.body_html = "<p>Rewritten by a path that knows nothing of search</p>"
    db.session.commit()
    assert len(waiting_updates(thread.id)) == 1


def test_an_update_statement_naming_a_post_queues_its_thread(make):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    clear_queue()
    db.session.execute(update(Post).where(Post.id == reply.id).values(visibility=Visibility.HIDDEN.value))
    db.session.commit()
    assert len(waiting_updates(thread.id)) == 1


def test_moving_a_post_queues_the_thread_it_left_and_the_one_it_joined(make):
    source, target = make.make_thread(), make.make_thread()
    reply = make.make_reply(source)
    clear_queue()
    reply.thread = target
    db.session.commit()
    assert len(waiting_updates(source.id)) == 1 and len(waiting_updates(target.id)) == 1


def test_a_rolled_back_change_queues_nothing(make):
    thread = make.make_thread()
    clear_queue()
    thread.title = "A title that never was"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert waiting_updates(thread.id) == []


def test_a_change_search_does_not_read_queues_nothing(make):
    thread = make.make_thread()
    clear_queue()
    thread.pinned = True
    db.session.commit()
    assert waiting_updates(thread.id) == []
