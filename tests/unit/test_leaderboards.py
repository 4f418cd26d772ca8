"""Leaderboards: points and solutions per period and category, read from the ledger in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import LedgerReason
from forum.recognition import leaderboards, reputation
from forum.recognition.leaderboards import Period
from forum.services import qa


def board(period: str = "all", category_id: int | None = None, limit: int = 20) -> list[tuple[str, int, int]]:
    return [(row.user.username, row.points, row.solutions)
            for row in leaderboards.leaderboard(Period(period), category_id, limit)]


def award(user, reason=LedgerReason.REPLY_ACCEPTED, points=None, thread=None) -> None:
    reputation.award(user.id, reason, points=points, thread=thread)
    db.session.commit()


def test_each_period_counts_only_what_happened_in_it(make, clock_at):
    recent, veteran = make.make_user(username="recent"), make.make_user(username="veteran")
    clock_at.advance(days=-40)
    award(veteran, LedgerReason.MISSION, points=100)
    clock_at.advance(days=20)  # 20 days ago
    award(veteran)
    clock_at.advance(days=20)
    award(recent)
    assert board("week") == [("recent", 15, 1)]
    assert board("month") == [("recent", 15, 1), ("veteran", 15, 1)]  # a tie: the earlier member first
    assert board("all") == [("veteran", 115, 1), ("recent", 15, 1)]


def test_an_acceptance_taken_back_counts_neither_points_nor_a_solution(make):
    thread = make.make_thread()
    first, second = make.make_reply(thread), make.make_reply(thread)
    qa.accept_solution(thread.author, thread, first)
    qa.accept_solution(thread.author, thread, second)  # moves the solution: the first helper's rows are reversed
    rows = {name: (points, solutions) for name, points, solutions in board("week")}
    assert first.author.username not in rows
    assert rows[second.author.username] == (15, 1)
    assert rows[thread.author.username] == (2, 0)  # the asker's +2 for accepting


def test_a_reversal_inside_the_period_of_an_older_row_subtracts(make, clock_at):
    user = make.make_user(username="fading")
    clock_at.advance(days=-10)
    award(user)
    award(user)
    clock_at.advance(days=10)
    row = reputation.standing_rows(reputation.ReputationEvent.user_id == user.id)[0]
    reputation.reverse(row)
    award(user, LedgerReason.REPLY_VOTED)
    db.session.commit()
    assert board("week") == []  # -15 + 10 and -1 solution: nothing positive this week
    assert board("all") == [("fading", 25, 1)]


def test_a_category_board_counts_only_that_categorys_threads(make):
    billing, shipping = make.make_category(name="Billing"), make.make_category(name="Shipping")
    ann, bob = make.make_user(username="ann"), make.make_user(username="bob")
    award(ann, thread=make.make_thread(category=billing))
    award(bob, thread=make.make_thread(category=shipping))
    award(bob, thread=make.make_thread(category=shipping))
    award(ann, LedgerReason.MISSION, points=500)  # no category: overall boards only
    assert board("all", billing.id) == [("ann", 15, 1)]
    assert board("all", shipping.id) == [("bob", 30, 2)]
    assert board("all") == [("ann", 515, 1), ("bob", 30, 2)]


def test_ties_go_to_more_solutions_then_to_the_earlier_member(make):
    first, second, third = (make.make_user(username=name) for name in ("first", "second", "third"))
    award(third, LedgerReason.MISSION, points=15)
    award(second)
    award(first)
    assert board() == [("first", 15, 1), ("second", 15, 1), ("third", 15, 0)]
    assert [row.position for row in leaderboards.leaderboard(Period.ALL)] == [1, 2, 3]
    assert board(limit=2) == [("first", 15, 1), ("second", 15, 1)]


def test_anonymized_accounts_leave_the_board(make):
    gone = make.make_user()
    award(gone)
    gone.anonymized_at = gone.created_at
    db.session.commit()
    assert board() == []


@pytest.mark.parametrize("role", ["moderator", "agent", "admin"])
def test_staff_are_not_ranked_among_the_community_but_advocates_are(make, role):
    staff, advocate = make.make_user(role, username=f"staff-{role}"), make.make_user("advocate", username="adv")
    award(staff, points=100)
    award(advocate)
    assert board() == [("adv", 15, 1)]


def test_the_board_is_one_query(make):
    for _ in range(5):
        award(make.make_user())
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = leaderboards.leaderboard(Period.ALL)
        names = [row.user.username for row in rows]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(names) == 5 and len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


@pytest.mark.parametrize("raw", ["year", "WEEK", "0"])
def test_an_unknown_period_is_refused_with_the_field_named(raw):
    with pytest.raises(Invalid) as refused:
        leaderboards.parse_period(raw)
    assert "period" in refused.value.errors


def test_the_period_defaults_to_the_week():
    assert leaderboards.parse_period(None) is Period.WEEK
    assert leaderboards.period_start(Period.ALL) is None
    assert leaderboards.PERIOD_LENGTH[Period.MONTH] == timedelta(days=30)
