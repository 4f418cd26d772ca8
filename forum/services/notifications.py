"""Notifications: in-app rows, and email immediately or in a daily digest, per user's choice.

Events call the on_* functions inside their own transaction, so a notification (and the job
that emails it) exists exactly when the change that caused it commits. Nobody is told about
their own actions. The emails themselves are rendered by the worker (EMAIL_JOB), not in the
request: a reply to a thread with many watchers would otherwise render two templates per
watcher while the poster waits, holding the database's write lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import joinedload

from forum.accounts import directory
from forum.core import clock, i18n, outbox
from forum.core.errors import Invalid, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.http import urls
from forum.mail import bounces, sending
from forum.mail.sending import absolute_url, queue_email
from forum.models import Article, Notification, NotificationKind, Post, Thread, User, Visibility
from forum.models.relations import ignore_in_force
from forum.services import subscriptions

UNSUBSCRIBE_SALT = "unsubscribe"
EMAIL_FREQUENCIES = ("immediately", "daily", "off")
# Votes arrive in bursts: they are batched in-app and only ever emailed in digests.
DIGEST_ONLY_KINDS = {NotificationKind.VOTES.value}
EMAIL_JOB = "notifications.email"
EMAIL_BATCH = 100  # notifications per email job: a reply to a much-watched thread becomes several short jobs
# What a member hears because of someone else's words: none of it reaches whoever ignores that someone
# (forum.accounts.blocks). Staff notices (moderation, cases, account, incidents) are never in here.
IGNORABLE_KINDS = frozenset({NotificationKind.MENTION, NotificationKind.QUOTE, NotificationKind.REPLY,
                             NotificationKind.NEW_QUESTION, NotificationKind.MESSAGE})
# A post tells a member of it once: by mention or by quote (a quote counts as the mention it contains).
POST_NAMING_KINDS = (NotificationKind.MENTION.value, NotificationKind.QUOTE.value)

SUBJECTS = {
    NotificationKind.REPLY: _l("New reply: %(title)s"),
    NotificationKind.MENTION: _l("%(actor)s mentioned you: %(title)s"),
    NotificationKind.QUOTE: _l("%(actor)s quoted you: %(title)s"),
    NotificationKind.MESSAGE: _l("%(actor)s sent you a message"),
    NotificationKind.ACCEPTED: _l("Your reply solved “%(title)s”"),
    NotificationKind.VOTES: _l("People found your post helpful: %(title)s"),
    NotificationKind.NEW_QUESTION: _l("New question: %(title)s"),
    NotificationKind.NEEDS_INFO: _l("More information needed: %(title)s"),
    NotificationKind.FEEDBACK_REQUEST: _l("Did this resolve your issue? %(title)s"),
    NotificationKind.REMINDER: _l("Did a reply solve “%(title)s”?"),
    NotificationKind.CASE_UPDATE: _l("Update on your support case: %(title)s"),
    # Thread-less kinds carry their words in the row's message; %(title)s is empty for them.
    NotificationKind.BADGE: _l("You earned a badge"),
    NotificationKind.MISSION: _l("Mission complete"),
    NotificationKind.MODERATION: _l("A moderator looked at your post: %(title)s"),
    NotificationKind.ACCOUNT: _l("About your account"),
    NotificationKind.INCIDENT: _l("Possible incident: %(title)s"),
    NotificationKind.INTEGRATION: _l("An integration needs attention"),
    NotificationKind.MERGED: _l("A question you follow continues here: %(title)s"),  # %(title)s: the merge target
    NotificationKind.DATA_EXPORT: _l("Your data export is ready"),
    NotificationKind.ARTICLE: _l("About your article “%(title)s”"),  # the article's title (Notification.article_id)
    NotificationKind.IDEA: _l("News on the idea “%(title)s”"),  # the message says the new status and staff's note
}


@dataclass(frozen=True)
class Event:
    kind: NotificationKind
    thread: Thread | None
    post: Post | None = None
    actor: User | None = None
    message: str = ""
    conversation_id: int | None = None  # a private conversation's message (forum.conversations)
    article_id: int | None = None  # a knowledge-base article (forum.knowledge.lifecycle, reviews)


def thread_path(thread: Thread | None, post: Post | None = None) -> str:
    """Where a notification leads: the thread (at the post), or the notifications page for thread-less ones."""
    if thread is None:
        return "/notifications"
    return urls.thread_path(thread, anchor=f"p{post.id}" if post is not None else "")


def path_for(notification: Notification) -> str:
    """Where one notification leads: its private conversation (forum.conversations' page), its article, else
    thread_path."""
    if notification.conversation_id is not None:
        return f"/messages/{notification.conversation_id}"
    article = _article_of(notification)
    if article is not None:
        return article.path
    return thread_path(notification.thread, notification.post)


def has_link(notification: Notification) -> bool:
    """Whether the notification leads somewhere besides the notifications page (lists link only those)."""
    return (notification.thread_id is not None or notification.conversation_id is not None
            or notification.article_id is not None)


def _article_of(notification: Notification) -> Article | None:
    """The article a notification is about (Session.get: one lookup per article, none when already loaded)."""
    return db.session.get(Article, notification.article_id) if notification.article_id is not None else None


def _title_of(notification: Notification) -> str:
    if notification.thread is not None:
        return notification.thread.title
    article = _article_of(notification)
    return article.title if article is not None else ""


def describe(notification: Notification) -> str:
    """One line for lists and emails, in plain text, in the reader's language (an email: i18n.reading_as)."""
    return str(SUBJECTS[NotificationKind(notification.kind)]) % {
        "title": _title_of(notification),
        "actor": notification.actor.name if notification.actor else _("Someone"),
    } + (f" ({notification.count})" if notification.count > 1 else "")


def notify(recipient_ids: Iterable[int], event: Event) -> dict[int, int]:
    """Create one notification per recipient (never the actor); those who want email now get it from the worker.

    All of them in one INSERT … SELECT (a reply to a much-watched thread is one statement, not one per
    watcher), which also leaves out, for IGNORABLE_KINDS, every recipient who ignores the actor: the
    filter costs no statement of its own. Returns recipient id → notification id.
    """
    actor_id = event.actor.id if event.actor else None
    ids = sorted(set(recipient_ids) - {actor_id})
    if not ids:
        return {}
    row = {"kind": event.kind.value, "thread_id": _flushed_id(event.thread), "post_id": _flushed_id(event.post),
           "actor_id": actor_id, "count": 1, "message": event.message, "created_at": clock.now(),
           "conversation_id": event.conversation_id, "article_id": event.article_id}
    columns = Notification.__table__.c
    recipients = select(User.id, *(literal(value, columns[name].type) for name, value in row.items()))
    recipients = recipients.where(User.id.in_(ids)).order_by(User.id)
    if actor_id is not None and event.kind in IGNORABLE_KINDS:
        recipients = recipients.where(~ignore_in_force(User.id, actor_id))  # not_ignoring's rule, inside the INSERT
    created = dict(db.session.execute(
        insert(Notification).from_select(["user_id", *row], recipients)
        .returning(Notification.user_id, Notification.id)
    ).all())
    if created and event.kind.value not in DIGEST_ONLY_KINDS:
        _email_soon(created)
    return created


def _flushed_id(target: Thread | Post | None) -> int | None:
    """The row's id, flushing first when it was only just added (a new thread's question, say)."""
    if target is not None and target.id is None:
        db.session.flush()
    return target.id if target is not None else None


def _email_soon(created: dict[int, int]) -> None:
    """Queue the emails of recipients who want them immediately: one job per EMAIL_BATCH, rendered by the worker.

    Daily and "off" recipients get no job: the digest (or nobody) takes their notifications, as before.
    """
    wanting = db.session.scalars(
        select(User.id).where(User.id.in_(list(created)), User.email_frequency == "immediately").order_by(User.id)
    )
    ids = [created[user_id] for user_id in wanting]
    for start in range(0, len(ids), EMAIL_BATCH):
        outbox.enqueue(EMAIL_JOB, {"notification_ids": ids[start:start + EMAIL_BATCH]})


def email_notifications_job(payload: dict) -> None:
    """Render and queue the email of each notification named, once, if its recipient still wants email now.

    Idempotent: a notification is claimed by stamping emailed_at where it is still empty, so a rerun
    (a worker killed mid-job) or a daily digest racing it never sends it twice. Someone who switched
    to the daily digest or to "off" since the notification was made is not emailed now: the digest
    (or nobody) takes it, as their setting says. Erasure deletes a member's notifications, so an
    erased member is never emailed. Nor is an address whose mail keeps bouncing (forum.mail.bounces,
    one lookup for the batch): its notifications are claimed all the same, and stay in-app only.
    SMTP is the mail.send job's: this one only writes rows.
    """
    rows = db.session.scalars(
        select(Notification)
        .options(joinedload(Notification.user), joinedload(Notification.thread), joinedload(Notification.actor))
        .where(Notification.id.in_(payload["notification_ids"]), Notification.emailed_at.is_(None))
        .order_by(Notification.id)
    ).all()
    stopped = bounces.suppressed_among(row.user.email for row in rows)
    for row in rows:
        if row.user.email_frequency == "immediately" and _claim_email(row) and row.user.email.lower() not in stopped:
            _email_now(row.user, row)
    db.session.commit()


def _claim_email(row: Notification) -> bool:
    claimed = db.session.execute(
        update(Notification).where(Notification.id == row.id, Notification.emailed_at.is_(None))
        .values(emailed_at=clock.now()), execution_options={"synchronize_session": False},
    ).rowcount
    return bool(claimed)


def _email_now(user: User, row: Notification) -> None:
    """One notification's email, in its thread's conversation in the mail client, answerable by replying
    where an answer makes sense (the recipient's own reply address: forum.mail.sending.mail_thread_for)."""
    thread = sending.mail_thread_for(row)
    with i18n.reading_as(user.language, user.time_zone):  # the recipient's words, whoever's job this is
        subject, summary, hint = email_subject(row, thread.ref), describe(row), thread.reply_hint
    queue_email(
        user.email, subject, "notification", reply_to=thread.reply_to, thread_ref=thread.ref, suppression_checked=True,
        user=user, notification=row, summary=summary, reply_hint=hint,
        link=absolute_url(path_for(row)), unsubscribe=unsubscribe_url(user),
    )


def email_subject(row: Notification, thread_ref: str | None) -> str:
    """One subject for every email about one thread, case or conversation: mail clients (Gmail above all)
    group a conversation by subject as well as by References. A thread's is its title ("Re: " after the
    question's own announcement); what happened opens the email's text. News about a thread that is no
    part of its talk (an accepted answer) says what happened, as other emails do: "Re: " would read as
    another reply (its References still group it in clients that follow those alone)."""
    if thread_ref is None or (thread_ref.startswith("thread-") and row.kind not in sending.REPLYABLE_THREAD_KINDS):
        return describe(row)
    if thread_ref.startswith("conversation-"):
        if not row.message:
            return _("Your private conversation")
        return _("Private conversation: %(title)s", title=row.message)
    title = row.thread.title if row.thread is not None else ""
    if thread_ref.startswith("case-"):
        if row.user.is_staff:  # the agents working it: not "your" case
            return _("Case #%(number)s: %(title)s", number=thread_ref.removeprefix("case-"), title=title)
        return _("Update on your support case: %(title)s", title=title)
    return title if row.kind == NotificationKind.NEW_QUESTION.value else f"Re: {title}"


def on_new_thread(thread: Thread, question: Post, author: User) -> None:
    """The author watches their thread; people quoted or @mentioned hear of it; so do category and tag followers."""
    subscriptions.watch(author, thread, auto=True, commit=False)
    named = _tell_named(thread, question, author)
    followers = subscriptions.new_question_followers(thread) - named
    notify(followers, Event(NotificationKind.NEW_QUESTION, thread, question, author))


def on_reply(thread: Thread, post: Post, author: User) -> None:
    """Watchers hear of the reply; people quoted or @mentioned get a quote or mention instead; the author now watches.

    The author's automatic watch needs no statement when they already have a row for the thread:
    watching already, or muted (an automatic watch never undoes a mute).
    """
    named = _tell_named(thread, post, author)
    subscribed = subscriptions.thread_subscriptions(thread)
    watchers = {user_id for user_id, muted in subscribed.items() if not muted}
    notify(watchers - named, Event(NotificationKind.REPLY, thread, post, author))
    if author.id not in subscribed:
        subscriptions.watch(author, thread, auto=True, commit=False)


def on_edit(post: Post) -> None:
    """Members an edit newly quotes hear of it, once per post: never a second time, nor after a mention of it.

    Only a live post tells anyone (a held edit waits for approval); it is the author's quote, whoever edited.
    Mentions added by an edit stay untold, as before: an edit is not news to the people it names.
    """
    thread = post.thread
    live = (post.visibility, thread.visibility) == (Visibility.PUBLIC.value,) * 2
    if not live or post.deleted_at is not None or thread.deleted_at is not None:
        return
    quoted = directory.quoted_and_mentioned(post.body).quoted
    if not quoted:
        return
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.post_id == post.id, Notification.kind.in_(POST_NAMING_KINDS))))
    recipients = set(directory.ids_by_username(quoted).values()) - told
    notify(recipients, Event(NotificationKind.QUOTE, thread, post, post.author))


def _tell_named(thread: Thread, post: Post, author: User) -> set[int]:
    """Mention or quote notifications for who the post names, one each (mentioned and quoted: the mention).

    Returns everyone named, including those who ignore the author (notify leaves them out), so that they
    get no reply notification instead either.
    """
    named = directory.quoted_and_mentioned(post.body)
    ids = directory.ids_by_username(named.quoted | named.mentioned)
    mentioned = {user_id for name, user_id in ids.items() if name in named.mentioned}
    quoted = set(ids.values()) - mentioned
    notify(mentioned, Event(NotificationKind.MENTION, thread, post, author))
    notify(quoted, Event(NotificationKind.QUOTE, thread, post, author))
    return mentioned | quoted


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


def list_notifications(user: User | None, limit: int, cursor: str | None = None) -> Page[Notification]:
    """The user's notifications, newest first."""
    if user is None:
        raise NotAuthenticated(_("Sign in to see your notifications."))
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
        raise NotAuthenticated(_("Sign in to manage notifications."))
    if ids is not None and not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid({"ids": [_("Send a list of notification ids.")]})
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
        raise NotFound(_("That notification does not exist, or it is not yours."))


def set_email_preferences(user: User, frequency: str, weekly_digest: bool) -> User:
    if frequency not in EMAIL_FREQUENCIES:
        raise Invalid({"email_frequency": [_("Choose immediately, daily or off.")]})
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
        raise Invalid({"token": [_("This unsubscribe link is not valid.")]}) from exc
    user = db.session.get(User, data.get("uid", 0)) if isinstance(data, dict) else None
    if user is None:
        raise Invalid({"token": [_("This unsubscribe link is not valid.")]})
    return user


def unsubscribe(token: str) -> User:
    """Turn off every notification email (and the weekly digest) for the token's user."""
    user = user_for_unsubscribe_token(token)
    user.email_frequency = "off"
    user.weekly_digest = False
    db.session.commit()
    return user
