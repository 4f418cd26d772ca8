"""Badges: each rule, its tier, grants by the worker and retroactively, and the message each grant sends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from forum.core.extensions import db
from forum.models import BadgeGrant, LedgerReason, Notification, Vote
from forum.recognition import badges, reputation
from forum.recognition.badges import Tier
from forum.services import posting, qa


def held(user) -> set[str]:
    return badges.held_codes(user.id)


def badge_messages(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.message).where(Notification.user_id == user.id, Notification.kind == "badge")
    ))


def solutions(user, n: int) -> None:
    for _ in range(n):
        reputation.award(user.id, LedgerReason.REPLY_ACCEPTED)
    db.session.commit()


def test_the_catalogue_has_every_badge_of_the_issue_with_a_tier_and_a_description():
    expected = {"first_answer", "first_solution", "rescuer", "solutions_10", "solutions_50", "solutions_250",
                "helpful_25", "helpful_100", "quick_responder", "streak", "welcomer", "champion", "advocate"}
    assert expected <= set(badges.BY_CODE)
    assert all(badge.description and badge.tier in Tier for badge in badges.CATALOGUE)
    assert [badges.BY_CODE[c].tier for c in ("solutions_10", "solutions_50", "solutions_250")] == [
        Tier.BRONZE, Tier.SILVER, Tier.GOLD]


def test_answering_someone_elses_question_earns_first_answer_soon_after(make, run_jobs):
    helper = make.make_user()
    thread = make.make_thread()
    posting.reply_to_thread(thread.author, thread, "Still broken here, any ideas?")
    run_jobs()
    assert "first_answer" not in held(thread.author)  # replying on your own question helps no one else
    make.make_reply(thread, author=helper)
    run_jobs()
    assert "first_answer" in held(helper)
    assert badge_messages(helper) == ["You earned the First Answer badge (bronze): Answered someone else's question."]


def test_a_grant_is_made_once_and_told_once(make, run_jobs):
    helper = make.make_user()
    make.make_reply(make.make_thread(), author=helper)
    make.make_reply(make.make_thread(), author=helper)
    run_jobs()
    assert badges.evaluate_user(helper.id) == []
    db.session.commit()
    count = db.session.scalar(select(func.count(BadgeGrant.id)).where(BadgeGrant.user_id == helper.id))
    assert count == 1 and len(badge_messages(helper)) == 1


def test_an_accepted_reply_earns_first_solution(make, run_jobs):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    run_jobs()
    assert {"first_answer", "first_solution"} <= held(reply.author)
    assert "rescuer" not in held(reply.author)


def test_solving_a_question_that_waited_over_a_day_earns_rescuer(make, run_jobs, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=25)
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    run_jobs()
    assert "rescuer" in held(reply.author)


@pytest.mark.parametrize(("count", "expected"), [
    (9, {"first_solution"}),
    (10, {"first_solution", "solutions_10"}),
    (50, {"first_solution", "solutions_10", "solutions_50"}),
    (250, {"first_solution", "solutions_10", "solutions_50", "solutions_250"}),
])
def test_solution_badges_come_in_bronze_silver_and_gold(make, count, expected):
    user = make.make_user()
    solutions(user, count)
    badges.evaluate_user(user.id)
    solution_badges = {"first_solution", "solutions_10", "solutions_50", "solutions_250"}
    assert held(user) & solution_badges == expected


def test_a_reversed_acceptance_does_not_count_toward_solution_badges(make):
    user = make.make_user()
    solutions(user, 10)
    last = reputation.standing_rows(reputation.ReputationEvent.user_id == user.id)[-1]
    reputation.reverse(last)
    db.session.commit()
    badges.evaluate_user(user.id)
    assert "solutions_10" not in held(user) and "first_solution" in held(user)


def _votes(posts, voters) -> None:
    """Helpful votes straight into the table (the service's own rules are tested in test_qa)."""
    db.session.execute(insert(Vote), [{"user_id": v.id, "post_id": p.id, "created_at": p.created_at}
                                      for p in posts for v in voters])
    db.session.commit()


def test_helpful_votes_received_earn_helpful_25_then_100(make):
    author = make.make_user()
    posts = [make.make_reply(make.make_thread(), author=author, body=f"Answer number {n}") for n in range(10)]
    voters = [make.make_user() for _ in range(20)]
    _votes(posts[:1], voters)
    _votes(posts[1:2], voters[:4])
    badges.evaluate_user(author.id)
    assert "helpful_25" not in held(author)  # 24 votes
    _votes(posts[3:4], voters[:1])
    badges.evaluate_user(author.id)
    assert "helpful_25" in held(author) and "helpful_100" not in held(author)
    _votes(posts[4:], voters[:12])
    badges.evaluate_user(author.id)
    assert "helpful_100" not in held(author)  # 97 votes
    _votes(posts[2:3], voters[:3])
    badges.evaluate_user(author.id)
    assert {"helpful_25", "helpful_100"} <= held(author)


def test_votes_on_a_deleted_post_do_not_count(make):
    author = make.make_user()
    post = make.make_reply(make.make_thread(), author=author)
    _votes([post], [make.make_user() for _ in range(25)])
    posting.delete_post(author, post)
    badges.evaluate_user(author.id)
    assert "helpful_25" not in held(author)


def test_quick_responder_needs_five_first_answers_within_an_hour(make, clock_at):
    helper, asker = make.make_user(), make.make_user()
    for n in range(4):
        thread = make.make_thread(author=asker)
        clock_at.advance(minutes=59)
        make.make_reply(thread, author=helper, body=f"Quick help {n}")
    late = make.make_thread(author=asker)
    clock_at.advance(minutes=61)
    make.make_reply(late, author=helper)
    not_first = make.make_thread(author=asker)
    make.make_reply(not_first)
    clock_at.advance(minutes=1)
    make.make_reply(not_first, author=helper)
    badges.evaluate_user(helper.id)
    assert "quick_responder" not in held(helper)  # the late one and the second reply do not count
    fifth = make.make_thread(author=asker)
    clock_at.advance(minutes=30)
    make.make_reply(fifth, author=helper)
    badges.evaluate_user(helper.id)
    assert "quick_responder" in held(helper)


def test_welcomer_answers_first_the_first_question_of_ten_newcomers(make):
    helper = make.make_user()
    for n in range(9):
        make.make_reply(make.make_thread(), author=helper, body=f"Welcome! {n}")
    regular = make.make_user()
    make.make_thread(author=regular)
    make.make_reply(make.make_thread(author=regular), author=helper)  # their second question
    badges.evaluate_user(helper.id)
    assert "welcomer" not in held(helper)
    make.make_reply(make.make_thread(), author=helper)
    badges.evaluate_user(helper.id)
    assert "welcomer" in held(helper)


def _help_on_days(make, clock_at, helper, days: list[int]) -> None:
    thread = make.make_thread()
    start = clock_at.now
    for day in days:
        clock_at.set(start + timedelta(days=day, hours=day % 3))
        make.make_reply(thread, author=helper, body=f"Day {day}: try this")


def test_helping_seven_days_in_a_row_earns_the_streak(make, clock_at):
    helper = make.make_user()
    _help_on_days(make, clock_at, helper, [0, 1, 2, 3, 4, 5, 7, 8])
    badges.evaluate_user(helper.id)
    assert "streak" not in held(helper)  # six days, a gap, then two
    other = make.make_user()
    _help_on_days(make, clock_at, other, [10, 11, 11, 12, 13, 14, 15, 16])
    badges.evaluate_user(other.id)
    assert "streak" in held(other)


def test_reaching_champion_rank_earns_the_champion_badge(make):
    user = make.make_user()
    reputation.award(user.id, LedgerReason.MISSION, points=4999)
    db.session.commit()
    badges.evaluate_user(user.id)
    assert "champion" not in held(user)
    reputation.award(user.id, LedgerReason.MISSION, points=1)
    db.session.commit()
    badges.evaluate_user(user.id)
    assert "champion" in held(user)


def test_advocates_get_the_advocate_badge_from_the_backfill(make, run_jobs):
    member, advocate = make.make_user(), make.make_user("advocate")
    assert badges.backfill_badge("advocate") == 1
    assert "advocate" in held(advocate) and "advocate" not in held(member)
    assert badge_messages(advocate) == [
        "You earned the Advocate badge (gold): Recognised as a community advocate."]


def test_the_backfill_grants_retroactively_once_with_one_message_each(make):
    people = [make.make_user() for _ in range(3)]
    for person in people:
        solutions(person, 1)  # ledger rows written, but the worker has not run yet
    steps = []
    assert badges.backfill_badge("first_solution", steps.append) == 3
    assert sum(steps) == 3
    assert all("first_solution" in held(p) and len(badge_messages(p)) == 1 for p in people)
    assert badges.backfill_badge("first_solution") == 0


def test_a_badge_added_later_is_granted_to_everyone_who_already_qualifies(make, monkeypatch):
    veteran, newbie = make.make_user(), make.make_user()
    solutions(veteran, 3)
    new_badge = badges.Badge("hat_trick", "Hat Trick", Tier.BRONZE, "Three solutions.",
                             badges.rules.ledger_rows(LedgerReason.REPLY_ACCEPTED, 3))
    monkeypatch.setitem(badges.BY_CODE, new_badge.code, new_badge)
    monkeypatch.setattr(badges, "RULE_BADGES", (*badges.RULE_BADGES, new_badge))
    ticks = []
    granted = badges.backfill_all(ticks.append)
    assert len(ticks) == len(badges.RULE_BADGES)
    assert "hat_trick" in held(veteran) and "hat_trick" not in held(newbie)
    assert granted == 2  # first_solution and hat_trick for the veteran


def test_anonymized_accounts_earn_nothing(make):
    user = make.make_user()
    solutions(user, 1)
    user.anonymized_at = user.created_at
    db.session.commit()
    assert badges.evaluate_user(user.id) == [] and badges.backfill_badge("first_solution") == 0


def test_catalogue_counts_holders_and_lists_badges_per_user(make):
    first, second = make.make_user(), make.make_user()
    for person in (first, second):
        solutions(person, 1)
    solutions(first, 9)
    badges.backfill_all()
    counts = badges.holder_counts()
    assert counts["first_solution"] == 2 and counts["solutions_10"] == 1 and counts["legend"] == 0
    listed = badges.badges_of([first.id, second.id])
    assert [h.badge.code for h in listed[first.id]] == ["first_solution", "solutions_10"]
    assert [user.id for user, _ in badges.holders("solutions_10")] == [first.id]


def test_a_holder_count_matches_the_holders_listed_once_an_account_is_anonymized(make):
    kept, gone = make.make_user(), make.make_user()
    for person in (kept, gone):
        solutions(person, 1)
    badges.backfill_badge("first_solution")
    gone.anonymized_at = gone.created_at
    db.session.commit()
    assert badges.holder_counts()["first_solution"] == 1
    assert [user.id for user, _ in badges.holders("first_solution")] == [kept.id]


def test_the_cli_backfills_with_a_progress_bar(app, make):
    solutions(make.make_user(), 1)
    result = app.test_cli_runner().invoke(args=["badges", "backfill"])
    assert result.exit_code == 0, result.output
    assert "Granted 1 badges." in result.output
