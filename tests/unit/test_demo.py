"""Demo seeding: every role, every category, answered and unanswered threads, exact counters, CLI guards."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from forum import accounts
from forum.cli import demo
from forum.core import clock
from forum.core.extensions import db
from forum.models import (
    Category,
    CommunitySetting,
    IncidentAlert,
    OutboundEmail,
    Post,
    Role,
    Thread,
    ThreadStatus,
    User,
)
from forum.services import community_settings

SMALL = {"threads": 12, "users": 10}


@pytest.fixture
def seeded(db) -> demo.DemoSummary:
    return demo.seed_demo(**SMALL)


def test_demo_has_every_role_and_the_support_categories(seeded):
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {role.value for role in Role}
    names = set(db.session.scalars(select(Category.name)))
    assert {"Getting started", "Billing & accounts", "Feature ideas"} <= names
    assert seeded.categories == len(names) >= 5
    assert seeded.users == db.session.scalar(select(func.count(User.id))) == SMALL["users"]


def test_demo_sign_ins_work_with_the_documented_password(seeded):
    emails = dict((role, email) for role, email in seeded.sign_ins)
    assert set(emails) == {role.value for role in Role}
    for role, email in emails.items():
        user = accounts.authenticate(email, demo.DEMO_PASSWORD)
        assert user is not None and user.role == role


def test_demo_has_unanswered_and_answered_threads(seeded):
    statuses = list(db.session.scalars(select(Thread.status)))
    assert len(statuses) == seeded.threads == SMALL["threads"]
    assert statuses.count(ThreadStatus.OPEN.value) == seeded.unanswered >= 1
    assert statuses.count(ThreadStatus.ANSWERED.value) >= 1
    unanswered = db.session.scalars(select(Thread).where(Thread.status == ThreadStatus.OPEN.value))
    assert any(thread.reply_count == 0 for thread in unanswered)


def test_demo_reply_counts_match_the_live_replies(seeded):
    live = dict(
        db.session.execute(
            select(Post.thread_id, func.count(Post.id))
            .where(Post.is_question.is_(False), Post.deleted_at.is_(None))
            .group_by(Post.thread_id)
        ).all()
    )
    for thread in db.session.scalars(select(Thread)):
        assert thread.reply_count == live.get(thread.id, 0), thread.title
    assert sum(live.values()) == seeded.replies


def test_demo_history_is_spread_over_the_past_and_rendered(seeded):
    now = clock.now()
    times = sorted(db.session.scalars(select(Post.created_at)))
    assert times[-1] < now and (now - times[0]).days >= 30
    for post in db.session.scalars(select(Post)):
        assert post.body_html.strip().startswith("<")
    assert db.session.scalar(select(func.count(Post.id)).where(Post.body_html.contains('<pre tabindex="0">'))) >= 1


def test_demo_is_deterministic(db):
    demo.seed_demo(**SMALL)
    first = [(t.title, t.reply_count, t.status) for t in db.session.scalars(select(Thread).order_by(Thread.id))]
    again = demo.seed_demo(**SMALL)  # reuses the accounts and categories (as --force does)
    titles = [(t.title, t.reply_count, t.status) for t in db.session.scalars(select(Thread).order_by(Thread.id))]
    assert titles[len(first):] == first
    assert again.users == SMALL["users"]


def test_demo_command_seeds_an_empty_database_and_prints_the_sign_ins(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "--threads", "6", "--users", "6"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.horseshoe" in result.output and demo.DEMO_PASSWORD in result.output
    assert db.session.scalar(select(func.count(Thread.id))) == 6


def test_the_demo_turns_staff_two_factor_off_and_says_so(app, db):
    db.session.execute(delete(CommunitySetting).where(CommunitySetting.key == demo.STAFF_TWO_FACTOR))
    db.session.commit()
    assert community_settings.get_setting(demo.STAFF_TWO_FACTOR) is True  # a fresh community's default
    result = app.test_cli_runner().invoke(args=["demo", "--threads", "6", "--users", "6"])
    assert result.exit_code == 0, result.output
    assert "Two-factor sign-in for staff is OFF in this demo" in result.output
    assert f"settings set {demo.STAFF_TWO_FACTOR} true" in result.output
    assert community_settings.get_setting(demo.STAFF_TWO_FACTOR) is False


def test_demo_command_refuses_a_database_with_users(app, make):
    make.make_user()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already has users" in result.output
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_demo_command_if_empty_skips_a_database_with_users(app, make):
    make.make_user()
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not seeding" in result.output
    assert db.session.scalar(select(func.count(Category.id))) == 0


def test_demo_command_force_adds_the_demo_to_a_database_with_users(app, make):
    make.make_user()
    result = app.test_cli_runner().invoke(args=["demo", "--force", "--threads", "3", "--users", "5"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Thread.id))) == 3


def test_demo_queues_no_email_to_its_made_up_addresses(db):
    demo.seed_demo(threads=12, users=10)
    assert db.session.query(OutboundEmail).count() == 0


def test_demo_has_solved_questions_so_search_and_suggestions_have_something_to_show(seeded):
    solved = db.session.scalars(select(Thread).where(Thread.status == ThreadStatus.SOLVED.value)).all()
    assert solved and all(thread.accepted_post_id is not None for thread in solved)


def test_demo_has_a_wave_of_look_alike_questions_for_the_incident_detector(seeded):
    from search import incident_detection as detector

    assert detector.detect() == 1
    [alert] = db.session.scalars(select(IncidentAlert))
    assert "503" in alert.shared_terms
