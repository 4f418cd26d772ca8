"""A question marked as a duplicate of another (issue 26, item 5): it stays, closed, pointing to where it is answered.

Unlike a merge (moderation.services.actions.merge_threads), nothing moves: the duplicate keeps its
posts, its helpful votes and its own "me too"s, so its asker's words and the helpers' reputation
stay where they were earned, and its address keeps working for whoever arrives from a search
engine, with an "Answered here" banner. What a merge would carry is *added* to the target instead:

- every active watch on the duplicate becomes a watch on the target, unless the person already has
  a row there (a mute on the target wins; a mute on the duplicate is not copied to a thread they
  never chose to silence);
- every "me too" is added to the target's, once per person and never the target's own asker, and
  the target's count is recounted from the rows, so someone who said it on both counts once.

The asker, and everyone whose watch or "me too" was added, hears of it once, with a link to the
target. An open support case on the duplicate stays on it: it is one customer's conversation with
its own SLA clock, and an agent, not a moderator's duplicate mark, decides where it goes (the audit
entry names it). The pair, as it read when it was marked, is kept in DuplicatePair: the
community's own labelled examples for the similar-questions bench (`flask moderation
export-duplicates`).

A mark made by mistake is undone with unmark_duplicate: the thread reopens as it was, and the
label is dropped (a wrong pair would teach the bench a wrong answer). The watches and "me too"s
added to the target stay: people may have come to rely on them, and each can take theirs back.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import exists, func, insert, literal, select, update
from sqlalchemy.orm import aliased, joinedload

from forum import cases
from forum.core import clock
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import (
    AuditEntry,
    MeToo,
    NotificationKind,
    Post,
    Subscription,
    Thread,
    ThreadKind,
    ThreadStatus,
    User,
    Visibility,
)
from forum.services import audit_writer, indexing, reading
from forum.services.permissions import Action, require
from forum.writing import edit_history
from moderation.models import DuplicatePair
from moderation.services.merging import refuse_ideas
from moderation.services.notices import notify_in_their_language

MAX_REASON = edit_history.MAX_REASON
DEFAULT_REASON = N_("The same question was asked and answered before.")  # the list's one-click reason, translated there


def mark_duplicate(actor: User, thread: Thread, target_id: int | None, reason: str = "") -> Thread:
    """Close thread as a duplicate of target_id and add its followers to the target; answers the thread.

    Invalid (422) for a bad target or reason; Conflict (409) when the thread is already marked, merged
    or deleted (a second moderator marking at the same moment gets the Conflict too).
    """
    require(actor, Action.THREAD_MODERATE, thread)
    reason = _check_reason(reason)
    refuse_ideas("target_id", thread)
    _lock_pair(thread.id, target_id)
    _check_source(thread)
    target = _target(thread, target_id)
    refuse_ideas("target_id", target)
    question = reading.question_post(thread)
    before = {"status": thread.status, "duplicate_of_id": None, "target_me_too_count": target.me_too_count}
    claimed = db.session.execute(
        update(Thread).where(Thread.id == thread.id, Thread.duplicate_of_id.is_(None))
        .values(duplicate_of_id=target.id, status=ThreadStatus.CLOSED.value)
    ).rowcount
    if not claimed:
        raise Conflict(_("Another moderator marked this thread as a duplicate a moment ago."))
    db.session.refresh(thread)
    watchers, me_too = _add_watchers(thread, target), _add_me_too(thread, target)
    db.session.add(DuplicatePair(
        thread_id=thread.id, target_id=target.id, marked_by_id=actor.id, title=thread.title,
        body=question.body if question is not None else "", target_title=target.title, reason=reason,
        created_at=clock.now(),
    ))
    _tell(actor, thread, target)
    case = cases.open_case_for(thread)
    audit_writer.record(actor, "thread.duplicate", "thread", thread.id, reason, before, {
        "status": ThreadStatus.CLOSED.value, "duplicate_of_id": target.id,
        "target_me_too_count": target.me_too_count, "carried_watchers": watchers, "carried_me_too": me_too,
        "case_id": case.id if case is not None else None,
    })
    _reindex(thread, target)
    db.session.commit()
    return thread


def unmark_duplicate(actor: User, thread: Thread, reason: str = "") -> bool:
    """Undo a mistaken mark: the thread reopens in the state it had, and its labelled pair is dropped.

    Returns False when the thread was not marked (nothing changes, nothing is audited).
    """
    require(actor, Action.THREAD_MODERATE, thread)
    reason = _check_reason(reason)
    if thread.duplicate_of_id is None:
        return False
    before = {"status": thread.status, "duplicate_of_id": thread.duplicate_of_id}
    thread.status = _status_before_mark(thread)
    target_id, thread.duplicate_of_id = thread.duplicate_of_id, None
    pair = db.session.scalar(select(DuplicatePair).where(DuplicatePair.thread_id == thread.id))
    if pair is not None:
        db.session.delete(pair)
    audit_writer.record(actor, "thread.unduplicate", "thread", thread.id, reason, before,
                        {"status": thread.status, "duplicate_of_id": None})
    db.session.flush()
    indexing.reindex_thread(thread.id, db.session)
    indexing.reindex_thread(target_id, db.session)
    db.session.commit()
    return True


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise Invalid({"reason": [_("Keep the reason under %(most)d characters.", most=MAX_REASON)]})
    return reason


def _check_source(thread: Thread) -> None:
    if thread.deleted_at is not None or thread.merged_into_id is not None:
        raise Conflict(_("This thread is deleted or merged: there is nothing left to mark."))
    if thread.duplicate_of_id is not None:
        raise Conflict(_("This thread is already marked as a duplicate of thread %(number)d; unmark it first to "
                         "point it elsewhere.", number=thread.duplicate_of_id))


def _lock_pair(thread_id: int, target_id: int | None) -> None:
    """Lock both threads, lowest id first, before the checks (PostgreSQL; SQLite has one writer anyway): two
    moderators marking A → B and B → A at the same moment would otherwise both pass and make a loop. The rows
    are read again, so the checks below see what the other moderator committed."""
    ids = sorted({thread_id, target_id} if _is_id(target_id) else {thread_id})
    db.session.execute(select(Thread.id).where(Thread.id.in_(ids)).order_by(Thread.id).with_for_update())
    db.session.execute(select(Thread).where(Thread.id.in_(ids)).execution_options(populate_existing=True))


def _target(thread: Thread, target_id: int | None) -> Thread:
    """The thread where the answer lives: existing, public, not this one, and not itself a duplicate.

    A duplicate of a duplicate is refused rather than silently followed: the moderator sees where
    the chain ends and chooses it, and no banner ever sends readers through two hops.
    """
    target = db.session.get(Thread, target_id) if _is_id(target_id) else None
    if target is None or target.deleted_at is not None:
        raise Invalid({"target_id": [_("Give the number of an existing thread.")]})
    if target.id == thread.id:
        raise Invalid({"target_id": [_("Choose a different thread: a question can't be a duplicate of itself.")]})
    if target.visibility != Visibility.PUBLIC.value:  # the banner and the watchers would lead nowhere
        raise Invalid({"target_id": [_("That thread is hidden or waiting for review: choose one everyone can "
                                       "see.")]})
    if target.duplicate_of_id is not None:
        raise Invalid({"target_id": [_("That thread is itself a duplicate of thread %(number)d: mark this one as "
                                       "a duplicate of that thread instead.", number=target.duplicate_of_id)]})
    return target


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _add_watchers(thread: Thread, target: Thread) -> list[int]:
    """Active watchers of thread who have no row on target get a watch there, in one INSERT … SELECT."""
    theirs = aliased(Subscription)
    movable = select(Subscription.user_id).where(
        Subscription.thread_id == thread.id, Subscription.muted.is_(False),
        ~exists().where(theirs.thread_id == target.id, theirs.user_id == Subscription.user_id),
    )
    user_ids = sorted(db.session.scalars(movable))
    if user_ids:
        rows = select(Subscription.user_id, literal(target.id), literal(False), literal(clock.now())).where(
            Subscription.thread_id == thread.id, Subscription.user_id.in_(user_ids))
        db.session.execute(insert(Subscription).from_select(["user_id", "thread_id", "muted", "created_at"], rows))
    return user_ids


def _add_me_too(thread: Thread, target: Thread) -> list[int]:
    """Thread's "me too"s are added to target's (the thread keeps its own), once per person, then recounted."""
    already = select(MeToo.user_id).where(MeToo.thread_id == target.id)
    user_ids = sorted(db.session.scalars(select(MeToo.user_id).where(
        MeToo.thread_id == thread.id, MeToo.user_id.not_in(already), MeToo.user_id != target.author_id)))
    if user_ids:
        rows = select(MeToo.user_id, literal(target.id), literal(clock.now())).where(
            MeToo.thread_id == thread.id, MeToo.user_id.in_(user_ids))
        db.session.execute(insert(MeToo).from_select(["user_id", "thread_id", "created_at"], rows))
    target.me_too_count = db.session.scalar(
        select(func.count(MeToo.user_id)).where(MeToo.thread_id == target.id)) or 0
    return user_ids


def _tell(actor: User, thread: Thread, target: Thread) -> None:
    """The asker and everyone following the duplicate (watch or "me too") hear once, with a link to target;
    not whoever muted either thread (a mute wins)."""
    rows = db.session.execute(select(Subscription.thread_id, Subscription.user_id, Subscription.muted).where(
        Subscription.thread_id.in_([thread.id, target.id]))).all()
    muted, interested = set(), {thread.author_id}
    interested.update(db.session.scalars(select(MeToo.user_id).where(MeToo.thread_id == thread.id)))
    for thread_id, user_id, is_muted in rows:
        if is_muted:
            muted.add(user_id)
        elif thread_id == thread.id:
            interested.add(user_id)
    notify_in_their_language(interested - muted, NotificationKind.MERGED, target, actor, lambda: _(
        "“%(source)s” was closed as a duplicate of “%(target)s”: the answer is there. Watching or a “me too” on "
        "the question now follows that thread too.", source=thread.title, target=target.title))


def _reindex(thread: Thread, target: Thread) -> None:
    """Both threads' search documents catch up (status here, followers there) once this commits."""
    db.session.flush()
    indexing.reindex_thread(thread.id, db.session)
    indexing.reindex_thread(target.id, db.session)


def _status_before_mark(thread: Thread) -> str:
    """The status the latest mark closed, from its audit entry (open when none is found)."""
    before = db.session.scalar(
        select(AuditEntry.before_json).where(AuditEntry.action == "thread.duplicate", AuditEntry.target_id == thread.id)
        .order_by(AuditEntry.id.desc()).limit(1))
    previous = json.loads(before).get("status") if before else None
    return previous if previous in {s.value for s in ThreadStatus} - {ThreadStatus.CLOSED.value} \
        else ThreadStatus.OPEN.value


RECENT_DAYS = 14
QUESTIONS_PER_PAGE = 20
SETTLED = (ThreadStatus.SOLVED.value, ThreadStatus.CLOSED.value)  # already answered or closed: nothing to point at


def recent_questions(page: int = 1) -> tuple[list[tuple[Thread, str]], bool]:
    """A page of the newest public questions of the last RECENT_DAYS still waiting (not solved or closed), each
    with its text, and whether an older page follows: what the possible-duplicates page checks. One statement."""
    since = clock.now() - timedelta(days=RECENT_DAYS)
    rows = db.session.execute(
        select(Thread, Post.body).join(Post, (Post.thread_id == Thread.id) & Post.is_question.is_(True))
        .options(joinedload(Thread.author), joinedload(Thread.category))
        .where(Thread.kind == ThreadKind.QUESTION.value, Thread.created_at >= since,
               Thread.status.not_in(SETTLED), Thread.duplicate_of_id.is_(None),
               Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLIC.value)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .offset((page - 1) * QUESTIONS_PER_PAGE).limit(QUESTIONS_PER_PAGE + 1)
    ).all()
    return [(thread, body or "") for thread, body in rows[:QUESTIONS_PER_PAGE]], len(rows) > QUESTIONS_PER_PAGE
