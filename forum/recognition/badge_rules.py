"""The rule behind each badge: a small SQL aggregate naming the users who qualify.

Every rule takes a user id (evaluate one user after an event) or None (every user, for
retroactive grants) and returns a SELECT of one `user_id` column, one row per qualifying
user. Rules read only what is still live and standing, so a deleted reply or a reversed
acceptance never earns a badge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Select, func, select

from forum.models import LedgerReason, Post, ReputationEvent, Role, Thread, User, Vote
from forum.recognition import history
from forum.services import community_settings

Rule = Callable[[int | None], Select]

QUICK_REPLY = timedelta(hours=1)


def champion_reputation() -> int:
    """The Champion rank's threshold as the community set it now (ranks.champion.threshold)."""
    return int(community_settings.cached_setting("ranks.champion.threshold"))


def helping_replies(at_least: int) -> Rule:
    """Replies to other people's questions."""

    def rule(user_id: int | None) -> Select:
        return (
            select(Post.author_id.label("user_id"))
            .join(Thread, Thread.id == Post.thread_id)
            .where(*history.helping(), history.only(Post.author_id, user_id))
            .group_by(Post.author_id)
            .having(func.count(Post.id) >= at_least)
        )

    return rule


def ledger_rows(reason: LedgerReason, at_least: int) -> Rule:
    """Standing ledger rows of one reason: solutions, rescues (a reversal takes the credit back)."""

    def rule(user_id: int | None) -> Select:
        return (
            select(ReputationEvent.user_id.label("user_id"))
            .where(ReputationEvent.reason == reason.value, *history.standing(),
                   history.only(ReputationEvent.user_id, user_id))
            .group_by(ReputationEvent.user_id)
            .having(func.count(ReputationEvent.id) >= at_least)
        )

    return rule


def votes_received(at_least: int) -> Rule:
    """Helpful votes on the user's live posts, counted from the votes themselves.

    Votes, not ledger points: the daily cap limits points, not how many people were helped.
    Votes reversed as serial voting don't count.
    """

    def rule(user_id: int | None) -> Select:
        return (
            select(Post.author_id.label("user_id"))
            .join(Vote, Vote.post_id == Post.id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(*history.live_post(), history.honest_vote(), history.only(Post.author_id, user_id))
            .group_by(Post.author_id)
            .having(func.count(Vote.user_id) >= at_least)
        )

    return rule


def quick_first_answers(at_least: int) -> Rule:
    """First answers posted within an hour of the question."""

    def rule(user_id: int | None) -> Select:
        return (
            select(Post.author_id.label("user_id"))
            .join(Thread, Thread.id == Post.thread_id)
            .where(
                *history.helping(), history.first_answer(), history.only(Post.author_id, user_id),
                history.seconds_between(Thread.created_at, Post.created_at) <= QUICK_REPLY.total_seconds(),
            )
            .group_by(Post.author_id)
            .having(func.count(Post.id) >= at_least)
        )

    return rule


def newcomers_welcomed(at_least: int) -> Rule:
    """Different askers whose very first question this user answered first."""

    def rule(user_id: int | None) -> Select:
        return (
            select(Post.author_id.label("user_id"))
            .join(Thread, Thread.id == Post.thread_id)
            .where(*history.helping(), history.first_answer(), history.first_thread_of_asker(),
                   history.only(Post.author_id, user_id))
            .group_by(Post.author_id)
            .having(func.count(func.distinct(Thread.author_id)) >= at_least)
        )

    return rule


def helping_streak(days: int) -> Rule:
    """Helped on `days` consecutive UTC days (gaps and islands: day minus its row number is constant in a run)."""

    def rule(user_id: int | None) -> Select:
        helped_days = (
            select(Post.author_id.label("user_id"), history.day_number(Post.created_at).label("day"))
            .join(Thread, Thread.id == Post.thread_id)
            .where(*history.helping(), history.only(Post.author_id, user_id))
            .distinct()
            .subquery()
        )
        position = func.row_number().over(partition_by=helped_days.c.user_id, order_by=helped_days.c.day)
        runs = select(helped_days.c.user_id, (helped_days.c.day - position).label("run")).subquery()
        return (
            select(runs.c.user_id.label("user_id"))
            .group_by(runs.c.user_id, runs.c.run)
            .having(func.count() >= days)
            .distinct()
        )

    return rule


def reputation_at_least(points: Callable[[], int]) -> Rule:
    """Reputation of at least points(), read when the rule runs (a threshold staff may change)."""

    def rule(user_id: int | None) -> Select:
        return select(User.id.label("user_id")).where(User.reputation >= points(), history.only(User.id, user_id))

    return rule


def has_role(role: Role) -> Rule:
    def rule(user_id: int | None) -> Select:
        return select(User.id.label("user_id")).where(User.role == role.value, history.only(User.id, user_id))

    return rule
