"""Concurrent flags, decisions and hides on one post move counters and state exactly once.

Real threads, each with its own app context, session and connection, race on committed data
(SQLite serialises writers; PostgreSQL runs them at once in READ COMMITTED). Run it on both:
`scripts/with-postgres .venv/bin/python -m pytest tests/integration/test_moderation_concurrency.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.models import Post, Thread, User
from forum.services import moderation_state, posting
from moderation.models import Flag, ReviewItem
from moderation.services import flags, review_queue
from tests import factories
from tests.concurrency import race


def flag(user_id: int, post_id: int, reason: str = "spam") -> Callable[[], object]:
    return lambda: flags.flag_post(db.session.get(User, user_id), db.session.get(Post, post_id), flags.NewFlag(reason))


def decide(user_id: int, item_id: int, action: str) -> Callable[[], object]:
    return lambda: review_queue.resolve_item(db.session.get(User, user_id), item_id, review_queue.Decision(action))


def _reply() -> Post:
    thread = factories.make_thread()
    factories.make_reply(thread)
    return factories.make_reply(thread)


@pytest.mark.parametrize("attempt", range(5))  # a race: several tries catch it reliably
@pytest.mark.usefixtures("committed")
def test_members_flagging_at_once_still_hide_the_post_at_the_threshold(app, attempt):
    post_id = _reply().id
    flaggers = [factories.make_user().id for _ in range(3)]
    assert race(app, [flag(user_id, post_id) for user_id in flaggers]) == []
    post = db.session.get(Post, post_id)
    assert post.visibility == "hidden"
    assert db.session.scalar(select(func.count(ReviewItem.id)).where(ReviewItem.post_id == post_id)) == 1
    assert post.thread.reply_count == 1


@pytest.mark.usefixtures("committed")
def test_one_member_flagging_twice_at_once_leaves_one_flag(app):
    post_id, user_id = _reply().id, factories.make_user().id
    failures = race(app, [flag(user_id, post_id), flag(user_id, post_id, "offensive")])
    assert [type(exc) for exc in failures] == [Conflict]
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.post_id == post_id)) == 1


@pytest.mark.usefixtures("committed")
def test_two_moderators_deciding_one_item_at_once_apply_one_decision(app):
    post = _reply()
    flags.flag_post(factories.make_user(), post, flags.NewFlag("spam"))
    post_id = post.id
    item_id = db.session.scalar(select(ReviewItem.id).where(ReviewItem.post_id == post_id))
    moderators = [factories.make_user("moderator").id for _ in range(2)]
    failures = race(app, [decide(moderators[0], item_id, "delete"), decide(moderators[1], item_id, "hide")])
    assert [type(exc) for exc in failures] == [Conflict]
    post = db.session.get(Post, post_id)
    assert post.thread.reply_count == 1


@pytest.mark.usefixtures("committed")
def test_hiding_and_deleting_one_reply_at_once_uncounts_it_once(app):
    post = _reply()
    post_id, moderator_id = post.id, factories.make_user("moderator").id

    def hide() -> None:
        moderation_state.hide_post(db.session.get(Post, post_id), db.session.get(User, moderator_id), "spam")
        db.session.commit()

    def delete() -> None:
        posting.delete_post(db.session.get(User, moderator_id), db.session.get(Post, post_id), reason="Spam")

    assert race(app, [hide, delete]) == []
    thread = db.session.scalar(select(Thread).join(Post, Post.thread_id == Thread.id).where(Post.id == post_id))
    assert thread.reply_count == 1
