"""Notifications: in-app rows, and email immediately or in a daily digest, per user's choice.

Events call the on_* functions inside their own transaction, so a notification (and its
queued email) exists exactly when the change that caused it commits. Nobody is told
about their own actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import Invalid, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.http import urls
from forum.models import Notification, NotificationKind, Post, Thread, User
from forum.services import markup, subscriptions
from forum.services.mail import absolute_url, queue_email

UNSUBSCRIBE_SALT = "unsubscribe"
EMAIL_FREQUENCIES = ("immediately", "daily", "off")
# Votes arrive in bursts: they are batched in-app and only ever emailed in digests.
DIGEST_ONLY_KINDS = {NotificationKind.VOTES.value}

SUBJECTS = {
    NotificationKind.REPLY: "New reply: {title}",
    NotificationKind.MENTION: "{actor} mentioned you: {title}",
    NotificationKind.ACCEPTED: "Your reply solved “{title}”",
    NotificationKind.VOTES: "People found your post helpful: {title}",
    NotificationKind.NEW_QUESTION: "New question: {title}",
    NotificationKind.NEEDS_INFO: "More information needed: {title}",
    NotificationKind.FEEDBACK_REQUEST: "Did this resolve your issue? {title}",
    NotificationKind.REMINDER: "Did a reply solve “{title}”?",
    NotificationKind.CASE_UPDATE: "Update on your support case: {title}",
    # Thread-less kinds carry their words in the row's message; {title} is empty for them.
    NotificationKind.BADGE: "You earned a badge",
    NotificationKind.MISSION: "Mission complete",
    NotificationKind.MODERATION: "A moderator looked at your post: {title}",
    NotificationKind.ACCOUNT: "About your account",
    NotificationKind.INCIDENT: "Possible incident: {title}",
    NotificationKind.INTEGRATION: "An integration needs attention",
    NotificationKind.MERGED: "A question you follow continues here: {title}",  # {title}: the merge target
    NotificationKind.DATA_EXPORT: "Your data export is ready",
}


@dataclass(frozen=True)
class Event:
    kind: NotificationKind
    thread: Thread | None
    post: Post | None = None
    actor: User | None = None
    message: str = ""


def thread_path(thread: Thread | None, post: Post | None = None) -> str:
    """Where a notification leads: the thread (at the post), or the notifications page for thread-less ones."""
    if thread is None:
        return "/notifications"
    return urls.thread_path(thread, anchor=f"p{post.id}" if post is not None else "")


def describe(notification: Notification) -> str:
    """One line for lists and emails, in plain text."""
    return SUBJECTS[NotificationKind(notification.kind)].format(
        title=notification.thread.title if notification.thread else "",
        actor=notification.actor.name if notification.actor else "Someone",
    ) + (f" ({notification.count})" if notification.count > 1 else "")


def notify(recipient_ids: Iterable[int], event: Event) -> list[Notification]:
    """Create one notification per recipient (never the actor) and queue immediate emails."""
    actor_id = event.actor.id if event.actor else None
    ids = sorted(set(recipient_ids) - {actor_id})
    if not ids:
        return []
    created = []
    moment = clock.now()
    for user_id in ids:
        row = Notification(
            user_id=user_id, kind=event.kind.value, thread=event.thread, post=event.post, actor=event.actor,
            count=1, message=event.message, created_at=moment,
        )
        db.session.add(row)
        created.append(row)
    db.session.flush()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for row in created:
        if users[row.user_id].email_frequency == "immediately" and row.kind not in DIGEST_ONLY_KINDS:
            _email_now(users[row.user_id], row)
    return created


def _email_now(user: User, row: Notification) -> None:
    queue_email(
        user.email, describe(row), "notification",
        user=user, notification=row, summary=describe(row),
        link=absolute_url(thread_path(row.thread, row.post)), unsubscribe=unsubscribe_url(user),
    )
    row.emailed_at = clock.now()


def on_new_thread(thread: Thread, question: Post, author: User) -> None:
    """The author watches their thread; category and tag followers hear of new questions."""
    subscriptions.watch(author, thread, auto=True, commit=False)
    mentioned = _mentioned_ids(question.body)
    notify(mentioned, Event(NotificationKind.MENTION, thread, question, author))
    followers = subscriptions.new_question_followers(thread) - mentioned
    notify(followers, Event(NotificationKind.NEW_QUESTION, thread, question, author))


def on_reply(thread: Thread, post: Post, author: User) -> None:
    """Watchers hear of the reply; people @mentioned get a mention instead; the author now watches."""
    mentioned = _mentioned_ids(post.body)
    notify(mentioned, Event(NotificationKind.MENTION, thread, post, author))
    notify(subscriptions.thread_watchers(thread) - mentioned, Event(NotificationKind.REPLY, thread, post, author))
    subscriptions.watch(author, thread, auto=True, commit=False)


def on_vote(post: Post, voter: User) -> None:
    """Batch votes: bump the unread "votes" notification for this post, or start one."""
    bumped = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == post.author_id, Notification.post_id == post.id,
            Notification.kind == NotificationKind.VOTES.value, Notification.read_at.is_(None),
        )
        .values(count=Notification.count + 1, created_at=clock.now(), actor_id=voter.id)
    ).rowcount
    if not bumped:
        notify([post.author_id], Event(NotificationKind.VOTES, post.thread, post, voter))


def _mentioned_ids(body: str) -> set[int]:
    names = markup.mentioned_usernames(body)
    if not names:
        return set()
    return set(db.session.scalars(select(User.id).where(User.username_key.in_(names))))


def list_notifications(user: User | None, limit: int, cursor: str | None = None) -> Page[Notification]:
    """The user's notifications, newest first."""
    if user is None:
        raise NotAuthenticated("Sign in to see your notifications.")
    statement = (
        select(Notification)
        .options(joinedload(Notification.thread), joinedload(Notification.actor), joinedload(Notification.post))
        .where(Notification.user_id == user.id)
    )
    after = decode_cursor(cursor, [int])
    if after:
        statement = statement.where(Notification.id < after[0])
    rows = list(db.session.scalars(statement.order_by(Notification.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page(rows[:limit], next_cursor)


def unread_count(user: User | None) -> int:
    if user is None:
        return 0
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_read(user: User | None, ids: list[int] | None = None) -> int:
    """Mark some (ids) or all of the user's notifications read; returns how many changed.

    Ids that are not the user's own (or do not exist) are refused as NotFound, all or nothing:
    quietly skipping them would tell the caller "done" about someone else's notification.
    """
    if user is None:
        raise NotAuthenticated("Sign in to manage notifications.")
    if ids is not None and not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid({"ids": ["Send a list of notification ids."]})
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        _require_own(user, ids)
        statement = statement.where(Notification.id.in_(ids))
    changed = db.session.execute(statement.values(read_at=clock.now())).rowcount
    db.session.commit()
    return changed


def _require_own(user: User, ids: list[int]) -> None:
    wanted = set(ids)
    own = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.id.in_(wanted))
    ) or 0
    if own != len(wanted):
        raise NotFound("That notification does not exist, or it is not yours.")


def set_email_preferences(user: User, frequency: str, weekly_digest: bool) -> User:
    if frequency not in EMAIL_FREQUENCIES:
        raise Invalid({"email_frequency": ["Choose immediately, daily or off."]})
    user.email_frequency = frequency
    user.weekly_digest = bool(weekly_digest)
    db.session.commit()
    return user


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User) -> str:
    """A signed one-click link that turns off this user's notification emails."""
    return absolute_url(f"/unsubscribe/{_unsubscribe_serializer().dumps({'uid': user.id})}")


def user_for_unsubscribe_token(token: str) -> User:
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature as exc:
        raise Invalid({"token": ["This unsubscribe link is not valid."]}) from exc
    user = db.session.get(User, data.get("uid", 0)) if isinstance(data, dict) else None
    if user is None:
        raise Invalid({"token": ["This unsubscribe link is not valid."]})
    return user


def unsubscribe(token: str) -> User:
    """Turn off every notification email (and the weekly digest) for the token's user."""
    user = user_for_unsubscribe_token(token)
    user.email_frequency = "off"
    user.weekly_digest = False
    db.session.commit()
    return user
