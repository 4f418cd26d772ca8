"""Periodic Q&A care run by the worker: feedback requests, reminders to askers, digests.

Each sweep is idempotent (it records what it did on the thread or user), so running it
twice, or on two workers at once, never tells anyone twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update

from forum.core import clock
from forum.core.extensions import db
from forum.models import NotificationKind, Thread, ThreadKind, ThreadStatus, Visibility
from forum.services import digests, feedback, notifications

FEEDBACK_AFTER = timedelta(hours=24)
REMINDERS = (timedelta(days=3), timedelta(days=7))
BATCH = 500
SWEEP_JOB = "qa.sweep"


def _open_questions():
    """Unsolved questions everyone can see (one waiting for approval or hidden is nobody's to chase)."""
    return select(Thread).where(
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLIC.value,
        Thread.status.in_([ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value, ThreadStatus.NEEDS_INFO.value]),
    )


def request_due_feedback() -> int:
    """Ask askers "did this resolve it?" 24 h after the first reply from someone else."""
    due = db.session.scalars(
        _open_questions()
        .where(Thread.feedback_requested_at.is_(None), Thread.first_reply_at <= clock.now() - FEEDBACK_AFTER)
        .limit(BATCH)
    ).all()
    for thread in due:
        feedback.request_feedback(thread)
    db.session.commit()
    return len(due)


def remind_askers() -> int:
    """Remind askers who accepted nothing, 3 and 7 days after the first reply: one reminder per step.

    A thread found late (past both steps) gets a single reminder, not two at once.
    """
    now = clock.now()
    due_step = or_(*[
        (Thread.reminders_sent == step) & (Thread.first_reply_at <= now - delay) for step, delay in enumerate(REMINDERS)
    ])
    due = db.session.scalars(_open_questions().where(due_step).limit(BATCH)).all()
    sent = 0
    for thread in due:
        reached = sum(1 for delay in REMINDERS if thread.first_reply_at <= now - delay)
        claimed = db.session.execute(  # another worker may have sent this step already
            update(Thread)
            .where(Thread.id == thread.id, Thread.reminders_sent == thread.reminders_sent)
            .values(reminders_sent=reached)
        ).rowcount
        if claimed:
            notifications.notify([thread.author_id], notifications.Event(NotificationKind.REMINDER, thread))
            sent += 1
    db.session.commit()
    return sent


def run_sweep(_payload: dict | None = None) -> dict[str, int]:
    """Everything periodic, in one job."""
    return {
        "feedback_requests": request_due_feedback(),
        "reminders": remind_askers(),
        "daily_digests": digests.send_daily_digests(),
        "weekly_digests": digests.send_weekly_digests(),
    }
