"""Two moderators marking duplicates at the same moment (issue 26): real threads race on committed data.

Marking A as a duplicate of B while another moderator marks B as a duplicate of A must not leave a loop
(each pointing at the other, both closed, no thread left answering): one of them wins, the other is told.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.core.extensions import db
from forum.models import Thread, User
from moderation.services import duplicates
from tests import factories
from tests.concurrency import race


def mark(moderator_id: int, thread_id: int, target_id: int):
    def call() -> None:
        duplicates.mark_duplicate(db.session.get(User, moderator_id), db.session.get(Thread, thread_id), target_id,
                                  "Asked before")
    return call


def test_crossed_marks_at_the_same_moment_never_make_a_loop(app, committed):
    first, second = factories.make_thread(), factories.make_thread()
    moderators = [factories.make_user("moderator"), factories.make_user("moderator")]
    ids = (first.id, second.id)
    failures = race(app, [mark(moderators[0].id, ids[0], ids[1]), mark(moderators[1].id, ids[1], ids[0])])

    db.session.remove()
    pointing = dict(db.session.execute(select(Thread.id, Thread.duplicate_of_id).where(Thread.id.in_(ids))).all())
    marked = [thread_id for thread_id, target in pointing.items() if target is not None]
    assert len(marked) == 1, pointing  # exactly one is a duplicate; the other still answers it
    assert len(failures) == 1, failures  # the other moderator was told why, not silently ignored
