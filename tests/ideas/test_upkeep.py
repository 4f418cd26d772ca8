"""Votes kept honest after the fact: serial voting, a deleted idea, an erased voter, and the consistency check."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from forum.core import job_registry
from forum.ideas import change_status, vote, votes_left
from forum.ideas.upkeep import SERIAL_VOTES_JOB, inconsistencies, reverse_serial_votes
from forum.models import AuditEntry, Idea, IdeaVote, Post, Thread
from forum.services import community_settings, posting
from moderation.services.anonymize import anonymize_user


def question_of(db, idea) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == idea.thread_id, Post.is_question))


def count_of(db, idea) -> int:
    return db.session.scalar(select(Idea.vote_count).where(Idea.thread_id == idea.thread_id))


@pytest.fixture
def voter(make):
    return make.make_user(username="vera")


def test_deleting_an_ideas_question_gives_its_open_votes_back(db, make, voter, idea, idea_author):
    vote(voter, idea)
    assert votes_left(voter) == 9
    posting.delete_post(idea_author, question_of(db, idea))
    assert votes_left(voter) == 10
    assert db.session.get(Idea, idea.thread_id).votes_released_at is not None
    assert count_of(db, idea) == 1


def test_an_erased_member_loses_open_votes_and_the_counts_drop(db, make, staff, voter, ideas_category, idea):
    shipped = make.make_idea(category=ideas_category)
    vote(voter, idea)
    vote(voter, shipped)
    change_status(staff, shipped, "shipped")
    anonymize_user(make.make_user(role="admin"), voter)
    assert count_of(db, idea) == 0
    assert count_of(db, shipped) == 1  # a vote already given back stays part of the shipped idea's count
    assert db.session.scalar(select(IdeaVote.idea_id).where(IdeaVote.user_id == voter.id)) == shipped.thread_id
    assert inconsistencies() == []


def test_serial_votes_on_one_authors_ideas_are_removed_and_given_back(db, make, clock_at, voter, ideas_category):
    community_settings.update_settings_from_console({"reputation.serial_vote_limit": 3})
    author, other = make.make_user(), make.make_user()
    ring = [make.make_idea(author=author, category=ideas_category) for _ in range(4)]
    elsewhere = [make.make_idea(author=other, category=ideas_category) for _ in range(3)]
    for idea in [*ring, *elsewhere]:
        clock_at.advance(minutes=5)
        vote(voter, idea)
    honest = make.make_user()
    vote(honest, ring[0])
    assert votes_left(voter) == 3

    assert reverse_serial_votes() == 1
    assert votes_left(voter) == 7  # the four votes on one author's ideas came back; the others stand
    assert [count_of(db, idea) for idea in ring] == [1, 0, 0, 0]
    assert [count_of(db, idea) for idea in elsewhere] == [1, 1, 1]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.votes_removed"))
    assert (entry.target_type, entry.target_id, entry.actor_id) == ("user", voter.id, None)
    assert reverse_serial_votes() == 0  # nothing left to remove
    assert inconsistencies() == []


def test_votes_spread_wider_than_the_window_are_not_serial(db, make, clock_at, voter, ideas_category):
    community_settings.update_settings_from_console({"reputation.serial_vote_limit": 3,
                                                     "reputation.serial_window_hours": 1})
    author = make.make_user()
    for _ in range(4):
        clock_at.advance(minutes=25)
        vote(voter, make.make_idea(author=author, category=ideas_category))
    assert reverse_serial_votes() == 0
    assert votes_left(voter) == 6


def test_the_serial_vote_job_is_registered_as_periodic(app):
    assert job_registry.handler_for(SERIAL_VOTES_JOB) is reverse_serial_votes
    assert job_registry.periodic()[SERIAL_VOTES_JOB]() == 24 * 3600


def test_inconsistencies_name_what_drifted(db, make, idea, ideas_category):
    assert inconsistencies() == []
    db.session.execute(update(Idea).where(Idea.thread_id == idea.thread_id).values(vote_count=5))
    question = make.make_thread()
    db.session.execute(update(Thread).where(Thread.id == question.id).values(kind="idea"))
    problems = inconsistencies()
    assert f"idea {idea.thread_id} counts 5 votes but has 0" in problems
    assert f"thread {question.id} is an idea without an idea row" in problems
