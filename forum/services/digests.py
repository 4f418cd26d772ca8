"""Digest emails: the daily round-up of notifications, and the weekly unanswered-questions digest.

Neither goes to an address whose mail keeps bouncing (forum.mail.bounces): the sweeps leave those members
out in the statement that finds who is due, so a suppressed address costs no query of its own, and a
daily member's notifications wait for their next digest after they ask to try again. Digests carry no
reply address: they tell of many threads.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from forum.core import clock, i18n
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.mail import bounces
from forum.mail.sending import absolute_url, queue_email
from forum.models import Notification, Subscription, Tag, Thread, ThreadKind, ThreadStatus, User, Visibility
from forum.services import notification_groups
from forum.services.notifications import path_for, thread_path, unsubscribe_url

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
WEEKLY_LIMIT = 15


def send_daily_digests() -> int:
    """One email per "daily" user with unsent notifications, at most once a day. Returns emails sent."""
    now = clock.now()
    users = db.session.scalars(
        select(User)
        .where(
            User.email_frequency == "daily", ~bounces.suppressed(User.email),
            or_(User.last_daily_digest_at.is_(None), User.last_daily_digest_at <= now - DAY),
            select(Notification.id)
            .where(Notification.user_id == User.id, Notification.emailed_at.is_(None))
            .exists(),
        )
    ).all()
    sent = 0
    for user in users:
        if _claim(user, User.last_daily_digest_at, now, now - DAY) and _send_daily_digest(user, now):
            sent += 1
    db.session.commit()
    return sent


def _claim(user: User, column, now, due_before) -> bool:
    """Stamp the user's digest time only if still due, so two sweeping workers never both send."""
    return bool(db.session.execute(
        update(User)
        .where(User.id == user.id, or_(column.is_(None), column <= due_before))
        .values({column.key: now})
    ).rowcount)


def _send_daily_digest(user: User, now) -> bool:
    """Mail the notifications this digest claims (stamped where still unsent); False when another sender
    (the immediate-email job, racing a change of preference) took them all first."""
    claimed = db.session.scalars(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.emailed_at.is_(None))
        .values(emailed_at=now).returning(Notification.id),
        execution_options={"synchronize_session": False},
    ).all()
    if not claimed:
        return False
    rows = db.session.scalars(
        select(Notification)
        .options(joinedload(Notification.thread), joinedload(Notification.actor), joinedload(Notification.post))
        .where(Notification.id.in_(claimed))
        .order_by(Notification.id)
    ).all()
    # Replies to one thread are one line ("3 new replies in …"); the subject still counts every update.
    with i18n.reading_as(user.language, user.time_zone):  # the recipient's words, not the worker's
        items = [{"summary": line, "link": absolute_url(path_for(first))}
                 for line, first in notification_groups.digest_lines(rows)]
        # English keeps "1 updates" (the subject mail filters know); other languages say it properly.
        subject = ngettext("Your Horseshoe digest: %(num)d updates", "Your Horseshoe digest: %(num)d updates",
                           len(rows))
    queue_email(user.email, subject, "daily_digest", suppression_checked=True,
                user=user, items=items, unsubscribe=unsubscribe_url(user))
    return True


def unanswered_in_followed(user: User, since) -> list[Thread]:
    """Open questions from the past week in categories or tags the user follows, oldest first."""
    categories = select(Subscription.category_id).where(
        Subscription.user_id == user.id, Subscription.muted.is_(False), Subscription.category_id.is_not(None)
    )
    tags = select(Subscription.tag_id).where(
        Subscription.user_id == user.id, Subscription.muted.is_(False), Subscription.tag_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Thread)
            .where(
                Thread.kind == ThreadKind.QUESTION.value, Thread.status == ThreadStatus.OPEN.value,
                Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLIC.value,
                Thread.created_at >= since, Thread.author_id != user.id,
                or_(Thread.category_id.in_(categories), Thread.tags.any(Tag.id.in_(tags))),
            )
            .order_by(Thread.created_at)
            .limit(WEEKLY_LIMIT)
        )
    )


def send_weekly_digests() -> int:
    """Unanswered questions in what each follower follows, once a week. Returns emails sent."""
    now = clock.now()
    followers = db.session.scalars(
        select(User).where(
            User.weekly_digest.is_(True), User.email_frequency != "off", ~bounces.suppressed(User.email),
            or_(User.last_weekly_digest_at.is_(None), User.last_weekly_digest_at <= now - WEEK),
            select(Subscription.id)
            .where(Subscription.user_id == User.id, Subscription.muted.is_(False), Subscription.thread_id.is_(None))
            .exists(),
        )
    ).all()
    sent = 0
    for user in followers:
        if not _claim(user, User.last_weekly_digest_at, now, now - WEEK):
            continue
        threads = unanswered_in_followed(user, now - WEEK)
        if threads:
            with i18n.reading_as(user.language, user.time_zone):  # the recipient's words, not the worker's
                items = [{"title": t.title, "link": absolute_url(thread_path(t)),
                          "age": _("%(num)d d ago", num=max(1, (now - t.created_at).days))} for t in threads]
                subject = ngettext("%(num)d questions are waiting for you", "%(num)d questions are waiting for you",
                                   len(items))
            queue_email(user.email, subject, "weekly_digest",
                        suppression_checked=True, user=user, items=items, unsubscribe=unsubscribe_url(user))
            sent += 1
    db.session.commit()
    return sent
