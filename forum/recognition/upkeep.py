"""The ledger's upkeep: rebuild running figures from their sources, and reverse serial voting (a daily job).

Both are idempotent and commit themselves; the CLI and the worker call them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select

from forum.core import clock, setting_registry
from forum.core.extensions import db
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec
from forum.models import VOTE_REASONS, BadgeGrant, Correction, LedgerReason, ReputationEvent, User
from forum.recognition import badges
from forum.recognition.reputation import lock_users, reverse_rows, standing_rows
from forum.services import audit_writer, community_settings

SERIAL_VOTES_JOB = "reputation.reverse_serial_votes"
SERIAL_JOB_EVERY_S = 24 * 3600.0
# More than serial_vote_limit votes from one user to another within serial_window_hours is serial voting.
setting_registry.register(
    SettingSpec("reputation.serial_vote_limit", int, 10,
                N_("Most helpful votes one member may give another within the serial-voting window; the daily job "
                   "reverses the points of any more."), 1, 1000,
                label=N_("Votes from one member to another before it is serial voting"), unit=N_("votes"),
                help=N_("Only the reputation is reversed: the votes stay, so they cannot be cast again.")),
    SettingSpec("reputation.serial_window_hours", float, 24,
                N_("How long the window is in which votes from one member to another are counted for serial "
                   "voting."), 1, 24 * 30, label=N_("Serial-voting window"), unit=N_("hours"),
                help=N_("The daily job looks back two windows, so a burst split over two runs is still found.")),
)


def serial_vote_limit() -> int:
    return community_settings.cached_setting("reputation.serial_vote_limit")


def serial_window() -> timedelta:
    return timedelta(hours=community_settings.cached_setting("reputation.serial_window_hours"))


@dataclass(frozen=True)
class Drift:
    """A user whose stored figure disagreed with what it is kept from.

    field is "reputation" or "solution_count" (ledger: the sum it must equal), or "top_badge"
    (ledger: the code of the best badge they hold, None for none).
    """

    user_id: int
    username: str
    stored: int | str | None
    ledger: int | str | None
    field: str = "reputation"

    @property
    def difference(self) -> int:
        """How far a count was off (0 for the top badge, which is no count)."""
        if self.field == "top_badge":
            return 0
        return int(self.stored or 0) - int(self.ledger or 0)

    def describe(self) -> str:
        """One line for the CLI: "hana (id 3): stored 7, ledger 10 (-3)"."""
        who = f"{self.username} (id {self.user_id}):"
        if self.field == "top_badge":
            return f"{who} top badge stored {self.stored or 'none'}, best held {self.ledger or 'none'}"
        label = "" if self.field == "reputation" else "solution count "
        return f"{who} {label}stored {self.stored}, ledger {self.ledger} ({self.difference:+d})"


def recompute_totals(progress: Callable[[int], object] = lambda _n: None, *, fix: bool = True,
                     batch: int = 500) -> list[Drift]:
    """Check every user's running figures against their sources; fix those that drifted.

    User.reputation must equal the sum of their ledger, User.solution_count their REPLY_ACCEPTED
    rows net of reversals, and User.top_badge the best badge they hold (highest tier, then the
    rarest: as badges spread, which one is rarest can change, and this moves it). Users are read
    in id batches (progress gets each batch's size) and each batch commits, so a large community
    is never held in one transaction. A drifted user's row is locked and the source read again
    before the fix, so a vote or grant landing meanwhile is neither lost nor counted twice. Fixes
    to the two counts are written to the audit log (they mean something went wrong); the badge
    shown is a display choice and is not.
    """
    drifts: list[Drift] = []
    counts = badges.holder_counts()
    last_id = 0
    while ids := db.session.scalars(select(User.id).where(User.id > last_id).order_by(User.id).limit(batch)).all():
        sums = {user_id: (int(points or 0), int(solved or 0)) for user_id, points, solved in db.session.execute(
            select(ReputationEvent.user_id, func.sum(ReputationEvent.delta), func.sum(_SOLUTION_STEP))
            .where(ReputationEvent.user_id.in_(ids)).group_by(ReputationEvent.user_id)
        )}
        held: dict[int, list[str]] = {user_id: [] for user_id in ids}
        for user_id, code in db.session.execute(select(BadgeGrant.user_id, BadgeGrant.badge)
                                                .where(BadgeGrant.user_id.in_(ids))):
            held[user_id].append(code)
        for user_id, points, solved, top in db.session.execute(
            select(User.id, User.reputation, User.solution_count, User.top_badge).where(User.id.in_(ids))
        ):
            expected = sums.get(user_id, (0, 0))
            if (points, solved, top) != (*expected, badges.best_badge(held[user_id], counts)):
                drifts += _settle(user_id, counts, fix)
        db.session.commit()
        progress(len(ids))
        last_id = ids[-1]
    return drifts


# A REPLY_ACCEPTED row counts one solution, its reversal minus one (as reputation._solutions moves them).
_SOLUTION_STEP = case(
    (ReputationEvent.reason != LedgerReason.REPLY_ACCEPTED.value, 0), (ReputationEvent.delta > 0, 1),
    (ReputationEvent.delta < 0, -1), else_=0,
)


def _settle(user_id: int, counts: dict[str, int], fix: bool) -> list[Drift]:
    """Lock the user, read every source again, and fix (when fix) what still disagrees."""
    lock_users([user_id])
    user = db.session.scalars(select(User).where(User.id == user_id).execution_options(populate_existing=True)).one()
    ledger, solved = db.session.execute(
        select(func.coalesce(func.sum(ReputationEvent.delta), 0), func.coalesce(func.sum(_SOLUTION_STEP), 0))
        .where(ReputationEvent.user_id == user_id)
    ).one()
    best = badges.best_badge(badges.held_codes(user_id), counts)
    found = [Drift(user.id, user.username, stored, expected, field)
             for field, stored, expected in (("reputation", user.reputation, int(ledger)),
                                             ("solution_count", user.solution_count, int(solved)),
                                             ("top_badge", user.top_badge, best))
             if stored != expected]  # a concurrent change may have settled it
    if fix:
        for drift in found:
            if drift.field != "top_badge":
                audit_writer.record(None, "reputation.recomputed", "user", user.id,
                                    "The total disagreed with the ledger.", before={drift.field: drift.stored},
                                    after={drift.field: drift.ledger})
            setattr(user, drift.field, drift.ledger)
    return found


def reverse_serial_votes(_payload: dict | None = None) -> int:
    """Daily: reverse the points from serial voting (by default more than 10 votes from one user to another
    in 24 h: the settings reputation.serial_vote_limit and reputation.serial_window_hours, read per run).

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
    limit, window = serial_vote_limit(), serial_window()
    since = clock.now() - 2 * window
    counted = (ReputationEvent.reason.in_(VOTE_REASONS), ReputationEvent.reverses_id.is_(None),
               ReputationEvent.correction.is_(None), ReputationEvent.actor_id.is_not(None),
               ReputationEvent.created_at >= since)
    pairs = db.session.execute(
        select(ReputationEvent.actor_id, ReputationEvent.user_id).where(*counted)
        .group_by(ReputationEvent.actor_id, ReputationEvent.user_id)
        .having(func.count(ReputationEvent.id) > limit)
    ).all()
    reversed_pairs = 0
    for voter_id, author_id in pairs:
        rows = db.session.scalars(
            select(ReputationEvent).where(*counted, ReputationEvent.actor_id == voter_id,
                                          ReputationEvent.user_id == author_id)
            .order_by(ReputationEvent.created_at, ReputationEvent.id)
        ).all()
        reversed_pairs += _reverse_bursts(voter_id, author_id, serial_burst_rows(rows, limit, window), window)
    db.session.commit()
    return reversed_pairs


def _reverse_bursts(voter_id: int, author_id: int, in_burst: list[ReputationEvent], window: timedelta) -> int:
    """Reverse what the burst's votes still give: their rows, and any copies restoring them.

    A vote is one voter on one post, so its points are whatever standing vote rows name that
    pair: a post hidden and restored before the job ran carries its points in a "restored"
    copy, which must go too.
    """
    targets = standing_rows(
        ReputationEvent.reason.in_(VOTE_REASONS), ReputationEvent.user_id == author_id,
        ReputationEvent.actor_id == voter_id, ReputationEvent.post_id.in_({row.post_id for row in in_burst}),
    )
    written = reverse_rows(targets, correction=Correction.SERIAL_VOTING)
    if not written:
        return 0
    audit_writer.record(
        None, "reputation.serial_votes_reversed", "user", voter_id,
        f"{len(in_burst)} votes to user {author_id} within {window.total_seconds() / 3600:g} h",
        before={"author_id": author_id, "points": sum(row.delta for row in targets)},
        after={"author_id": author_id, "reversed_rows": [row.id for row in targets]},
    )
    return 1


def serial_burst_rows(rows: list[ReputationEvent], limit: int, window: timedelta) -> list[ReputationEvent]:
    """The rows (sorted by time) that lie in some window holding more than limit."""
    marked: set[int] = set()
    end = 0
    for start, row in enumerate(rows):
        end = max(end, start)
        while end < len(rows) and rows[end].created_at - row.created_at <= window:
            end += 1
        if end - start > limit:
            marked.update(range(start, end))
    return [rows[i] for i in sorted(marked)]

