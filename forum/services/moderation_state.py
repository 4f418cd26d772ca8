"""Counter-exact visibility changes of posts: hold, publish, hide, unhide, soft delete and restore.

A thread's reply_count, first_reply_at, status and the search index count only public, live
replies. Every way a post enters or leaves public view goes through this one module, so the
counters stay exact whichever path (posting, flags, the review queue, moderator actions)
moves it. A question post carries its thread: Thread.visibility mirrors it.

Nothing here checks permissions or commits: the calling service does both, once.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import case, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from forum import recognition
from forum.core import clock, events
from forum.core.extensions import db
from forum.models import NotificationKind, Post, Thread, ThreadStatus, User, Visibility
from forum.services import needs_info, notifications, qa

PENDING_MESSAGE = "Your post is waiting for a moderator's approval."
MERGE_HOPS = 5
# What count_reply moves by SQL, read back by its UPDATE ... RETURNING.
COUNTED_COLUMNS = (Thread.reply_count, Thread.first_reply_at, Thread.last_activity_at, Thread.status)

# Listeners told when a post is held for review: (post, reasons, "new" | "edit").
# moderation registers one that opens a review item; forum never imports moderation.
HoldListener = Callable[[Post, tuple[str, ...], str], None]
_hold_listeners: dict[str, HoldListener] = {}


RemovalListener = Callable[[Post, User | None, str], None]
_removal_listeners: dict[str, RemovalListener] = {}


def on_removed(name: str, listener: RemovalListener) -> None:
    """Register (or replace, by name) a listener for deleted posts; it runs in the caller's transaction.

    Moderation closes the post's open review item whichever path deleted it (author, API, queue).
    """
    _removal_listeners[name] = listener


def on_hold(name: str, listener: HoldListener) -> None:
    """Register (or replace, by name) a listener for held posts; it runs in the caller's transaction."""
    _hold_listeners[name] = listener


# --- counters -----------------------------------------------------------------------------------


def count_reply(thread: Thread, post: Post, by_asker: bool, moment=None) -> None:
    """Count a reply that became public by atomic SQL, so concurrent replies never lose an update.

    A question answered by someone other than the asker becomes "answered". One UPDATE (inside the
    write lock on SQLite, so each statement saved is time no other writer waits) that returns what
    it set: the thread's counted fields are current afterwards without reading it again.
    """
    moment = moment or post.created_at
    values = {"reply_count": Thread.reply_count + 1, "last_activity_at": moment}
    if not by_asker:
        values["first_reply_at"] = func.coalesce(Thread.first_reply_at, post.created_at)
        values["status"] = case((Thread.status == ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value),
                                else_=Thread.status)
    counted = db.session.execute(
        update(Thread).where(Thread.id == thread.id).values(**values).returning(*COUNTED_COLUMNS),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    for column, value in zip(COUNTED_COLUMNS, counted or (), strict=False):  # no row: nothing was counted
        set_committed_value(thread, column.key, value)


def _recount_back(post: Post) -> None:
    """A reply returns to public view (unhidden, restored): count it and recompute the first reply."""
    db.session.execute(update(Thread).where(Thread.id == post.thread_id).values(reply_count=Thread.reply_count + 1))
    db.session.refresh(post.thread)
    recount_first_reply(post.thread)


def _uncount(post: Post) -> None:
    """A reply leaves public view: one fewer reply, and the first reply may now be later, or gone."""
    db.session.execute(update(Thread).where(Thread.id == post.thread_id).values(reply_count=Thread.reply_count - 1))
    db.session.refresh(post.thread)
    recount_first_reply(post.thread)


def recount_first_reply(thread: Thread) -> None:
    """first_reply_at from the public, live replies by someone other than the asker; status follows."""
    thread.first_reply_at = db.session.scalar(
        select(func.min(Post.created_at)).where(
            Post.thread_id == thread.id, Post.is_question.is_(False), Post.deleted_at.is_(None),
            Post.visibility == Visibility.PUBLIC.value, Post.author_id != thread.author_id,
        )
    )
    if thread.status in {ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value}:
        thread.status = qa.status_without_solution(thread)


def recount_thread(thread: Thread) -> None:
    """Recompute reply_count, first_reply_at, status and last activity from the rows (merge, split)."""
    db.session.flush()
    live_public = (Post.thread_id == thread.id, Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value)
    thread.reply_count = db.session.scalar(
        select(func.count(Post.id)).where(*live_public, Post.is_question.is_(False))
    ) or 0
    latest = db.session.scalar(select(func.max(Post.created_at)).where(*live_public))
    thread.last_activity_at = max(latest, thread.last_activity_at) if latest else thread.last_activity_at
    recount_first_reply(thread)


# --- state changes --------------------------------------------------------------------------------


def _claim(post: Post, source: tuple[str, ...], target: Visibility) -> bool:
    """Move visibility from one of source to target by a conditional UPDATE: concurrent moves happen once."""
    moved = db.session.execute(
        update(Post).where(Post.id == post.id, Post.visibility.in_(source)).values(visibility=target.value)
    ).rowcount
    if moved:
        db.session.refresh(post)
        if post.is_question:
            post.thread.visibility = target.value
    return bool(moved)


def _tell_author(post: Post, actor: User | None, message: str) -> None:
    """A MODERATION notification with the reason (never to the actor: notify skips them)."""
    notifications.notify(
        [post.author_id], notifications.Event(NotificationKind.MODERATION, post.thread, post, actor, message)
    )


def tell_author_of_edit(post: Post, actor: User, reason: str) -> None:
    """A moderator changed someone's post: the author hears that it happened and why."""
    _tell_author(post, actor, "A moderator edited your post." + (f" Reason: {reason}" if reason else ""))


def hold_new_post(post: Post, reasons: tuple[str, ...]) -> None:
    """A just-created post waits for review: not counted, announced or indexed until published."""
    post.visibility = Visibility.PENDING.value
    post.moderation_note = PENDING_MESSAGE
    if post.is_question:
        post.thread.visibility = Visibility.PENDING.value
    db.session.flush()
    for listener in _hold_listeners.values():
        listener(post, reasons, "new")


def hold_edited_post(post: Post, reasons: tuple[str, ...]) -> None:
    """An edit the checks hold takes a public post out of view until a moderator approves it.

    Its reputation stays (the earlier version earned it); a hidden post simply stays hidden.
    """
    if post.visibility == Visibility.HIDDEN.value:
        return
    if _claim(post, (Visibility.PUBLIC.value,), Visibility.PENDING) and not post.is_question and not post.is_deleted:
        _uncount(post)
    post.moderation_note = PENDING_MESSAGE
    for listener in _hold_listeners.values():
        listener(post, reasons, "edit")


def publish_post(post: Post, actor: User | None, *, announce: bool = True) -> bool:
    """Pending → public: count it, and (announce) tell watchers as for a fresh reply or question.

    Publishing is activity: the thread moves up the "active" list now. announce=False is for
    an approved edit of a post people were already told about.
    """
    if not _claim(post, (Visibility.PENDING.value,), Visibility.PUBLIC):
        return False
    post.moderation_note = None
    thread, author = post.thread, post.author
    if post.is_question:
        thread.last_activity_at = max(thread.last_activity_at, clock.now())
        if announce:
            notifications.on_new_thread(thread, post, author)
            events.publish("thread.created", thread_id=thread.id)
    elif not post.is_deleted:
        by_asker = post.author_id == thread.author_id
        count_reply(thread, post, by_asker, moment=max(thread.last_activity_at, clock.now()))
        db.session.refresh(thread)
        recount_first_reply(thread)
        if by_asker and thread.status == ThreadStatus.NEEDS_INFO.value and announce:
            needs_info.clear_info_request(author, thread, commit=False)
        if announce:
            notifications.on_reply(thread, post, author)
            events.publish("post.created", post_id=post.id)
    _tell_author(post, actor, "A moderator approved your post: everyone can see it now.")
    return True


def hide_post(post: Post, actor: User | None, reason: str) -> bool:
    """Public or pending → hidden: uncounted like a delete, solution dropped, reputation reversed.

    A hidden question hides its thread. The author is told why (reason).
    """
    was_public = post.visibility == Visibility.PUBLIC.value
    if not _claim(post, (Visibility.PUBLIC.value, Visibility.PENDING.value), Visibility.HIDDEN):
        return False
    post.moderation_note = reason
    events.publish("post.hidden", post_id=post.id, was_public=was_public)
    if not post.is_deleted:
        if was_public and not post.is_question:
            _uncount(post)
        if post.thread.accepted_post_id == post.id:
            qa.drop_solution(post.thread, actor)
        recognition.on_post_removed(post, actor)
    _tell_author(post, actor, f"Your post was hidden pending review. Reason: {reason}")
    return True


def unhide_post(post: Post, actor: User | None, reason: str = "") -> bool:
    """Hidden → public: counted again and its reputation restored (a dropped solution stays dropped)."""
    if not _claim(post, (Visibility.HIDDEN.value,), Visibility.PUBLIC):
        return False
    post.moderation_note = None
    if not post.is_deleted:
        if not post.is_question:
            _recount_back(post)
        recognition.restore_for_post(post, actor)
    _tell_author(post, actor, "A moderator reviewed your post and made it visible again."
                 + (f" Note: {reason}" if reason else ""))
    return True


def remove_post(post: Post, actor: User | None, reason: str = "", *, tell_author: bool = False) -> bool:
    """Soft-delete: a public reply is uncounted, a question takes its thread out of view, reputation reversed.

    The row is claimed with a conditional UPDATE, so two concurrent deletes (PostgreSQL runs
    READ COMMITTED) move the counters once. False when it was already deleted.
    """
    moment = clock.now()
    claimed = db.session.execute(
        update(Post).where(Post.id == post.id, Post.deleted_at.is_(None))
        .values(deleted_at=moment, deleted_by_id=actor.id if actor is not None else None)
    ).rowcount
    if not claimed:
        return False
    db.session.refresh(post)
    thread = post.thread
    if post.is_question:
        thread.deleted_at = moment
    elif post.visibility == Visibility.PUBLIC.value:
        _uncount(post)
    if thread.accepted_post_id == post.id:
        qa.drop_solution(thread, actor)
    recognition.on_post_removed(post, actor)
    for listener in _removal_listeners.values():
        listener(post, actor, reason)
    if tell_author:
        _tell_author(post, actor, "A moderator deleted your post." + (f" Reason: {reason}" if reason else ""))
    return True


def restore_post(post: Post, actor: User | None) -> bool:
    """Soft-deleted → live again: a public reply counts again and gets back its reputation."""
    restored = db.session.execute(
        update(Post).where(Post.id == post.id, Post.deleted_at.is_not(None)).values(deleted_at=None, deleted_by_id=None)
    ).rowcount
    if not restored:
        return False
    db.session.refresh(post)
    if post.is_question:
        post.thread.deleted_at = None
    elif post.visibility == Visibility.PUBLIC.value:
        _recount_back(post)
    if post.visibility == Visibility.PUBLIC.value:
        recognition.restore_for_post(post, actor)
    elif post.visibility == Visibility.PENDING.value:
        # Deleting it decided its review item; restored, it still waits for approval: back in the queue.
        for listener in _hold_listeners.values():
            listener(post, ("Restored while still waiting for approval.",), "new")
    _tell_author(post, actor, "A moderator restored your post.")
    return True


def merged_target(thread_id: int) -> Thread | None:
    """Where a merged thread now lives (following chains of merges), or None if it was not merged."""
    thread, target = db.session.get(Thread, thread_id), None
    for _hop in range(MERGE_HOPS):
        if thread is None or thread.merged_into_id is None:
            break
        thread = target = db.session.get(Thread, thread.merged_into_id)
    return target
