"""Voting for ideas with a budget: what a member sees of their votes, the idea's count, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.core.errors import Forbidden
from forum.ideas import IdeaClosed, NoVotesLeft, change_status, vote, voted_idea_ids, votes_left, withdraw
from forum.ideas.upkeep import inconsistencies
from forum.models import IdeaStatus, IdeaVote
from forum.services import community_settings
from tests.queries import count_statements


def set_setting(key: str, value) -> None:
    community_settings.update_settings_from_console({key: value})


def rows_of(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.user_id == user.id))


@pytest.fixture
def voter(make):
    return make.make_user(username="vera")


def test_a_vote_counts_on_the_idea_and_spends_one_of_ten(voter, idea):
    assert votes_left(voter) == 10
    tally = vote(voter, idea)
    assert (tally.vote_count, tally.votes_left, tally.changed) == (1, 9, True)
    assert idea.vote_count == 1


def test_the_eleventh_vote_is_refused_and_nothing_is_stored(db, make, voter, ideas_category, idea_author):
    ideas = [make.make_idea(author=idea_author, category=ideas_category) for _ in range(11)]
    for idea in ideas[:10]:
        vote(voter, idea)
    assert votes_left(voter) == 0
    with pytest.raises(NoVotesLeft) as refused:
        vote(voter, ideas[10])
    assert refused.value.status == 409 and refused.value.title == "No votes left"
    db.session.rollback()
    assert rows_of(db, voter) == 10
    assert ideas[10].vote_count == 0
    assert inconsistencies() == []


def test_voting_twice_counts_once(voter, idea):
    vote(voter, idea)
    again = vote(voter, idea)
    assert (again.vote_count, again.votes_left, again.changed) == (1, 9, False)


def test_withdrawing_gives_the_vote_back_and_a_vote_never_cast_changes_nothing(make, voter, idea):
    vote(voter, idea)
    tally = withdraw(voter, idea)
    assert (tally.vote_count, tally.votes_left, tally.changed) == (0, 10, True)
    stranger = make.make_user()
    untouched = withdraw(stranger, idea)
    assert (untouched.vote_count, untouched.votes_left, untouched.changed) == (0, 10, False)


def test_the_author_cannot_vote_for_their_own_idea(db, idea, idea_author):
    with pytest.raises(Forbidden):
        vote(idea_author, idea)
    db.session.rollback()
    assert rows_of(db, idea_author) == 0


def test_a_suspended_member_cannot_vote(db, make, clock_at, idea):
    suspended = make.make_user(suspended_until=clock_at.now + timedelta(days=3), suspension_reason="spam")
    with pytest.raises(Forbidden):
        vote(suspended, idea)


@pytest.mark.parametrize("status", [IdeaStatus.SHIPPED, IdeaStatus.DECLINED])
def test_a_closed_idea_takes_no_vote_and_gives_none_back_twice(db, make, staff, voter, idea, status):
    vote(voter, idea)
    change_status(staff, idea, status.value)
    late = make.make_user()
    with pytest.raises(IdeaClosed) as refused:
        vote(late, idea)
    assert refused.value.title == "Idea closed"
    with pytest.raises(IdeaClosed):
        withdraw(voter, idea)
    db.session.rollback()
    assert votes_left(voter) == 10
    assert idea.vote_count == 1  # the count keeps every vote the idea had


def test_a_lowered_budget_stops_new_votes_but_takes_none_back(db, make, voter, ideas_category, idea_author):
    ideas = [make.make_idea(author=idea_author, category=ideas_category) for _ in range(4)]
    for idea in ideas[:3]:
        vote(voter, idea)
    set_setting("ideas.vote_budget", 2)
    assert votes_left(voter) == 0
    with pytest.raises(NoVotesLeft):
        vote(voter, ideas[3])
    db.session.rollback()
    assert rows_of(db, voter) == 3
    assert [idea.vote_count for idea in ideas] == [1, 1, 1, 0]
    withdraw(voter, ideas[0])
    withdraw(voter, ideas[1])
    assert vote(voter, ideas[3]).votes_left == 0
    assert inconsistencies() == []  # over budget after a lowering is allowed, not an inconsistency


def test_voted_idea_ids_answers_a_page_in_one_query(make, voter, ideas_category, idea_author):
    ideas = [make.make_idea(author=idea_author, category=ideas_category) for _ in range(3)]
    vote(voter, ideas[0])
    vote(voter, ideas[2])
    ids = [idea.thread_id for idea in ideas]
    with count_statements() as statements:
        voted = voted_idea_ids(voter, ids)
    assert voted == {ids[0], ids[2]}
    assert len(statements) == 1
    assert voted_idea_ids(None, ids) == set()
    assert votes_left(None) == 0
