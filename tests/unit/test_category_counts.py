"""Category thread counts are kept in the row and stay exact through every way a thread changes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from forum.core.extensions import db
from forum.models import Category, Post, Thread, Visibility
from forum.recognition import badges
from forum.services import categories, moderation_state, posting
from moderation.services import actions
from tests import factories
from tests.concurrency import race
from tests.queries import count_statements


def true_count(category_id: int) -> int:
    return db.session.scalar(
        select(func.count(Thread.id)).where(Thread.category_id == category_id, Thread.deleted_at.is_(None),
                                            Thread.visibility == Visibility.PUBLIC.value)
    )


def question(thread: Thread):
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(True)))


def kept(category: Category) -> int:
    db.session.expire(category)
    return category.thread_count


def test_new_held_deleted_hidden_and_moved_threads_keep_every_count_exact(make):
    first, second = make.make_category("First"), make.make_category("Second")
    moderator = make.make_user("moderator")
    threads = [make.make_thread(category=first) for _ in range(3)]
    make.make_thread(category=first).visibility = Visibility.PENDING.value  # held for review: not listed
    db.session.commit()
    assert (kept(first), kept(second)) == (3, 0)

    posting.delete_post(threads[0].author, question(threads[0]))
    db.session.commit()
    actions.hide_post(moderator, question(threads[1]), "Off topic")
    db.session.commit()
    actions.move_thread(moderator, threads[2], second.id)
    db.session.commit()
    assert (kept(first), kept(second)) == (0, 1) == (true_count(first.id), true_count(second.id))


def test_a_bulk_update_recounts_and_a_rolled_back_change_does_not(make):
    category = make.make_category()
    make.make_thread(category=category)
    make.make_thread(category=category)
    db.session.commit()
    db.session.execute(update(Thread).where(Thread.category_id == category.id).values(visibility="hidden"))
    db.session.commit()
    assert kept(category) == 0

    shown = db.session.scalar(select(Thread).where(Thread.category_id == category.id))
    shown.visibility = Visibility.PUBLIC.value
    db.session.flush()
    db.session.rollback()
    make.make_user()  # an unrelated commit afterwards
    assert kept(category) == 0 == true_count(category.id)


def test_listing_categories_costs_one_statement_however_many_threads(make):
    small, big = make.make_category("Small"), make.make_category("Big")
    make.make_thread(category=small)
    for _ in range(30):
        make.make_thread(category=big)
    db.session.commit()
    db.session.expire_all()
    with count_statements() as statements:
        listed = {category.name: count for category, count in categories.list_categories()}
    assert listed["Small"] == 1 and listed["Big"] == 30
    assert len(statements) == 1


def test_threads_started_at_once_in_one_category_are_all_counted(app, committed):
    category_id = factories.make_category().id
    authors = [factories.make_user().id for _ in range(8)]

    def ask(author_id: int):
        return lambda: posting.start_thread(
            db.session.get(factories.User, author_id),
            posting.NewThread(category_id=category_id, title=f"Question number {author_id} about invoices",
                              body="My invoice is missing since the last update, what can I do?"),
        ) and db.session.commit()

    assert race(app, [ask(author) for author in authors]) == []
    db.session.remove()
    assert db.session.get(Category, category_id).thread_count == 8 == true_count(category_id)


def test_a_counter_update_on_threads_does_not_recount(make):
    """Every reply bumps thread.reply_count with a bulk UPDATE; recounting all categories for it was the
    largest cost of posting a reply in the bench profile."""
    category = make.make_thread().category
    db.session.commit()
    with count_statements() as statements:
        db.session.execute(update(Thread).values(reply_count=Thread.reply_count + 1))
        db.session.commit()
    assert not any("category" in statement.lower() for statement in statements)
    assert kept(category) == 1


def test_a_rolled_back_savepoint_does_not_forget_an_earlier_thread_change(make):
    """Services use savepoints as insert-or-ignore; one that loses after a thread was hidden in the
    same transaction must not leave the count one too high."""
    category = make.make_category()
    thread = make.make_thread(category=category)
    holder = make.make_user()
    badge = badges.BY_CODE["first_answer"]
    badges.grant(holder.id, badge, tell=False)
    db.session.commit()
    assert kept(category) == 1

    moderation_state.hide_post(question(thread), None, "Spam")  # the caller commits
    assert badges.grant(holder.id, badge, tell=False) is False  # already held: its savepoint rolls back
    db.session.commit()

    assert kept(category) == true_count(category.id) == 0


def test_a_thread_moved_by_someone_else_is_recounted_where_it_now_is(app, committed):
    """A moderator who loaded the thread before another moderator moved it hides it in its new
    category: both categories end exact (PostgreSQL, READ COMMITTED)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers begin with the write lock (BEGIN IMMEDIATE): the move cannot interleave")
    first, second = factories.make_category("First"), factories.make_category("Second")
    thread = factories.make_thread(category=first)
    moderator = factories.make_user(role="moderator")
    first_id, second_id, thread_id, moderator_id = first.id, second.id, thread.id, moderator.id
    db.session.remove()
    loaded = question(db.session.get(Thread, thread_id))
    assert loaded.thread.category_id == first_id  # this request has read the thread

    def move_elsewhere() -> None:
        with app.app_context():
            try:
                mover = db.session.get(factories.User, moderator_id)
                actions.move_thread(mover, db.session.get(Thread, thread_id), second_id)
            finally:
                db.session.remove()

    mover = threading.Thread(target=move_elsewhere)
    mover.start()
    mover.join(timeout=60)
    actions.hide_post(db.session.get(factories.User, moderator_id), loaded, "Spam")
    db.session.commit()
    db.session.remove()
    counts = [db.session.get(Category, category_id).thread_count for category_id in (first_id, second_id)]
    assert counts == [true_count(first_id), true_count(second_id)] == [0, 0]
