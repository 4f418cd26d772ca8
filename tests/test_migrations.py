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
from forum.extensions import db
from forum.settings import Settings

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
    settings = Settings(data_dir=str(tmp_path), database_url=_empty_database_url(tmp_path), secret_key="x", testing=True)
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
