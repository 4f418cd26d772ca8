"""Migrations build the same schema as the models, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.core.extensions import db
from forum.core.settings import Settings

MIGRATIONS_DB = f"horseshoe_test_migrations_{os.getpid()}"


def _empty_database_url(tmp_path) -> str:
    base = os.environ.get("HORSESHOE_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path}/migrations.sqlite3"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATIONS_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {MIGRATIONS_DB}"))
    admin.dispose()
    return make_url(base).set(database=MIGRATIONS_DB).render_as_string(hide_password=False)


@pytest.fixture
def migrated_app(tmp_path):
    settings = Settings(
        data_dir=str(tmp_path), database_url=_empty_database_url(tmp_path), secret_key="x", testing=True
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()
    _drop_database(app.config["SQLALCHEMY_DATABASE_URI"])


def _drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATIONS_DB} WITH (FORCE)"))
        admin.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(migrated_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_base_removes_every_table(migrated_app):
    downgrade(revision="base")
    remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()


def test_upgrading_existing_data_backfills_counters_without_a_burst_of_mail(tmp_path):
    settings = Settings(
        data_dir=str(tmp_path), database_url=_empty_database_url(tmp_path), secret_key="x", testing=True
    )
    app = create_app(settings)
    with app.app_context():
        upgrade(revision="0002_qa_signals")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO \"user\" (id, username, username_key, email, password_hash, role, display_name, bio,"
                " time_zone, reputation, session_generation, created_at) VALUES"
                " (1, 'ana', 'ana', 'a@x.org', 'h', 'member', '', '', 'UTC', 0, 0, '2026-01-01'),"
                " (2, 'sam', 'sam', 's@x.org', 'h', 'agent', '', '', 'UTC', 0, 0, '2026-01-01')",
                "INSERT INTO category (id, slug, name, description, position) VALUES (1, 'c', 'C', '', 0)",
                "INSERT INTO thread (id, category_id, author_id, kind, title, slug, status, locked, pinned,"
                " reply_count, me_too_count, accepted_post_id, created_at, last_activity_at) VALUES"
                " (1, 1, 1, 'question', 'Old question', 'old', 'solved', false, false, 1, 0, NULL,"
                " '2026-01-01', '2026-01-02')",
                "INSERT INTO post (id, thread_id, author_id, is_question, body, body_html, renderer_version,"
                " vote_count, created_at) VALUES (1, 1, 1, true, 'q', '<p>q</p>', 1, 4, '2026-01-01'),"
                " (2, 1, 2, false, 'a', '<p>a</p>', 1, 0, '2026-01-02')",
                "UPDATE thread SET accepted_post_id = 2 WHERE id = 1",
            ):
                connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(text(
                "SELECT vote_count, solved_by, first_reply_at, reminders_sent, feedback_requested_at FROM thread"
            )).one()
        db.session.remove()
        db.engine.dispose()
    _drop_database(settings.database_url)
    assert row[0] == 4 and row[1] == "support" and row[2] is not None
    assert row[3] == 2 and row[4] is not None


def test_upgrading_existing_votes_and_solutions_gives_the_ledger_their_points(tmp_path):
    settings = Settings(
        data_dir=str(tmp_path), database_url=_empty_database_url(tmp_path), secret_key="x", testing=True
    )
    app = create_app(settings)
    with app.app_context():
        upgrade(revision="0003_notifications")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO \"user\" (id, username, username_key, email, password_hash, role, display_name, bio,"
                " time_zone, reputation, session_generation, created_at) VALUES"
                " (1, 'ana', 'ana', 'a@x.org', 'h', 'member', '', '', 'UTC', 0, 0, '2026-01-01'),"
                " (2, 'leo', 'leo', 'l@x.org', 'h', 'member', '', '', 'UTC', 0, 0, '2026-01-01'),"
                " (3, 'kim', 'kim', 'k@x.org', 'h', 'member', '', '', 'UTC', 0, 0, '2026-01-01')",
                "INSERT INTO category (id, slug, name, description, position) VALUES (1, 'c', 'C', '', 0)",
                "INSERT INTO thread (id, category_id, author_id, kind, title, slug, status, locked, pinned,"
                " reply_count, me_too_count, vote_count, accepted_post_id, accepted_by_id, solved_at, created_at,"
                " last_activity_at) VALUES (1, 1, 1, 'question', 'Old question', 'old', 'solved', false, false, 1,"
                " 0, 1, NULL, 1, '2026-01-03', '2026-01-01', '2026-01-02')",
                "INSERT INTO post (id, thread_id, author_id, is_question, body, body_html, renderer_version,"
                " vote_count, created_at) VALUES (1, 1, 1, true, 'q', '<p>q</p>', 1, 1, '2026-01-01'),"
                " (2, 1, 2, false, 'a', '<p>a</p>', 1, 2, '2026-01-02')",
                "UPDATE thread SET accepted_post_id = 2 WHERE id = 1",
                "INSERT INTO vote (user_id, post_id, created_at) VALUES (3, 1, '2026-01-02'), (1, 2, '2026-01-02'),"
                " (3, 2, '2026-01-02')",
            ):
                connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            totals = dict(connection.execute(text('SELECT id, reputation FROM "user"')).all())
            visibility = connection.execute(text("SELECT visibility FROM post WHERE id = 2")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    _drop_database(settings.database_url)
    # ana: +5 for the vote on her question, +2 for accepting leo's reply; leo: 2 votes x 10 + 15 accepted.
    assert totals == {1: 7, 2: 35, 3: 0}
    assert visibility == "public"
