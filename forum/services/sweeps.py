"""Periodic Q&A care run by the worker: feedback requests, reminders to askers, digests.

Each sweep is idempotent (it records what it did on the thread or user), so running it
twice, or on two workers at once, never tells anyone twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update

from forum.core import clock, setting_registry
from forum.core.extensions import db
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec
from forum.models import NotificationKind, Thread, ThreadKind, ThreadStatus, Visibility
from forum.services import community_settings, digests, feedback, notifications

BATCH = 500
SWEEP_JOB = "qa.sweep"
_REMINDER_HELP = N_("Reminders go to askers of unsolved questions who accepted no answer; each sweep reads "
                    "these delays, so a change applies to the next sweep.")
setting_registry.register(
    SettingSpec("notifications.feedback_request_hours", float, 24,
                N_("Hours after the first reply from someone else when the asker is asked whether it resolved "
                   "their question."), 0.05, 24 * 90, label=N_("Ask the asker for feedback after"), unit=N_("hours")),
    SettingSpec("notifications.first_reminder_days", float, 3,
                N_("Days after the first reply when an asker who accepted nothing is first reminded."), 0.05, 365,
                label=N_("First reminder to the asker after"), unit=N_("days"), help=_REMINDER_HELP),
    SettingSpec("notifications.second_reminder_days", float, 7,
                N_("Days after the first reply when an asker who still accepted nothing is reminded again."),
                0.05, 365, label=N_("Second reminder to the asker after"), unit=N_("days"), help=_REMINDER_HELP),
)


def feedback_after() -> timedelta:
    return timedelta(hours=community_settings.cached_setting("notifications.feedback_request_hours"))


def reminder_delays() -> tuple[timedelta, ...]:
    """The reminder steps, earliest first (an admin may set the second before the first: the order is by time)."""
    return tuple(sorted(timedelta(days=community_settings.cached_setting(key))
                        for key in ("notifications.first_reminder_days", "notifications.second_reminder_days")))


def _open_questions():
    """Unsolved questions everyone can see (one waiting for approval or hidden is nobody's to chase)."""
    return select(Thread).where(
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLIC.value,
        Thread.status.in_([ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value, ThreadStatus.NEEDS_INFO.value]),
    )


def request_due_feedback() -> int:
    """Ask askers "did this resolve it?" a while (24 h by default) after the first reply from someone else."""
    due = db.session.scalars(
        _open_questions()
        .where(Thread.feedback_requested_at.is_(None), Thread.first_reply_at <= clock.now() - feedback_after())
        .limit(BATCH)
    ).all()
    for thread in due:
        feedback.request_feedback(thread)
    db.session.commit()
    return len(due)


def remind_askers() -> int:
    """Remind askers who accepted nothing, 3 and 7 days (by default) after the first reply: one reminder per step.

    A thread found late (past both steps) gets a single reminder, not two at once.
    """
    now, delays = clock.now(), reminder_delays()
    due_step = or_(*[
        (Thread.reminders_sent == step) & (Thread.first_reply_at <= now - delay) for step, delay in enumerate(delays)
    ])
    due = db.session.scalars(_open_questions().where(due_step).limit(BATCH)).all()
    sent = 0
    for thread in due:
        reached = sum(1 for delay in delays if thread.first_reply_at <= now - delay)
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
