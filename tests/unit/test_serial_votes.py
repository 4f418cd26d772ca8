"""Serial voting (more than 10 votes from one user to another in 24 h) is reversed by a daily job."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.core import job_registry
from forum.core.extensions import db
from forum.models import AuditEntry, ReputationEvent, Vote
from forum.recognition import badge_rules, mission_tracking, missions, reputation, upkeep
from forum.services import moderation_state, qa


@pytest.fixture
def author_posts(make, clock_at):
    """An author with 14 replies in one thread, and a function voting on them from one voter."""
    author = make.make_user()
    thread = make.make_thread()
    posts = [make.make_reply(thread, author=author) for _ in range(14)]

    def vote(voter, count: int, start: int = 0, every_minutes: int = 5):
        for post in posts[start:start + count]:
            qa.vote_helpful(voter, post)
            clock_at.advance(minutes=every_minutes)

    return author, posts, vote


def total(user) -> int:
    db.session.refresh(user)
    assert user.reputation == reputation.ledger_total(user.id)
    return user.reputation


def audits() -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "reputation.serial_votes_reversed").order_by(AuditEntry.id)
    ))


def test_eleven_votes_in_a_day_from_one_member_are_reversed_and_audited(make, author_posts):
    author, posts, vote = author_posts
    ring = make.make_user()
    vote(ring, 11)
    assert total(author) == 110
    assert upkeep.reverse_serial_votes() == 1
    assert total(author) == 0
    corrections = db.session.scalars(select(ReputationEvent.correction).where(
        ReputationEvent.user_id == author.id, ReputationEvent.reverses_id.is_not(None))).all()
    assert corrections == ["serial_voting"] * 11
    [entry] = audits()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "user", ring.id)
    assert json.loads(entry.after_json)["author_id"] == author.id and json.loads(entry.before_json)["points"] == 110


def test_the_votes_themselves_stay_so_the_ring_cannot_vote_again_for_points(make, author_posts):
    author, posts, vote = author_posts
    ring = make.make_user()
    vote(ring, 11)
    upkeep.reverse_serial_votes()
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == ring.id)) == 11
    assert posts[0].vote_count == 1
    qa.vote_helpful(ring, posts[0])  # still one vote per post: nothing new to earn
    qa.withdraw_vote(ring, posts[1])  # withdrawing takes nothing twice
    assert total(author) == 0


def test_ten_votes_in_a_day_are_fine(make, author_posts):
    author, _posts, vote = author_posts
    vote(make.make_user(), 10)
    assert upkeep.reverse_serial_votes() == 0
    assert total(author) == 100 and audits() == []


def test_eleven_votes_spread_over_more_than_a_day_are_fine(make, author_posts, clock_at):
    author, _posts, vote = author_posts
    fan = make.make_user()
    vote(fan, 6)
    clock_at.advance(hours=25)
    vote(fan, 5, start=6)
    assert upkeep.reverse_serial_votes() == 0
    assert total(author) == 110


def test_a_burst_straddling_two_daily_runs_is_still_found(make, author_posts, clock_at):
    author, _posts, vote = author_posts
    ring = make.make_user()
    vote(ring, 6)
    assert upkeep.reverse_serial_votes() == 0
    clock_at.advance(hours=20)
    vote(ring, 5, start=6)
    clock_at.advance(hours=4)
    assert upkeep.reverse_serial_votes() == 1
    assert total(author) == 0


def test_only_votes_inside_the_burst_are_reversed(make, author_posts, clock_at):
    author, _posts, vote = author_posts
    ring = make.make_user()
    vote(ring, 1)  # an honest vote a day and a half earlier
    clock_at.advance(hours=36)
    vote(ring, 11, start=1)
    upkeep.reverse_serial_votes()
    assert total(author) == 10


def test_running_the_job_again_changes_nothing(make, author_posts):
    author, _posts, vote = author_posts
    vote(make.make_user(), 12)
    assert upkeep.reverse_serial_votes() == 1
    assert upkeep.reverse_serial_votes() == 0
    assert total(author) == 0 and len(audits()) == 1


def test_other_voters_and_other_authors_are_untouched(make, author_posts):
    author, posts, vote = author_posts
    ring, honest = make.make_user(), make.make_user()
    vote(ring, 11)
    qa.vote_helpful(honest, posts[0])
    other_post = make.make_reply(make.make_thread())
    qa.vote_helpful(ring, other_post)
    upkeep.reverse_serial_votes()
    assert total(author) == 10 and total(other_post.author) == 10


def test_serial_votes_on_a_post_hidden_and_restored_before_the_job_are_reversed_too(make, author_posts):
    author, posts, vote = author_posts
    ring, moderator = make.make_user(), make.make_user("moderator")
    vote(ring, 11)
    moderation_state.hide_post(posts[0], moderator, "Checking")
    db.session.commit()
    moderation_state.unhide_post(posts[0], moderator)  # its vote's points come back as a "restored" row
    db.session.commit()
    assert total(author) == 110
    assert upkeep.reverse_serial_votes() == 1
    assert total(author) == 0


def test_votes_found_serial_count_toward_no_helpful_badge_or_mission(make, author_posts, clock_at):
    author, posts, vote = author_posts
    ring = make.make_user()
    mission = missions.create_mission(make.make_user("admin"), missions.MissionInput(
        title="Helpful week", metric="helpful_votes", goal=12, starts_at=clock_at.now,
        ends_at=clock_at.now + timedelta(days=7), points=50))
    vote(ring, 11)
    upkeep.reverse_serial_votes()
    qa.vote_helpful(make.make_user(), posts[12])  # one honest vote
    assert mission_tracking.progress_of(mission, author.id) == 1
    helpful = badge_rules.votes_received(2)(author.id)
    assert not db.session.scalar(helpful.exists().select())


def test_the_job_is_registered_to_run_daily(app):
    assert job_registry.handler_for(upkeep.SERIAL_VOTES_JOB) is upkeep.reverse_serial_votes
    assert job_registry.periodic()[upkeep.SERIAL_VOTES_JOB]() == 24 * 3600
