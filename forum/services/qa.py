"""Q&A that resolves: accepting a solution, helpful votes and "me too".

Counters move by atomic SQL and unique keys stop duplicates, so concurrent clicks on
several app servers can neither double-count nor lose a vote.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from forum import recognition
from forum.core import clock, events
from forum.core.errors import Conflict, Forbidden, Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import MeToo, NotificationKind, Post, Thread, ThreadKind, ThreadStatus, User, Vote
from forum.services import feedback, notifications, subscriptions
from forum.services.permissions import Action, require


class Tally(int):
    """A counter after a vote or "me too", which also says whether this call moved it.

    It is the count itself (the API answers it as a number), and changed tells the pages to
    say "nothing changed" when the vote was already cast or already withdrawn.
    """

    changed: bool

    def __new__(cls, count: int, changed: bool) -> Tally:
        tally = super().__new__(cls, count)
        tally.changed = changed
        return tally


def status_without_solution(thread: Thread) -> str:
    """open, or answered when someone other than the asker has a live reply.

    thread.first_reply_at records exactly that (kept by posting on reply and delete), so no query.
    """
    return ThreadStatus.ANSWERED.value if thread.first_reply_at is not None else ThreadStatus.OPEN.value


def accept_solution(actor: User, thread: Thread, post: Post) -> bool:
    """Mark post as the solution (replacing any earlier one); asker or staff only.

    Returns False when it already was the solution, so the page can say nothing changed.
    """
    require(actor, Action.THREAD_ACCEPT, thread)
    if post.thread_id != thread.id or post.is_question or not post.is_public:
        raise Invalid({"post_id": [_("Choose a visible reply in this thread.")]})
    if thread.kind != ThreadKind.QUESTION.value:
        raise Conflict(_("Only questions have solutions."))
    previous_id = thread.accepted_post_id
    if previous_id == post.id or not _claim_acceptance(thread, previous_id, post):
        return False  # already the solution (perhaps by a concurrent click): nobody is told or paid twice
    db.session.refresh(thread)
    if previous_id is not None:
        recognition.on_solution_dropped(previous_id, actor)
    _end_info_wait(thread)
    thread.accepted_by_id = actor.id
    thread.solved_at = clock.now()
    # Who wrote the answer (a support agent, whatever their standing today), not who they are allowed to act as.
    thread.solved_by = "support" if post.author.is_staff else "community"
    thread.status = ThreadStatus.SOLVED.value
    recognition.on_solution_accepted(thread, post, actor)
    events.publish("thread.solved", thread_id=thread.id)
    notifications.notify([post.author_id], notifications.Event(NotificationKind.ACCEPTED, thread, post, actor))
    feedback.request_feedback(thread)
    db.session.commit()
    return True


def _claim_acceptance(thread: Thread, previous_id: int | None, post: Post) -> bool:
    """Move accepted_post_id from what we read to post by one conditional UPDATE.

    Two concurrent accepts (PostgreSQL READ COMMITTED, or two app servers) cannot both
    succeed, so the ledger never pays for one acceptance twice.
    """
    unchanged = Thread.accepted_post_id.is_(None) if previous_id is None else Thread.accepted_post_id == previous_id
    return bool(
        db.session.execute(
            update(Thread).where(Thread.id == thread.id, unchanged).values(accepted_post_id=post.id)
        ).rowcount
    )


def _end_info_wait(thread: Thread) -> None:
    """A solution ends any "needs more info" wait; the waited time still counts as paused."""
    if thread.needs_info_since is not None:
        thread.paused_seconds += int((clock.now() - thread.needs_info_since).total_seconds())
    thread.needs_info_note = None
    thread.needs_info_by_id = None
    thread.needs_info_since = None


def unaccept_solution(actor: User, thread: Thread) -> bool:
    """Remove the accepted solution; the thread falls back to answered or open. False: there was none."""
    require(actor, Action.THREAD_ACCEPT, thread)
    if thread.accepted_post_id is None:
        return False
    drop_solution(thread, actor)
    db.session.commit()
    return True


def drop_solution(thread: Thread, actor: User | None = None) -> None:
    """Clear the accepted reply (unaccepted, deleted or hidden), undo what accepting paid, recompute status.

    The reply is released by a conditional UPDATE, like _claim_acceptance: if a concurrent
    accept already replaced it, that newer solution stands (and its pay with it) instead of
    being cleared here while its ledger rows stay. The caller commits.
    """
    previous_id = thread.accepted_post_id
    if previous_id is not None:
        released = db.session.execute(
            update(Thread).where(Thread.id == thread.id, Thread.accepted_post_id == previous_id)
            .values(accepted_post_id=None)
        ).rowcount
        if not released:
            db.session.refresh(thread)
            return
        recognition.on_solution_dropped(previous_id, actor)
    thread.accepted_post_id = None
    thread.accepted_by_id = None
    thread.solved_at = None
    thread.solved_by = None
    db.session.flush()
    thread.status = status_without_solution(thread)


def vote_helpful(actor: User, post: Post) -> Tally:
    """Add actor's helpful vote; voting twice counts once. Returns the post's vote count."""
    require(actor, Action.POST_VOTE, post)
    if post.author_id == actor.id:
        raise Forbidden(_("You can't vote for your own post."))
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Vote).values(user_id=actor.id, post_id=post.id, created_at=clock.now()))
    except IntegrityError:
        added = False  # already voted: the primary key kept it to one
    else:
        added = True
        _move_vote_count(post, +1)
        recognition.on_vote_added(post, actor)
        notifications.on_vote(post, actor)
    db.session.commit()
    db.session.refresh(post)
    return Tally(post.vote_count, added)


def _move_vote_count(post: Post, delta: int) -> None:
    """Atomic counter moves; a question's votes also count on its thread (lists sort by them)."""
    db.session.execute(update(Post).where(Post.id == post.id).values(vote_count=Post.vote_count + delta))
    if post.is_question:
        db.session.execute(
            update(Thread).where(Thread.id == post.thread_id).values(vote_count=Thread.vote_count + delta)
        )


def withdraw_vote(actor: User, post: Post) -> Tally:
    """Take back actor's helpful vote; withdrawing a vote never cast changes nothing (changed is False)."""
    require(actor, Action.POST_VOTE, post)
    removed = db.session.execute(delete(Vote).where(Vote.user_id == actor.id, Vote.post_id == post.id)).rowcount
    if removed:
        _move_vote_count(post, -1)
        recognition.on_vote_withdrawn(post, actor)
    db.session.commit()
    db.session.refresh(post)
    return Tally(post.vote_count, bool(removed))


def add_me_too(actor: User, thread: Thread) -> Tally:
    """"I have this question too": counted once per user, and not for the asker (it is their question)."""
    require(actor, Action.THREAD_ME_TOO, thread)
    if actor.id == thread.author_id:
        raise Forbidden(_("This is your own question."))
    try:
        with db.session.begin_nested():
            db.session.execute(insert(MeToo).values(user_id=actor.id, thread_id=thread.id, created_at=clock.now()))
    except IntegrityError:
        added = False  # said before: counted once
    else:
        added = True
        db.session.execute(update(Thread).where(Thread.id == thread.id).values(me_too_count=Thread.me_too_count + 1))
    subscriptions.watch(actor, thread, auto=True, commit=False)
    db.session.commit()
    db.session.refresh(thread)
    return Tally(thread.me_too_count, added)


def remove_me_too(actor: User, thread: Thread) -> Tally:
    """Take back "me too"; changed is False when actor had not said it."""
    require(actor, Action.THREAD_ME_TOO, thread)
    removed = db.session.execute(
        delete(MeToo).where(MeToo.user_id == actor.id, MeToo.thread_id == thread.id)
    ).rowcount
    if removed:
        db.session.execute(update(Thread).where(Thread.id == thread.id).values(me_too_count=Thread.me_too_count - 1))
    db.session.commit()
    db.session.refresh(thread)
    return Tally(thread.me_too_count, bool(removed))


def voted_post_ids(viewer: User | None, post_ids: list[int]) -> set[int]:
    """Which of these posts the viewer has voted helpful (one query for a whole page)."""
    if viewer is None or not post_ids:
        return set()
    return set(db.session.scalars(select(Vote.post_id).where(Vote.user_id == viewer.id, Vote.post_id.in_(post_ids))))


def has_me_too(viewer: User | None, thread: Thread) -> bool:
    """Whether the viewer said "me too" on this thread (one query; for a single thread's page)."""
    if viewer is None:
        return False
    return bool(db.session.scalar(select(exists().where(MeToo.user_id == viewer.id, MeToo.thread_id == thread.id))))
