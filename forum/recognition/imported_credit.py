"""Reputation a member brought with them: one IMPORTED_SCORE ledger row per imported post (forum.importing).

A post's upvotes at its source become one row on the post's author, worth what those votes would earn
here (a reply's or a question's vote points, as the community's settings stand at import time), dated when the post was
written, so "this week" boards are not flooded by an import. The row is an ordinary ledger row: the
total moves with it and `reputation recompute` finds them in agreement. The daily vote cap does not
apply: those votes were cast over years, elsewhere. Downvotes are not imported (Horseshoe has none).
Callers commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update

from forum.core import outbox
from forum.core.extensions import db
from forum.models import LedgerReason, Post, ReputationEvent, User
from forum.recognition import settings
from forum.recognition.reputation import RECOGNITION_JOB, lock_users


def imported_points(upvotes: int, *, is_question: bool) -> int:
    """What upvotes on an imported post are worth here."""
    reason = LedgerReason.QUESTION_VOTED if is_question else LedgerReason.REPLY_VOTED
    return max(0, upvotes) * settings.points(reason)


def credit_imported_scores(scores: Iterable[tuple[Post, int, datetime]]) -> int:
    """Add one row per (post, upvotes, when) with upvotes > 0; returns how many rows were written.

    The posts must be flushed (they need ids). Each author's total moves once and their badge check
    is queued once, however many of their posts the batch holds.
    """
    moved: dict[int, int] = defaultdict(int)
    rows = 0
    for post, upvotes, when in scores:
        delta = imported_points(upvotes, is_question=post.is_question)
        if delta <= 0:
            continue
        thread = post.thread
        db.session.add(ReputationEvent(
            user_id=post.author_id, delta=delta, reason=LedgerReason.IMPORTED_SCORE.value, post_id=post.id,
            thread_id=thread.id, category_id=thread.category_id, created_at=when,
        ))
        moved[post.author_id] += delta
        rows += 1
    lock_users(moved)
    for user_id, delta in sorted(moved.items()):
        db.session.execute(update(User).where(User.id == user_id).values(reputation=User.reputation + delta))
        outbox.enqueue(RECOGNITION_JOB, {"user_id": user_id})
    return rows
