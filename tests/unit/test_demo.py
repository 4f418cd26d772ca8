"""Demo seeding: deterministic, and the `flask demo` command's guards (an empty database, --if-empty, --force).

What the seeded community holds (roles, counters, cases, sweeps, notifications, badges) is checked
against one demo seeded for the module in test_demo_community.py.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from forum.cli import demo
from forum.core.extensions import db
from forum.models import Article, Case, CaseStatus, Category, CommunitySetting, Thread, User
from forum.services import community_settings
from tests.support.seeded import committed

SMALL = {"threads": 24, "users": 8}  # big enough for case stories


def _story() -> list[tuple]:
    """What a visitor sees of the seeded threads, cases and articles, in the order they were written."""
    threads = [(t.title, t.reply_count, t.status, t.created_at)
               for t in db.session.scalars(select(Thread).order_by(Thread.id))]
    told = [(a.title, a.status, a.view_count, a.helpful_count, a.created_at)
            for a in db.session.scalars(select(Article).order_by(Article.id))]
    return threads + [(c.status, c.priority, c.source) for c in db.session.scalars(select(Case).order_by(Case.id))
                      ] + told


def test_demo_is_deterministic(app):
    """The same size tells the same story: seeded twice on an empty database (wiped in between)."""
    told = []
    for _ in range(2):
        with committed(app):
            summary = demo.seed_demo(**SMALL)
            told.append((_story(), summary.users, summary.cases, summary.articles))
    assert told[0] == told[1]
    story, users, case_count, articles = told[0]
    assert users == SMALL["users"] and case_count >= 3 and articles >= 3
    assert any(row[0] == CaseStatus.PENDING_CUSTOMER.value for row in story)


def test_seeding_again_reuses_the_accounts_and_categories(db):
    """As `flask demo --force` does on a database that already holds the demo."""
    demo.seed_demo(threads=6, users=6)
    again = demo.seed_demo(threads=6, users=6)
    assert again.users == db.session.scalar(select(func.count(User.id))) == 6
    assert db.session.scalar(select(func.count(Category.id))) == again.categories
    assert db.session.scalar(select(func.count(Thread.id))) == 12


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
