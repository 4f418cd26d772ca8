"""Reputation as an append-only ledger: every point has a cause, every undo an exact reversal.

A user's reputation is the sum of their ReputationEvent rows; User.reputation is a running
total moved in the same transaction by atomic SQL, and `reputation recompute` checks it. So is
User.solution_count: each REPLY_ACCEPTED row counts one solution, each reversal of one takes it back.
Callers (qa, posting, moderation, missions) call award/reverse inside their own transaction;
nothing here commits. Recomputing totals and reversing serial voting live in reputation_upkeep.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from forum.core import clock, outbox
from forum.core.extensions import db
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import (
    VOTE_REASONS,
    Case,
    Correction,
    LedgerReason,
    Post,
    ReputationEvent,
    Thread,
    User,
    Visibility,
    Vote,
)
from forum.recognition import settings
from forum.services import community_settings
from forum.services.permissions import visible_posts

# Rows that exist because a reply is the accepted solution; they go when it stops being one.
ACCEPTANCE_REASONS = frozenset(
    {LedgerReason.REPLY_ACCEPTED.value, LedgerReason.ACCEPTED_SOLUTION.value, LedgerReason.RESCUE.value,
     LedgerReason.BOUNTY.value, LedgerReason.DEFLECTION.value}
)
# The worker looks at a user's history for new badges (and mission progress) after their ledger moves.
RECOGNITION_JOB = "recognition.check_user"


def award(
    user_id: int,
    reason: LedgerReason,
    *,
    post: Post | None = None,
    thread: Thread | None = None,
    actor: User | None = None,
    points: int | None = None,
    mission_id: int | None = None,
    correction: Correction | None = None,
    article_id: int | None = None,
) -> ReputationEvent | None:
    """Append a positive row (vote points trimmed to the daily cap); None when nothing is left to give.

    A restored row (correction RESTORED) gives back points already capped on the day they were
    earned, so the cap does not apply to it twice.
    """
    thread = thread if thread is not None else (post.thread if post is not None else None)
    delta = settings.points(reason) if points is None else points  # the row keeps it, whatever comes later
    if reason.value in VOTE_REASONS and correction is None:
        delta = min(delta, vote_allowance_left(user_id))
    if delta <= 0:
        return None
    row = ReputationEvent(
        user_id=user_id, delta=delta, reason=reason.value, post_id=post.id if post is not None else None,
        thread_id=thread.id if thread is not None else None,
        category_id=thread.category_id if thread is not None else None,
        actor_id=actor.id if actor is not None else None, mission_id=mission_id, article_id=article_id,
        correction=correction.value if correction is not None else None, created_at=clock.now(),
    )
    db.session.add(row)
    _move_total(user_id, delta, _solutions(reason.value, delta))
    return row


def vote_allowance_left(user_id: int) -> int:
    """Vote points the user may still earn today (UTC day); the cap counts points given, not kept.

    The user's row is locked first (PostgreSQL), so concurrent votes cannot both pass the cap.
    """
    lock_users([user_id])
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    earned = db.session.scalar(
        select(func.coalesce(func.sum(ReputationEvent.delta), 0)).where(
            ReputationEvent.user_id == user_id, ReputationEvent.reason.in_(VOTE_REASONS),
            ReputationEvent.reverses_id.is_(None), ReputationEvent.correction.is_(None),
            ReputationEvent.created_at >= today,
        )
    )
    return max(0, community_settings.get_setting("reputation.daily_vote_cap") - int(earned))


def lock_users(user_ids: Iterable[int]) -> None:
    """Lock users' rows in id order (PostgreSQL), so two transactions paying the same people can't deadlock.

    FOR NO KEY UPDATE, not FOR UPDATE: it still excludes every other payer, but not the key-share
    locks of rows that merely reference the user (a case, a notification). FOR UPDATE waited on
    those, so a vote on a question (thread row, then the asker's row) deadlocked with the asker's
    escalation (the asker's row through the new case, then the thread row) and answered 500.
    """
    ids = sorted(set(user_ids))
    if ids:
        db.session.execute(
            select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update(key_share=True)
        ).all()


def _solutions(reason: str, delta: int) -> int:
    """How a row moves its user's accepted-solution count: one per acceptance row, minus one per reversal."""
    if reason != LedgerReason.REPLY_ACCEPTED.value or delta == 0:
        return 0
    return 1 if delta > 0 else -1


def _move_total(user_id: int, delta: int, solutions: int = 0) -> None:
    values = {"reputation": User.reputation + delta}
    if solutions:
        values["solution_count"] = User.solution_count + solutions
    db.session.execute(update(User).where(User.id == user_id).values(**values))
    outbox.enqueue(RECOGNITION_JOB, {"user_id": user_id})


def reverse(row: ReputationEvent, actor: User | None = None, correction: Correction | None = None
            ) -> ReputationEvent | None:
    """Write the exact reversal of row; a row already reversed (even concurrently) is left alone."""
    reversal = {
        "user_id": row.user_id, "delta": -row.delta, "reason": row.reason, "post_id": row.post_id,
        "thread_id": row.thread_id, "category_id": row.category_id,
        "actor_id": actor.id if actor is not None else None, "mission_id": row.mission_id,
        "article_id": row.article_id, "reverses_id": row.id,
        "correction": correction.value if correction is not None else None, "created_at": clock.now(),
    }
    try:
        with db.session.begin_nested():
            new_id = db.session.execute(insert(ReputationEvent).values(**reversal)).inserted_primary_key[0]
    except IntegrityError:
        return None  # the unique reverses_id says someone reversed it first
    _move_total(row.user_id, -row.delta, _solutions(row.reason, -row.delta))
    return db.session.get(ReputationEvent, new_id)


def standing_rows(*conditions) -> list[ReputationEvent]:
    """Positive rows matching conditions that have not been reversed yet."""
    reversal = aliased(ReputationEvent)
    return list(
        db.session.scalars(
            select(ReputationEvent)
            .outerjoin(reversal, reversal.reverses_id == ReputationEvent.id)
            .where(ReputationEvent.reverses_id.is_(None), reversal.id.is_(None), *conditions)
            .order_by(ReputationEvent.id)
        )
    )


def reverse_rows(rows: list[ReputationEvent], actor: User | None = None, correction: Correction | None = None
                 ) -> int:
    """Reverse each row; returns how many reversals were written."""
    lock_users(row.user_id for row in rows)
    return sum(reverse(row, actor, correction) is not None for row in rows)


# --- the rules, one function per event -------------------------------------------------------


def on_vote_added(post: Post, voter: User) -> None:
    """Points to a reply's author (10 by default) or an asker (5), for each helpful vote (capped per day).

    The post is read again first: a delete or hide may have committed while this vote waited
    for the post's row lock, and a removed post earns nothing (its removal already reversed it).
    """
    if not _is_live_now(post.id):
        return
    reason = LedgerReason.QUESTION_VOTED if post.is_question else LedgerReason.REPLY_VOTED
    award(post.author_id, reason, post=post, actor=voter)


def _is_live_now(post_id: int) -> bool:
    public = Visibility.PUBLIC.value
    return bool(db.session.scalar(
        select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id).where(
            Post.id == post_id, Post.deleted_at.is_(None), Post.visibility == public,
            Thread.deleted_at.is_(None), Thread.visibility == public,
        )
    ))


def on_vote_withdrawn(post: Post, voter: User) -> None:
    """The exact reversal of what this voter's vote gave (nothing, if the cap had swallowed it)."""
    rows = standing_rows(
        ReputationEvent.post_id == post.id, ReputationEvent.actor_id == voter.id,
        ReputationEvent.reason.in_(VOTE_REASONS),
    )
    reverse_rows(rows[-1:], correction=Correction.WITHDRAWN)


def on_solution_accepted(thread: Thread, post: Post, actor: User | None) -> int:
    """Points to the replier (15 by default), to an asker who accepts someone else's reply (2); bonuses.

    Staff are not paid for making a staff answer the solution, or for a case resolution.
    Nothing while the reply or its question is out of view (hidden, deleted): restore_for_post
    pays the acceptance when it comes back. Returns how many rows were written.
    """
    if post.author_id == thread.author_id:
        return 0  # answering your own question earns nothing: no one else helped
    if not _is_live_now(post.id):
        return 0
    lock_users([post.author_id, thread.author_id])
    # A reply accepted once (say in a thread since merged into this one) is paid once: each
    # person's acceptance row for it counts while it stands, so a second acceptance adds nothing.
    paid = {(row.user_id, row.reason) for row in standing_rows(
        ReputationEvent.post_id == post.id, ReputationEvent.reason.in_(ACCEPTANCE_REASONS))}
    due: list[tuple[int, LedgerReason]] = []
    if not _is_staff_work(post, actor):
        due.append((post.author_id, LedgerReason.REPLY_ACCEPTED))
        if was_rescue(thread):
            due.append((post.author_id, LedgerReason.RESCUE))
        if thread.bounty_at is not None:
            due.append((post.author_id, LedgerReason.BOUNTY))
        if _escalation_pending(thread) and not post.author.is_staff:
            due.append((post.author_id, LedgerReason.DEFLECTION))  # a peer solved what support was about to
    if actor is not None and actor.id == thread.author_id:
        due.append((thread.author_id, LedgerReason.ACCEPTED_SOLUTION))
    rows = [award(user_id, reason, post=post, actor=actor)
            for user_id, reason in due if (user_id, reason.value) not in paid]
    return sum(row is not None for row in rows)


def _escalation_pending(thread: Thread) -> bool:
    """The thread has an open service case (new, open or waiting on the customer)."""
    return db.session.scalar(select(Case.id).where(Case.open_thread_id == thread.id)) is not None


def _is_staff_work(post: Post, actor: User | None) -> bool:
    """A staff answer made the solution by staff, or a published case resolution: their job, not reputation.

    domain.md: staff earn no reputation for case work (their public answers still get votes,
    and an asker accepting an ordinary staff answer still pays it).
    """
    if not post.author.is_staff:
        return False
    if actor is not None and actor.is_staff:
        return True
    return bool(db.session.scalar(select(func.count(Case.id)).where(Case.resolution_post_id == post.id)))


def rescue_wait() -> timedelta:
    """How long a question must wait for its first reply for its solution to be a rescue (24 h by default)."""
    return timedelta(hours=settings.rescue_after_hours())


def was_rescue(thread: Thread) -> bool:
    """The question waited more than the rescue wait for its first reply from someone else."""
    return thread.first_reply_at is not None and thread.first_reply_at - thread.created_at > rescue_wait()


def on_solution_dropped(post_id: int, actor: User | None = None) -> None:
    """The reply is no longer the solution (unaccepted, replaced, deleted): undo what accepting gave."""
    reverse_rows(
        standing_rows(ReputationEvent.post_id == post_id, ReputationEvent.reason.in_(ACCEPTANCE_REASONS)), actor,
        Correction.UNACCEPTED,
    )


def on_post_removed(post: Post, actor: User | None = None) -> None:
    """A deleted or hidden post keeps nothing it earned; a removed question takes its thread's rows too."""
    if post.is_question:
        # The thread's posts as they are now: rows name the thread a post had when they were
        # written, and a merge or split may have moved the post since.
        condition = ReputationEvent.post_id.in_(select(Post.id).where(Post.thread_id == post.thread_id))
    else:
        condition = ReputationEvent.post_id == post.id
    reverse_rows(standing_rows(condition), actor, Correction.REMOVED)


def restore_for_post(post: Post, actor: User | None = None) -> int:
    """A post back in view (unhidden, undeleted) earns again what its surviving causes earn.

    Only causes that still exist count. Each helpful vote still on the post gets a copy of the
    row its removal reversed (the same points: the cap already trimmed them on the day they were
    earned); rows reversed for another reason (withdrawn, serial voting) stay reversed. A reply
    that is still the solution is paid for its acceptance by the accepting rule, unless that pay
    still stands. A restored question brings back its live replies too, since removing it took
    the whole thread's rows. Re-awarded rows name their original cause (the voter, the one who
    accepted); the restoring moderator (actor) is in the caller's audit entry. The caller commits;
    returns how many rows were written.
    """
    thread = post.thread
    if not _is_live_now(post.id):
        return 0
    posts = [post]
    if post.is_question:
        posts += db.session.scalars(
            select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(False), Post.deleted_at.is_(None),
                               Post.visibility == Visibility.PUBLIC.value)
        ).all()
    restored = sum(_restore_votes(each) for each in posts)
    accepted = next((each for each in posts if each.id == thread.accepted_post_id), None)
    if accepted is not None and not standing_rows(ReputationEvent.post_id == accepted.id,
                                                  ReputationEvent.reason.in_(ACCEPTANCE_REASONS)):
        accepter = db.session.get(User, thread.accepted_by_id) if thread.accepted_by_id is not None else None
        restored += on_solution_accepted(thread, accepted, accepter)
    return restored


def _restore_votes(post: Post) -> int:
    """Re-award the latest row of each vote still on post, when the post's removal reversed it."""
    voters = set(db.session.scalars(select(Vote.user_id).where(Vote.post_id == post.id)))
    rows = db.session.scalars(
        select(ReputationEvent).where(ReputationEvent.post_id == post.id, ReputationEvent.reverses_id.is_(None),
                                      ReputationEvent.reason.in_(VOTE_REASONS)).order_by(ReputationEvent.id)
    ).all()
    latest = {row.actor_id: row for row in rows if row.actor_id in voters}  # later rows win
    undone = _reversal_corrections([row.id for row in latest.values()])
    written = 0
    for voter_id, row in latest.items():
        if undone.get(row.id) == Correction.REMOVED.value:
            written += award(row.user_id, LedgerReason(row.reason), post=post, actor=db.session.get(User, voter_id),
                             points=row.delta, correction=Correction.RESTORED) is not None
    return written


def _reversal_corrections(row_ids: list[int]) -> dict[int, str | None]:
    """{row id: why it was reversed} for the rows among row_ids that have a reversal."""
    if not row_ids:
        return {}
    return dict(db.session.execute(
        select(ReputationEvent.reverses_id, ReputationEvent.correction).where(ReputationEvent.reverses_id.in_(row_ids))
    ).all())


# --- reading the ledger ----------------------------------------------------------------------


def ledger_total(user_id: int) -> int:
    """The ledger sum for one user: what User.reputation must equal."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(ReputationEvent.delta), 0)).where(ReputationEvent.user_id == user_id)
        )
    )


def list_ledger(user: User, limit: int, cursor: str | None = None) -> Page[ReputationEvent]:
    """A user's ledger, newest first (by id: rows are appended in order), keyset-paginated.

    The ledger is public, like the total it adds up to; rows name a post only by id, and pages
    link it only when the viewer may see it (ledger_posts).
    """
    query = select(ReputationEvent).where(ReputationEvent.user_id == user.id)
    after = decode_cursor(cursor, [int])
    if after is not None:
        query = query.where(ReputationEvent.id < after[0])
    rows = db.session.scalars(query.order_by(ReputationEvent.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor([rows[-1].id]) if more else None)


def ledger_posts(viewer: User | None, rows: Iterable[ReputationEvent]) -> dict[int, Post]:
    """The posts behind rows that viewer may see, with their threads (one query for a page)."""
    ids = {row.post_id for row in rows if row.post_id is not None}
    if not ids:
        return {}
    posts = db.session.scalars(visible_posts(viewer).where(Post.id.in_(ids)).options(joinedload(Post.thread)))
    return {post.id: post for post in posts}
