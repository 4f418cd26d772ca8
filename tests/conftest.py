"""Shared fixtures: one app per session, one rolled-back transaction per test.

Set HORSESHOE_TEST_DATABASE_URL to run the whole suite on PostgreSQL; the default is a
fresh SQLite file.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, orm, text
from sqlalchemy.engine import make_url

from forum import accounts, create_app
from forum.core import clock, worker
from forum.core.extensions import db as _db
from forum.core.settings import Settings
from forum.http.ratelimits import limiter
from forum.models import CommunitySetting, User
from tests import factories
from tests.queries import count_statements
from tests.support.smtp import SmtpSink

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
STAFF_2FA = "accounts.staff_require_2fa"
SIGNUP_MIN_SECONDS = "accounts.signup_min_seconds"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url(tmp_dir: str) -> str:
    """SQLite in the temp dir, or a private schema of the PostgreSQL test database.

    The schema is named after this process, so several test runs can share one server.
    """
    base = os.environ.get("HORSESHOE_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_dir}/test.sqlite3"
    schema = f"test_{os.getpid()}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def drop_test_schema(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(make_url(url).difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS test_{os.getpid()} CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("data")
    settings = Settings(
        data_dir=str(data_dir),
        database_url=test_database_url(str(data_dir)),
        secret_key="test-secret-key",
        base_url="http://localhost",
        mail_server="127.0.0.1",
        mail_port=free_port(),
        testing=True,
        # Off here: the cache outlives each test's rolled-back transaction. tests/web/test_page_cache.py
        # switches it on with a store of its own.
        anonymous_cache_s=0,
    )
    # The limiter is one object for every app of the process, and its init_app gives storage only while it
    # is switched on: a worker whose first test switched it off (rate_limits_off) before this app was made
    # would leave it without storage, and the first test that switches limits on would fail in setup.
    limiter.enabled = True
    app = create_app(settings)
    app.test_client_class = HorseshoeClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.session.remove()
    # The suite's own rules (staff without a second factor, no minimum sign-up time: see the functions
    # below), committed for tests without a transaction of their own and stored again in every test's.
    # Written without an audit entry: tests count audit entries. tests/deployed sets them with the
    # operator's command, `flask settings set`, as the issue asks.
    with app.app_context(), _db.engine.begin() as connection:
        _suite_rules(connection)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
    drop_test_schema(settings.database_url)


@pytest.fixture(autouse=True)
def rate_limits_off():
    """Tests post quickly as one user; tests/integration/test_rate_limits.py switches limits on."""
    limiter.enabled = False
    yield


@pytest.fixture
def limits_on(app: Flask):
    """Rate limits as deployed, with fresh counters (the rate-limit tests)."""
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


@pytest.fixture
def db(app: Flask):
    """A database session inside a transaction that is rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own Session would pick the engine, not this connection.
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = orm.scoped_session(factory, scopefunc=_db.session.registry.scopefunc)
        _suite_rules(connection)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


def _suite_rules(connection) -> None:
    _staff_sign_in_without_second_factor(connection)
    _sign_up_forms_without_minimum_time(connection)


def _staff_sign_in_without_second_factor(connection) -> None:
    """Staff sign in here without a second factor, as in the demo community; tests of the rule switch it on.

    Stored again inside each test's transaction (the app fixture's `flask settings set` does not survive
    tests that rebuild the schema); no audit entry, as the operator's command would write one per test.
    """
    table = CommunitySetting.__table__
    connection.execute(table.delete().where(table.c.key == STAFF_2FA))
    connection.execute(table.insert().values(key=STAFF_2FA, value_json="false", updated_at=TEST_NOW))


def _sign_up_forms_without_minimum_time(connection) -> None:
    """The test clock stands still, so every sign-up form would come back "quicker than a person types";
    tests/accounts/test_signup_defences.py switches the minimum back on and moves the clock. Stored in each
    test's transaction, like the staff rule above."""
    table = CommunitySetting.__table__
    connection.execute(table.delete().where(table.c.key == SIGNUP_MIN_SECONDS))
    connection.execute(table.insert().values(key=SIGNUP_MIN_SECONDS, value_json="0", updated_at=TEST_NOW))


class HorseshoeClient(FlaskClient):
    """A test client that sends a valid CSRF token with every unsafe request (unless csrf=False).

    Each request runs in its own app context, as in production: otherwise the test's
    context (and its flask.g, where Flask-Login keeps the user) leaks between clients.
    """

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method in UNSAFE_METHODS:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self._csrf_token())
            kwargs["headers"] = headers
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def _csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as sess, app.app_context(), app.test_request_context():
            token = generate_csrf()
            sess["csrf_token"] = session["csrf_token"]
        return token


@pytest.fixture
def client(app: Flask, db) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(client: FlaskClient):
    """Sign a user in on the test client without going through the form."""

    def sign_in(user: User) -> FlaskClient:
        with client.session_transaction() as sess:
            sess["_user_id"] = factories.session_key_for(user)
            sess["_fresh"] = True
        return client

    return sign_in


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpSink]:
    """A running aiosmtpd server at the app's mail_server:mail_port; stop() it to simulate an outage."""
    settings = app.config["HORSESHOE"]
    sink = SmtpSink(settings.mail_server, settings.mail_port).start()
    yield sink
    sink.stop()


@pytest.fixture
def api_client(app: Flask, db):
    """A client whose requests carry a freshly minted bearer token for user."""

    def make(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            token = accounts.create_api_token(user, name="tests")
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    return make


# Every test starts at this moment, not at today's date: a suite that passes or fails by calendar
# date blocks every submission. Tests marked real_clock (processes that read their own clock) opt out.
TEST_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class TestClock:
    """The frozen services clock of one test; advance() and set() move it."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        clock.freeze(start)

    def advance(self, **delta) -> datetime:
        self.now = self.now + timedelta(**delta)
        clock.freeze(self.now)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment
        clock.freeze(moment)


@pytest.fixture(autouse=True)
def test_clock(request) -> Iterator[TestClock | None]:
    """Freeze the clock at TEST_NOW before any other fixture builds data (factories read the clock)."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    controller = TestClock(TEST_NOW)
    yield controller
    clock.freeze(None)


@pytest.fixture
def clock_at(test_clock: TestClock | None) -> TestClock:
    """The test's clock, to move it (it already stands at TEST_NOW)."""
    assert test_clock is not None, "a real_clock test cannot move the clock"
    return test_clock


@pytest.fixture
def run_jobs(db):
    """Run every due job now, as the worker would; returns how many ran."""
    return worker.run_until_empty


@pytest.fixture
def make(db):
    """Factories bound to the test's database session."""
    return factories


@pytest.fixture
def count_queries(db, client):
    """Run a GET (it must answer 200) and return how many SQL statements it ran."""

    def run(path: str) -> int:
        with count_statements() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    return run


@pytest.fixture
def committed(app: Flask) -> Iterator[None]:
    """Data the factories commit for real (no test transaction), wiped afterwards: for races between threads."""
    with app.app_context():
        yield
        wipe_database()


def wipe_database() -> None:
    """Delete every row, for tests whose data was committed for real, so the next test starts empty."""
    _db.session.remove()
    quoted = ", ".join(f'"{table.name}"' for table in _db.metadata.sorted_tables)
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {quoted} CASCADE"))
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())
        # The suite's rules live in community_setting too: the next test (a browser's server) runs under them.
        _suite_rules(connection)
