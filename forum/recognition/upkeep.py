"""The ledger's upkeep: rebuild totals from the ledger, and reverse serial voting (a daily job).

Both are idempotent and commit themselves; the CLI and the worker call them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from forum.core import clock
from forum.core.extensions import db
from forum.models import VOTE_REASONS, Correction, ReputationEvent, User
from forum.recognition.reputation import ledger_total, lock_users, reverse_rows, standing_rows
from forum.services import audit_writer

SERIAL_VOTES_JOB = "reputation.reverse_serial_votes"
SERIAL_VOTE_LIMIT = 10  # more than this many votes from one user to another ...
SERIAL_WINDOW = timedelta(hours=24)  # ... within this long is serial voting
SERIAL_JOB_EVERY_S = 24 * 3600.0


@dataclass(frozen=True)
class Drift:
    """A user whose stored total disagreed with their ledger."""

    user_id: int
    username: str
    stored: int
    ledger: int

    @property
    def difference(self) -> int:
        return self.stored - self.ledger


def recompute_totals(progress: Callable[[int], object] = lambda _n: None, *, fix: bool = True,
                     batch: int = 500) -> list[Drift]:
    """Compare every User.reputation with the sum of their ledger; set it to the sum where it drifted.

    Users are read in id batches (progress gets each batch's size) and each batch commits, so a
    large community is never held in one transaction. A drifted user's row is locked and the sum
    read again before the fix, so a vote landing meanwhile is neither lost nor counted twice.
    Every fix is written to the audit log.
    """
    drifts: list[Drift] = []
    last_id = 0
    while ids := db.session.scalars(select(User.id).where(User.id > last_id).order_by(User.id).limit(batch)).all():
        sums = dict(db.session.execute(
            select(ReputationEvent.user_id, func.sum(ReputationEvent.delta))
            .where(ReputationEvent.user_id.in_(ids)).group_by(ReputationEvent.user_id)
        ).all())
        stored = dict(db.session.execute(select(User.id, User.reputation).where(User.id.in_(ids))).all())
        for user_id in ids:
            if stored[user_id] != int(sums.get(user_id) or 0) and (drift := _settle(user_id, fix)) is not None:
                drifts.append(drift)
        db.session.commit()
        progress(len(ids))
        last_id = ids[-1]
    return drifts


def _settle(user_id: int, fix: bool) -> Drift | None:
    lock_users([user_id])
    user = db.session.scalars(select(User).where(User.id == user_id).execution_options(populate_existing=True)).one()
    ledger = ledger_total(user_id)
    if user.reputation == ledger:
        return None  # a concurrent change settled it
    drift = Drift(user.id, user.username, user.reputation, ledger)
    if fix:
        audit_writer.record(None, "reputation.recomputed", "user", user.id, "The total disagreed with the ledger.",
                     before={"reputation": user.reputation}, after={"reputation": ledger})
        user.reputation = ledger
    return drift


def reverse_serial_votes(_payload: dict | None = None) -> int:
    """Daily: reverse the points from serial voting (more than 10 votes from one user to another in 24 h).

    It looks back two windows, so a burst that straddles two runs is still seen, and reverses
    the vote rows of the pair that lie in a window holding more than the limit, writing one
    audit entry per voter and author. Votes count as ledger rows given (a vote the cap
    swallowed gave nothing to take back); a second run finds those rows already reversed and
    does nothing.

    The Vote rows and vote counts are left alone, on purpose: the Vote row is what stops the
    same voter voting that post again, so deleting it would let a ring re-vote and re-earn the
    points; and the fraud is in the reputation gained, which is what this reverses (a
    moderator may still remove content). Returns how many voter→author pairs were reversed.
    """
    since = clock.now() - 2 * SERIAL_WINDOW
    counted = (ReputationEvent.reason.in_(VOTE_REASONS), ReputationEvent.reverses_id.is_(None),
               ReputationEvent.correction.is_(None), ReputationEvent.actor_id.is_not(None),
               ReputationEvent.created_at >= since)
    pairs = db.session.execute(
        select(ReputationEvent.actor_id, ReputationEvent.user_id).where(*counted)
        .group_by(ReputationEvent.actor_id, ReputationEvent.user_id)
        .having(func.count(ReputationEvent.id) > SERIAL_VOTE_LIMIT)
    ).all()
    reversed_pairs = 0
    for voter_id, author_id in pairs:
        rows = db.session.scalars(
            select(ReputationEvent).where(*counted, ReputationEvent.actor_id == voter_id,
                                          ReputationEvent.user_id == author_id)
            .order_by(ReputationEvent.created_at, ReputationEvent.id)
        ).all()
        reversed_pairs += _reverse_bursts(voter_id, author_id, rows)
    db.session.commit()
    return reversed_pairs


def _reverse_bursts(voter_id: int, author_id: int, rows: list[ReputationEvent]) -> int:
    """Reverse what the burst's votes still give: their rows, and any copies restoring them.

    A vote is one voter on one post, so its points are whatever standing vote rows name that
    pair: a post hidden and restored before the job ran carries its points in a "restored"
    copy, which must go too.
    """
    in_burst = serial_burst_rows(rows)
    targets = standing_rows(
        ReputationEvent.reason.in_(VOTE_REASONS), ReputationEvent.user_id == author_id,
        ReputationEvent.actor_id == voter_id, ReputationEvent.post_id.in_({row.post_id for row in in_burst}),
    )
    written = reverse_rows(targets, correction=Correction.SERIAL_VOTING)
    if not written:
        return 0
    audit_writer.record(
        None, "reputation.serial_votes_reversed", "user", voter_id,
        f"{len(in_burst)} votes to user {author_id} within {SERIAL_WINDOW.total_seconds() / 3600:g} h",
        before={"author_id": author_id, "points": sum(row.delta for row in targets)},
        after={"author_id": author_id, "reversed_rows": [row.id for row in targets]},
    )
    return 1


def serial_burst_rows(rows: list[ReputationEvent]) -> list[ReputationEvent]:
    """The rows (sorted by time) that lie in some 24 h window holding more than the limit."""
    marked: set[int] = set()
    end = 0
    for start, row in enumerate(rows):
        end = max(end, start)
        while end < len(rows) and rows[end].created_at - row.created_at <= SERIAL_WINDOW:
            end += 1
        if end - start > SERIAL_VOTE_LIMIT:
            marked.update(range(start, end))
    return [rows[i] for i in sorted(marked)]

