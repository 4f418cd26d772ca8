"""The reputation ledger: every rule writes a row with its cause, every undo its exact reversal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.errors import Forbidden
from forum.core.extensions import db
from forum.models import AuditEntry, Case, ReputationEvent, User
from forum.recognition import reputation, upkeep
from forum.services import community_settings, moderation_state, posting, qa, reading
from moderation.services import actions


def rows(user: User) -> list[tuple[int, str, str | None]]:
    """(delta, reason, correction) of the user's ledger, oldest first."""
    return [
        (row.delta, row.reason, row.correction)
        for row in db.session.scalars(select(ReputationEvent).where(ReputationEvent.user_id == user.id)
                                      .order_by(ReputationEvent.id))
    ]


def total(user: User) -> int:
    db.session.refresh(user)
    assert user.reputation == reputation.ledger_total(user.id), "the running total left the ledger"
    return user.reputation


@pytest.fixture
def scene(make, clock_at):
    """A question by an asker with one reply by a helper."""
    asker, helper = make.make_user(), make.make_user()
    thread = make.make_thread(author=asker)
    clock_at.advance(minutes=30)
    reply = make.make_reply(thread, author=helper)
    return thread, reply, asker, helper


def test_a_helpful_vote_on_a_reply_gives_ten_with_its_cause_and_withdrawing_reverses_it(make, scene):
    thread, reply, _asker, helper = scene
    voter = make.make_user()
    qa.vote_helpful(voter, reply)
    row = db.session.scalar(select(ReputationEvent).where(ReputationEvent.user_id == helper.id))
    assert (row.delta, row.reason, row.post_id, row.thread_id, row.category_id, row.actor_id) == (
        10, "reply_voted", reply.id, thread.id, thread.category_id, voter.id)
    assert total(helper) == 10
    qa.withdraw_vote(voter, reply)
    reversal = db.session.scalar(select(ReputationEvent).where(ReputationEvent.reverses_id == row.id))
    assert (reversal.delta, reversal.reason, reversal.post_id, reversal.correction) == (
        -10, "reply_voted", reply.id, "withdrawn")
    assert total(helper) == 0


def test_a_helpful_vote_on_a_question_gives_the_asker_five(make, scene):
    thread, _reply, asker, _helper = scene
    voter = make.make_user()
    question = reading.question_post(thread)
    qa.vote_helpful(voter, question)
    qa.vote_helpful(voter, question)  # twice counts once
    assert rows(asker) == [(5, "question_voted", None)]
    qa.withdraw_vote(voter, question)
    assert total(asker) == 0 and rows(asker)[-1] == (-5, "question_voted", "withdrawn")


def test_no_one_votes_for_their_own_post(scene):
    _thread, reply, _asker, helper = scene
    with pytest.raises(Forbidden):
        qa.vote_helpful(helper, reply)
    assert rows(helper) == [] and total(helper) == 0


def test_accepting_pays_the_replier_fifteen_and_the_asker_two_and_unaccepting_takes_both_back(scene):
    thread, reply, asker, helper = scene
    qa.accept_solution(asker, thread, reply)
    assert rows(helper) == [(15, "reply_accepted", None)] and rows(asker) == [(2, "accepted_solution", None)]
    qa.unaccept_solution(asker, thread)
    assert rows(helper)[-1] == (-15, "reply_accepted", "unaccepted")
    assert rows(asker)[-1] == (-2, "accepted_solution", "unaccepted")
    assert total(helper) == total(asker) == 0


def test_staff_accepting_pays_the_replier_but_not_the_asker(make, scene):
    thread, reply, asker, helper = scene
    qa.accept_solution(make.make_user("agent"), thread, reply)
    assert total(helper) == 15 and total(asker) == 0


def test_accepting_your_own_reply_earns_nothing(scene):
    thread, _reply, asker, _helper = scene
    own = posting.reply_to_thread(asker, thread, "Solved it myself: a firmware update fixed it.")
    qa.accept_solution(asker, thread, own)
    assert rows(asker) == []


def test_moving_the_solution_reverses_the_first_and_pays_the_second(make, scene):
    thread, reply, asker, helper = scene
    other = make.make_user()
    better = make.make_reply(thread, author=other)
    qa.accept_solution(asker, thread, reply)
    qa.accept_solution(asker, thread, better)
    assert total(helper) == 0 and total(other) == 15 and total(asker) == 2


def test_a_rescue_pays_ten_more_when_the_question_waited_over_a_day(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=25)
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert sorted(rows(reply.author)) == [(10, "rescue", None), (15, "reply_accepted", None)]
    qa.unaccept_solution(thread.author, thread)
    assert total(reply.author) == 0


def test_no_rescue_when_the_first_reply_came_within_a_day(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=23)
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert rows(reply.author) == [(15, "reply_accepted", None)]


def test_a_bounty_question_pays_twenty_more_to_the_accepted_reply_and_takes_it_back(scene, clock_at):
    thread, reply, asker, helper = scene
    thread.bounty_at = clock_at.now
    db.session.commit()
    qa.accept_solution(asker, thread, reply)
    assert sorted(rows(helper)) == [(15, "reply_accepted", None), (20, "bounty", None)]
    qa.unaccept_solution(asker, thread)
    assert total(helper) == 0


def test_staff_making_a_staff_answer_the_solution_earn_nothing_for_it_but_votes_still_count(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=30)  # long enough for a rescue, had a peer answered
    thread.bounty_at = clock_at.now
    db.session.commit()
    agent = make.make_user("agent")
    answer = make.make_reply(thread, author=agent)
    qa.accept_solution(agent, thread, answer)  # what publishing a case resolution does
    assert rows(agent) == [] and total(thread.author) == 0
    qa.vote_helpful(thread.author, answer)
    assert rows(agent) == [(10, "reply_voted", None)]


def test_a_case_resolution_accepted_later_by_the_asker_pays_its_author_nothing(make, scene):
    thread, _reply, asker, _helper = scene
    agent = make.make_user("agent")
    resolution = make.make_reply(thread, author=agent)
    db.session.add(Case(thread_id=thread.id, customer_id=asker.id, status="resolved", source="customer",
                        first_response_due_at=thread.created_at, resolution="Reset it.",
                        resolution_post_id=resolution.id, created_at=thread.created_at,
                        updated_at=thread.created_at))
    db.session.commit()
    qa.accept_solution(asker, thread, resolution)
    assert rows(agent) == [] and rows(asker) == [(2, "accepted_solution", None)]


def test_an_asker_accepting_an_ordinary_staff_answer_pays_it_like_any_reply(make, scene):
    thread, _reply, asker, _helper = scene
    moderator = make.make_user("moderator")
    answer = make.make_reply(thread, author=moderator)
    qa.accept_solution(asker, thread, answer)
    assert rows(moderator) == [(15, "reply_accepted", None)] and total(asker) == 2


def test_a_solution_moved_by_a_merge_and_accepted_again_is_paid_once(make, scene):
    thread, reply, asker, helper = scene
    qa.accept_solution(asker, thread, reply)
    target = make.make_thread()
    actions.merge_threads(make.make_user("moderator"), thread, target.id, "Same question as this one")
    qa.accept_solution(target.author, target, reply)
    assert total(helper) == 15 and total(target.author) == 2
    qa.unaccept_solution(target.author, target)
    assert total(helper) == 0 and total(target.author) == 0


def test_deleting_an_accepted_reply_reverses_its_votes_and_the_acceptance_for_everyone(make, scene):
    thread, reply, asker, helper = scene
    qa.vote_helpful(make.make_user(), reply)
    qa.accept_solution(asker, thread, reply)
    posting.delete_post(helper, reply)
    assert total(helper) == 0 and total(asker) == 0
    assert {row for row in rows(helper) if row[0] < 0} == {(-10, "reply_voted", "removed"),
                                                          (-15, "reply_accepted", "unaccepted")}


def test_deleting_a_question_reverses_everything_its_thread_earned(make, scene):
    thread, reply, asker, helper = scene
    qa.vote_helpful(make.make_user(), reply)
    qa.vote_helpful(make.make_user(), reading.question_post(thread))
    qa.accept_solution(asker, thread, reply)
    posting.delete_post(asker, reading.question_post(thread))
    assert total(helper) == 0 and total(asker) == 0


def test_vote_points_stop_at_the_daily_cap_and_start_again_the_next_day(make, scene, clock_at):
    thread, _reply, _asker, helper = scene
    replies = [make.make_reply(thread, author=helper) for _ in range(3)]
    voters = [make.make_user() for _ in range(8)]
    for post in replies:
        for voter in voters:
            qa.vote_helpful(voter, post)
    assert total(helper) == 200  # 24 votes would be 240
    qa.accept_solution(thread.author, thread, replies[0])
    assert total(helper) == 215  # acceptances are not capped
    clock_at.advance(days=1)
    qa.vote_helpful(make.make_user(), replies[1])
    assert total(helper) == 225


def test_a_vote_trimmed_by_the_cap_is_reversed_exactly(make, scene):
    _thread, reply, _asker, helper = scene
    community_settings.update_settings(make.make_user("admin"), {"reputation.daily_vote_cap": 15})
    first, second, third = make.make_user(), make.make_user(), make.make_user()
    qa.vote_helpful(first, reply)
    qa.vote_helpful(second, reply)  # only 5 left today
    qa.vote_helpful(third, reply)  # nothing left
    assert [r[0] for r in rows(helper)] == [10, 5]
    qa.withdraw_vote(third, reply)  # its vote earned nothing, so nothing is taken
    qa.withdraw_vote(second, reply)
    assert [r[0] for r in rows(helper)] == [10, 5, -5] and total(helper) == 10


def test_withdrawing_does_not_give_back_cap_room(make, scene):
    """The cap counts points given today, so vote-unvote cycles cannot farm reputation."""
    _thread, reply, _asker, helper = scene
    community_settings.update_settings(make.make_user("admin"), {"reputation.daily_vote_cap": 20})
    friend = make.make_user()
    for _ in range(3):
        qa.vote_helpful(friend, reply)
        qa.withdraw_vote(friend, reply)
    qa.vote_helpful(friend, reply)
    assert total(helper) == 0


def test_hiding_and_unhiding_a_post_reverses_then_restores_its_votes_and_acceptance(make, scene):
    thread, reply, asker, helper = scene
    moderator = make.make_user("moderator")
    qa.vote_helpful(make.make_user(), reply)
    qa.vote_helpful(make.make_user(), reading.question_post(thread))
    assert total(helper) == 10 and total(asker) == 5
    moderation_state.hide_post(reading.question_post(thread), moderator, "Off topic")
    db.session.commit()
    assert total(helper) == 0 and total(asker) == 0
    moderation_state.unhide_post(reading.question_post(thread), moderator)
    db.session.commit()
    assert total(helper) == 10 and total(asker) == 5
    assert rows(helper)[-1] == (10, "reply_voted", "restored")


def test_restoring_gives_back_the_acceptance_only_while_the_reply_is_still_the_solution(make, scene):
    thread, reply, asker, helper = scene
    question = reading.question_post(thread)
    qa.accept_solution(asker, thread, reply)
    moderator = make.make_user("moderator")
    moderation_state.hide_post(question, moderator, "Spam check")
    db.session.commit()
    assert total(helper) == 0
    moderation_state.unhide_post(question, moderator)
    db.session.commit()
    assert total(helper) == 15 and total(asker) == 2
    moderation_state.hide_post(reply, moderator, "Spam check")  # hiding the reply drops the solution
    db.session.commit()
    moderation_state.unhide_post(reply, moderator)
    db.session.commit()
    assert total(helper) == 0 and thread.accepted_post_id is None


def test_restoring_twice_pays_once_and_restored_points_leave_the_cap_alone(make, scene):
    _thread, reply, _asker, helper = scene
    community_settings.update_settings(make.make_user("admin"), {"reputation.daily_vote_cap": 30})
    qa.vote_helpful(make.make_user(), reply)
    qa.vote_helpful(make.make_user(), reply)
    moderator = make.make_user("moderator")
    moderation_state.hide_post(reply, moderator, "Checking")
    db.session.commit()
    moderation_state.unhide_post(reply, moderator)
    assert reputation.restore_for_post(reply, moderator) == 0  # nothing left to restore
    db.session.commit()
    assert total(helper) == 20
    assert reputation.vote_allowance_left(helper.id) == 10  # 20 given today; the restored copies don't count


def test_points_reversed_for_serial_voting_stay_reversed_when_the_post_is_restored(make, scene, clock_at):
    thread, _reply, _asker, helper = scene
    ring = make.make_user()
    posts = [make.make_reply(thread, author=helper) for _ in range(11)]
    for post in posts:
        qa.vote_helpful(ring, post)
    assert upkeep.reverse_serial_votes() == 1
    moderator = make.make_user("moderator")
    moderation_state.hide_post(posts[0], moderator, "Checking")
    db.session.commit()
    moderation_state.unhide_post(posts[0], moderator)
    db.session.commit()
    assert total(helper) == 0


def test_recompute_reports_and_fixes_drift_and_audits_it(make, scene):
    _thread, reply, _asker, helper = scene
    qa.vote_helpful(make.make_user(), reply)
    helper.reputation = 999  # as a bug or a hand edit might leave it
    db.session.commit()
    drifts = upkeep.recompute_totals(fix=False)
    assert [(d.user_id, d.stored, d.ledger, d.difference) for d in drifts] == [(helper.id, 999, 10, 989)]
    assert total_unchecked(helper) == 999  # a dry run changes nothing
    seen = []
    assert len(upkeep.recompute_totals(seen.append)) == 1
    assert total(helper) == 10 and sum(seen) == db.session.query(User).count()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reputation.recomputed"))
    assert entry.target_id == helper.id and '"reputation": 999' in entry.before_json
    assert upkeep.recompute_totals() == []


def total_unchecked(user: User) -> int:
    db.session.refresh(user)
    return user.reputation


def test_a_ledger_page_lists_newest_first_with_a_cursor(make, scene):
    _thread, reply, _asker, helper = scene
    voters = [make.make_user() for _ in range(5)]
    for voter in voters:
        qa.vote_helpful(voter, reply)
    first = reputation.list_ledger(helper, 3)
    second = reputation.list_ledger(helper, 3, first.next_cursor)
    assert [row.actor_id for row in first.items + second.items] == [v.id for v in reversed(voters)]
    assert second.next_cursor is None


def test_accepting_a_reply_out_of_view_pays_nothing_until_it_is_back(make, scene):
    thread, reply, asker, helper = scene
    moderator = make.make_user("moderator")
    question = reading.question_post(thread)
    moderation_state.hide_post(question, moderator, "Checking")
    db.session.commit()
    qa.accept_solution(asker, thread, reply)  # the asker still sees their own hidden question
    assert total(helper) == 0 and total(asker) == 0
    moderation_state.unhide_post(question, moderator)
    db.session.commit()
    assert total(helper) == 15 and total(asker) == 2


def test_the_recompute_command_reports_drift_found_and_fixed(app, make, scene):
    _thread, reply, _asker, helper = scene
    qa.vote_helpful(make.make_user(), reply)
    helper.reputation = 7
    db.session.commit()
    dry = app.test_cli_runner().invoke(args=["reputation", "recompute", "--dry-run"])
    assert dry.exit_code == 0 and f"{helper.username} (id {helper.id}): stored 7, ledger 10 (-3)" in dry.output
    assert "not fixed: dry run" in dry.output and total_unchecked(helper) == 7
    fixed = app.test_cli_runner().invoke(args=["reputation", "recompute"])
    assert "Drift found and fixed for 1 users." in fixed.output and total(helper) == 10
    again = app.test_cli_runner().invoke(args=["reputation", "recompute"])
    assert "No drift" in again.output


def test_a_peer_solving_an_escalated_question_earns_a_deflection_credit(scene):
    thread, reply, asker, helper = scene
    cases.escalate_thread(asker, thread, "Nobody could help so far")
    qa.accept_solution(asker, thread, reply)
    assert sorted(rows(helper)) == [(10, "deflection", None), (15, "reply_accepted", None)]
    assert total(helper) == 25
    qa.unaccept_solution(asker, thread)
    assert total(helper) == 0


def test_no_deflection_credit_without_a_pending_escalation_or_for_staff(make, scene):
    thread, reply, asker, helper = scene
    qa.accept_solution(asker, thread, reply)
    assert [reason for _delta, reason, _c in rows(helper)] == ["reply_accepted"]
    other = make.make_thread(author=asker)
    agent = make.make_user("agent")
    answer = make.make_reply(other, author=agent)
    cases.escalate_thread(asker, other, "Please help")
    qa.accept_solution(asker, other, answer)
    assert "deflection" not in [reason for _delta, reason, _c in rows(agent)]
