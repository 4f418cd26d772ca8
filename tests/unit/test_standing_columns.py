"""The figures shown beside every name: a member's accepted-solution count and best badge stay true."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from forum.core.extensions import db
from forum.models import AuditEntry, User
from forum.recognition import badges, upkeep
from forum.services import moderation_state, qa, reading


def solutions_of(user: User) -> int:
    db.session.refresh(user)
    return user.solution_count


def top_of(user: User) -> str | None:
    db.session.refresh(user)
    return user.top_badge


@pytest.fixture
def scene(make):
    """A question by an asker with two replies by two helpers."""
    asker, helper, rival = make.make_user(), make.make_user(), make.make_user()
    thread = make.make_thread(author=asker)
    return thread, make.make_reply(thread, author=helper), make.make_reply(thread, author=rival), asker, helper, rival


def test_accepting_counts_a_solution_and_unaccepting_takes_it_back(scene):
    thread, reply, _other, asker, helper, _rival = scene
    qa.accept_solution(asker, thread, reply)
    assert solutions_of(helper) == 1 and solutions_of(asker) == 0  # the asker's +2 is not a solution
    qa.unaccept_solution(asker, thread)
    assert solutions_of(helper) == 0
    qa.accept_solution(asker, thread, reply)
    assert solutions_of(helper) == 1


def test_moving_the_solution_moves_the_count(scene):
    thread, reply, other, asker, helper, rival = scene
    qa.accept_solution(asker, thread, reply)
    qa.accept_solution(asker, thread, other)
    assert (solutions_of(helper), solutions_of(rival)) == (0, 1)


def test_hiding_the_question_takes_the_solution_away_and_restoring_it_gives_it_back(make, scene):
    thread, reply, _other, asker, helper, _rival = scene
    qa.accept_solution(asker, thread, reply)
    moderator = make.make_user("moderator")
    moderation_state.hide_post(reading.question_post(thread), moderator, "Checking a report")
    db.session.commit()
    assert solutions_of(helper) == 0
    moderation_state.unhide_post(reading.question_post(thread), moderator)
    db.session.commit()
    assert solutions_of(helper) == 1


def test_a_first_badge_becomes_the_top_badge_and_a_higher_tier_replaces_it(make):
    member = make.make_user()
    assert top_of(member) is None
    badges.grant(member.id, badges.BY_CODE["first_answer"])
    assert top_of(member) == "first_answer"
    badges.grant(member.id, badges.BY_CODE["champion"])  # gold
    assert top_of(member) == "champion"
    badges.grant(member.id, badges.BY_CODE["rescuer"])  # silver: below gold
    assert top_of(member) == "champion"


def test_between_badges_of_one_tier_the_rarer_one_shows(make):
    member, others = make.make_user(), [make.make_user() for _ in range(3)]
    for other in others:
        badges.grant(other.id, badges.BY_CODE["first_answer"])  # common
    badges.grant(others[0].id, badges.BY_CODE["helpful_25"])  # rarer
    badges.grant(member.id, badges.BY_CODE["first_answer"])
    badges.grant(member.id, badges.BY_CODE["helpful_25"])
    assert top_of(member) == "helpful_25"
    badges.grant(member.id, badges.BY_CODE["first_solution"])  # same tier, held by member alone: rarest
    assert top_of(member) == "first_solution"
    badges.grant(others[1].id, badges.BY_CODE["first_solution"])
    badges.grant(others[2].id, badges.BY_CODE["first_solution"])
    newcomer = make.make_user()
    badges.grant(newcomer.id, badges.BY_CODE["helpful_25"])
    badges.grant(newcomer.id, badges.BY_CODE["first_answer"])  # more common than what they show: no change
    assert top_of(newcomer) == "helpful_25"


def test_a_retroactive_grant_sets_the_top_badge_of_everyone_it_reaches(make, scene):
    thread, reply, _other, asker, helper, _rival = scene
    qa.accept_solution(asker, thread, reply)
    db.session.commit()
    assert badges.backfill_badge("first_solution") == 1
    assert top_of(helper) == "first_solution" and top_of(asker) is None


def test_badges_held_from_before_the_column_existed_show_after_the_next_backfill(make):
    """Migration 0018 adds top_badge empty: the periodic backfill fills it with each holder's best badge."""
    veteran, newcomer, nobody = make.make_user(), make.make_user(), make.make_user()
    badges.grant(veteran.id, badges.BY_CODE["first_answer"])
    badges.grant(veteran.id, badges.BY_CODE["rescuer"])
    badges.grant(newcomer.id, badges.BY_CODE["first_answer"])
    db.session.execute(update(User).values(top_badge=None))  # as the upgrade leaves every member
    db.session.commit()
    badges.backfill_all()
    assert (top_of(veteran), top_of(newcomer), top_of(nobody)) == ("rescuer", "first_answer", None)


def test_recompute_repairs_a_drifted_solution_count_and_top_badge(make, scene):
    thread, reply, _other, asker, helper, rival = scene
    qa.accept_solution(asker, thread, reply)
    badges.grant(rival.id, badges.BY_CODE["rescuer"])
    helper.solution_count, rival.top_badge = 7, "first_answer"  # as a bug or a hand edit might leave them
    db.session.commit()
    found = {(d.user_id, d.field): (d.stored, d.ledger) for d in upkeep.recompute_totals(fix=False)}
    assert found == {(helper.id, "solution_count"): (7, 1), (rival.id, "top_badge"): ("first_answer", "rescuer")}
    assert solutions_of(helper) == 7  # a dry run changes nothing
    assert len(upkeep.recompute_totals()) == 2
    assert solutions_of(helper) == 1 and top_of(rival) == "rescuer"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reputation.recomputed"))
    assert entry.target_id == helper.id and '"solution_count": 7' in entry.before_json
    assert upkeep.recompute_totals() == []


def test_the_recompute_command_names_what_drifted(app, make, scene):
    _thread, _reply, _other, _asker, helper, _rival = scene
    helper.solution_count = 3
    db.session.commit()
    dry = app.test_cli_runner().invoke(args=["reputation", "recompute", "--dry-run"])
    assert f"{helper.username} (id {helper.id}): solution count stored 3, ledger 0 (+3)" in dry.output
    fixed = app.test_cli_runner().invoke(args=["reputation", "recompute"])
    assert "Drift found and fixed for 1 users." in fixed.output and solutions_of(helper) == 0
