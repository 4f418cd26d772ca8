"""Badges: the catalogue, granting what a user has earned, and retroactive grants for new badges.

A badge is held once (unique user + badge), never taken back, and each grant tells its holder.
Each grant also keeps User.top_badge, the badge shown beside the member's name on every post: the
best they hold (highest tier, then the badge fewest members hold; `reputation recompute` checks it).
The worker evaluates one user soon after their history moves (recognition.check_user); a
periodic backfill grants badges people qualified for before a badge existed, one query per
badge finding everyone who qualifies and lacks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from forum.core import clock, i18n
from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import BadgeGrant, LedgerReason, NotificationKind, Role, User
from forum.recognition import badge_rules as rules
from forum.services import notifications

BACKFILL_CHUNK = 500


class Tier(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


# A tier's word as pages say it ("a gold badge"): `_(tier.value)` where shown.
TIER_WORDS = (N_("bronze"), N_("silver"), N_("gold"))


@dataclass(frozen=True)
class Badge:
    """One badge; rule None means it is only ever given on completing a mission.

    name and description stay English here (N_: the API and stored messages use them); pages show `_(...)`.
    """

    code: str
    name: str
    tier: Tier
    description: str
    rule: rules.Rule | None = None


CATALOGUE: tuple[Badge, ...] = (
    Badge("first_answer", N_("First Answer"), Tier.BRONZE, N_("Answered someone else's question."),
          rules.helping_replies(1)),
    Badge("first_solution", N_("First Solution"), Tier.BRONZE, N_("Had a reply accepted as the solution."),
          rules.ledger_rows(LedgerReason.REPLY_ACCEPTED, 1)),
    Badge("solutions_10", N_("Problem Solver"), Tier.BRONZE, N_("10 accepted solutions."),
          rules.ledger_rows(LedgerReason.REPLY_ACCEPTED, 10)),
    Badge("helpful_25", N_("Helpful"), Tier.BRONZE, N_("25 helpful votes received."), rules.votes_received(25)),
    Badge("author", N_("Author"), Tier.BRONZE, N_("Had a proposed article published in the knowledge base."),
          rules.ledger_rows(LedgerReason.ARTICLE_PUBLISHED, 1)),
    Badge("idea_shipped", N_("Idea shipped"), Tier.BRONZE, N_("Had an idea shipped by the team."),
          rules.ledger_rows(LedgerReason.IDEA_SHIPPED, 1)),
    Badge("quick_responder", N_("Quick Responder"), Tier.SILVER,
          N_("First to answer 5 questions within an hour of their posting."), rules.quick_first_answers(5)),
    Badge("rescuer", N_("Rescuer"), Tier.SILVER,
          N_("Solved a question that had waited long for its first reply (a rescue)."),
          rules.ledger_rows(LedgerReason.RESCUE, 1)),
    Badge("welcomer", N_("Welcomer"), Tier.SILVER, N_("First to answer the first question of 10 newcomers."),
          rules.newcomers_welcomed(10)),
    Badge("streak", N_("Steady Helper"), Tier.SILVER, N_("Answered questions on 7 days in a row."),
          rules.helping_streak(7)),
    Badge("solutions_50", N_("Troubleshooter"), Tier.SILVER, N_("50 accepted solutions."),
          rules.ledger_rows(LedgerReason.REPLY_ACCEPTED, 50)),
    Badge("helpful_100", N_("Very Helpful"), Tier.SILVER, N_("100 helpful votes received."),
          rules.votes_received(100)),
    Badge("solutions_250", N_("Guru"), Tier.GOLD, N_("250 accepted solutions."),
          rules.ledger_rows(LedgerReason.REPLY_ACCEPTED, 250)),
    Badge("champion", N_("Champion"), Tier.GOLD, N_("Reached the Champion rank."),
          rules.reputation_at_least(rules.champion_reputation)),
    Badge("advocate", N_("Advocate"), Tier.GOLD, N_("Recognised as a community advocate."),
          rules.has_role(Role.ADVOCATE)),
    Badge("challenger", N_("Challenger"), Tier.BRONZE, N_("Completed a mission.")),
    Badge("trailblazer", N_("Trailblazer"), Tier.SILVER, N_("Completed a demanding mission.")),
    Badge("legend", N_("Legend"), Tier.GOLD, N_("Completed an exceptional mission.")),
)
BY_CODE: dict[str, Badge] = {badge.code: badge for badge in CATALOGUE}
TIER_ORDER: dict[Tier, int] = {Tier.BRONZE: 0, Tier.SILVER: 1, Tier.GOLD: 2}
_POSITION: dict[str, int] = {badge.code: n for n, badge in enumerate(CATALOGUE)}
# Badges staff may attach to a mission (they have no rule of their own).
MISSION_BADGES: tuple[Badge, ...] = tuple(badge for badge in CATALOGUE if badge.rule is None)
RULE_BADGES: tuple[Badge, ...] = tuple(badge for badge in CATALOGUE if badge.rule is not None)


def get_badge(code: str) -> Badge:
    badge = BY_CODE.get(code)
    if badge is None:
        raise NotFound(_("There is no such badge."))
    return badge


def held_codes(user_id: int) -> set[str]:
    return set(db.session.scalars(select(BadgeGrant.badge).where(BadgeGrant.user_id == user_id)))


def evaluate_user(user_id: int) -> list[Badge]:
    """Grant every rule badge the user now qualifies for and lacks; the caller commits.

    One small query per badge not yet held. Anonymized accounts earn nothing.
    """
    user = db.session.get(User, user_id)
    if user is None or user.anonymized_at is not None:
        return []
    held = held_codes(user_id)
    earned = []
    for badge in RULE_BADGES:
        if badge.code in held:
            continue
        qualifies = db.session.scalar(badge.rule(user_id).exists().select())
        if qualifies and grant(user_id, badge):
            earned.append(badge)
    return earned


def grant(user_id: int, badge: Badge, *, tell: bool = True) -> bool:
    """Give the badge and tell the holder; False (and no message) if they already hold it.

    The insert runs in a savepoint, so a concurrent grant of the same badge loses quietly
    on the unique key instead of failing the whole job. tell=False leaves the message to the
    caller (a completed mission names its badge in its own message).
    """
    try:
        with db.session.begin_nested():
            db.session.execute(insert(BadgeGrant).values(user_id=user_id, badge=badge.code, granted_at=clock.now()))
    except IntegrityError:
        return False
    raise_top_badge([user_id], badge)
    if tell:
        _tell([user_id], badge)
    return True


def standing_key(badge: Badge, counts: dict[str, int]) -> tuple[int, int, int]:
    """What makes a badge someone's best: its tier, then how few hold it (counts: holder_counts()).

    Equal tiers and counts fall back to the catalogue's order (later entries ask more), so the
    choice is always the same one.
    """
    return TIER_ORDER[badge.tier], -counts.get(badge.code, 0), _POSITION.get(badge.code, len(_POSITION))


def best_badge(codes: Iterable[str], counts: dict[str, int]) -> str | None:
    """The code of the best badge among codes (unknown codes ignored); None when there is none."""
    known = [BY_CODE[code] for code in codes if code in BY_CODE]
    return max(known, key=lambda badge: standing_key(badge, counts)).code if known else None


def raise_top_badge(user_ids: list[int], badge: Badge) -> None:
    """Make badge the shown one of these users wherever it outranks what they show now (one statement).

    The comparison is in the statement's WHERE, so a concurrent grant of a better badge is never
    overwritten by a worse one (PostgreSQL re-checks the row after waiting for its lock).
    """
    counts = holder_counts()
    key = standing_key(badge, counts)
    beaten = [other.code for other in BY_CODE.values()
              if other.code != badge.code and standing_key(other, counts) < key]
    db.session.execute(
        update(User).where(User.id.in_(user_ids), or_(User.top_badge.is_(None), User.top_badge.in_(beaten),
                                                      User.top_badge.not_in(list(BY_CODE))))
        .values(top_badge=badge.code)
    )


def _event(badge: Badge) -> notifications.Event:
    message = _("You earned the %(badge)s badge (%(tier)s): %(description)s", badge=_(badge.name),
                tier=_(badge.tier.value), description=_(badge.description))
    return notifications.Event(NotificationKind.BADGE, thread=None, message=message)


def _tell(user_ids: list[int], badge: Badge) -> None:
    """Each new holder is told in their own language (the message is stored written): one insert per language."""
    languages = dict(db.session.execute(select(User.id, User.language).where(User.id.in_(user_ids))).all())
    for language in sorted(set(languages.values()), key=str):
        with i18n.reading_as(language):
            notifications.notify([uid for uid in user_ids if languages.get(uid) == language], _event(badge))


def qualifying_without(badge: Badge) -> list[int]:
    """Everyone who qualifies for badge and does not hold it yet: one query."""
    qualified = badge.rule(None).subquery()
    return list(
        db.session.scalars(
            select(qualified.c.user_id)
            .join(User, User.id == qualified.c.user_id)
            .where(
                User.anonymized_at.is_(None),
                ~exists().where(BadgeGrant.user_id == qualified.c.user_id, BadgeGrant.badge == badge.code),
            )
            .order_by(qualified.c.user_id)
        )
    )


def backfill_badge(code: str, progress: Callable[[int], object] | None = None) -> int:
    """Grant one badge to everyone who already qualifies (a new badge, or a missed event); commits per chunk.

    progress(n) is called after each chunk with how many users it handled. Returns the grants made.
    """
    badge = get_badge(code)
    if badge.rule is None:
        return 0
    user_ids = qualifying_without(badge)
    granted = 0
    for start in range(0, len(user_ids), BACKFILL_CHUNK):
        chunk = user_ids[start:start + BACKFILL_CHUNK]
        granted += _grant_many(chunk, badge)
        db.session.commit()
        if progress is not None:
            progress(len(chunk))
    return granted


def _grant_many(user_ids: list[int], badge: Badge) -> int:
    """Insert a chunk of grants at once; if someone got theirs meanwhile, fall back to one by one."""
    moment = clock.now()
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(BadgeGrant), [{"user_id": uid, "badge": badge.code, "granted_at": moment} for uid in user_ids]
            )
    except IntegrityError:
        return sum(grant(uid, badge) for uid in user_ids)
    raise_top_badge(user_ids, badge)
    _tell(user_ids, badge)
    return len(user_ids)


def backfill_all(progress: Callable[[int], object] | None = None) -> int:
    """Backfill every rule badge, then show a best badge for holders who show none; progress(1) per badge.

    Returns the grants made. The second step fills top_badge for members whose badges predate it
    (migration 0018 adds the column empty), so an upgraded community shows medals after the first backfill.
    """
    granted = 0
    for badge in RULE_BADGES:
        granted += backfill_badge(badge.code)
        if progress is not None:
            progress(1)
    fill_missing_top_badges()
    db.session.commit()
    return granted


def fill_missing_top_badges() -> int:
    """Give each member who holds badges but shows none their best one: one UPDATE per badge, best first.

    Nothing runs when nobody is missing one (one query), so the periodic backfill stays cheap.
    """
    missing = exists().where(BadgeGrant.user_id == User.id)
    if not db.session.scalar(select(exists().where(User.top_badge.is_(None), missing))):
        return 0
    counts = holder_counts()
    filled = 0
    for badge in sorted(BY_CODE.values(), key=lambda badge: standing_key(badge, counts), reverse=True):
        filled += db.session.execute(
            update(User).where(User.top_badge.is_(None), exists().where(
                BadgeGrant.user_id == User.id, BadgeGrant.badge == badge.code)).values(top_badge=badge.code)
        ).rowcount
    return filled


def holder_counts() -> dict[str, int]:
    """How many people hold each badge (one grouped query); badges nobody holds are 0.

    Anonymized accounts are not counted, as holders() does not list them.
    """
    rows = db.session.execute(
        select(BadgeGrant.badge, func.count(BadgeGrant.id)).join(User, User.id == BadgeGrant.user_id)
        .where(User.anonymized_at.is_(None)).group_by(BadgeGrant.badge)
    )
    counts = {code: 0 for code in BY_CODE}
    counts.update({code: count for code, count in rows if code in counts})
    return counts


def holders(code: str, limit: int = 100) -> list[tuple[User, datetime]]:
    """The most recent holders of a badge, newest first (anonymized accounts left out)."""
    badge = get_badge(code)
    rows = db.session.execute(
        select(User, BadgeGrant.granted_at)
        .join(BadgeGrant, BadgeGrant.user_id == User.id)
        .where(BadgeGrant.badge == badge.code, User.anonymized_at.is_(None))
        .order_by(BadgeGrant.granted_at.desc(), BadgeGrant.id.desc())
        .limit(limit)
    )
    return [(user, granted_at) for user, granted_at in rows]


@dataclass(frozen=True)
class Held:
    badge: Badge
    granted_at: datetime


def badges_of(user_ids: Iterable[int]) -> dict[int, list[Held]]:
    """Each user's badges, gold first (one query for a whole list of users, so lists stay N+1 free)."""
    ids = sorted(set(user_ids))
    result: dict[int, list[Held]] = {uid: [] for uid in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(BadgeGrant.user_id, BadgeGrant.badge, BadgeGrant.granted_at).where(BadgeGrant.user_id.in_(ids))
    )
    order = {tier: n for n, tier in enumerate((Tier.GOLD, Tier.SILVER, Tier.BRONZE))}
    for user_id, code, granted_at in rows:
        if code in BY_CODE:
            result[user_id].append(Held(BY_CODE[code], granted_at))
    for held in result.values():
        held.sort(key=lambda h: (order[h.badge.tier], h.granted_at, h.badge.code))
    return result
