"""Engine setup for SQLite (WAL, IMMEDIATE writes) and PostgreSQL.

SQLite: a deferred transaction that reads and then writes fails with "database is
locked" at once, without waiting for busy_timeout. So every transaction in a request
that may write begins IMMEDIATE (takes the write lock up front, waiting up to the busy
timeout); safe-method requests (GET, HEAD) begin deferred so readers never queue.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

from forum.core.extensions import db

BUSY_TIMEOUT_MS = 10_000
_read_only: ContextVar[bool] = ContextVar("horseshoe_read_only", default=False)


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _sqrt(value: float | None) -> float | None:
    return math.sqrt(value) if value is not None and value >= 0 else None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # sqrt is built in only where SQLite was compiled with its math functions (3.35+, optional): the same
        # function everywhere, so a ranking in SQL (the knowledge base's helpfulness) runs on any build.
        dbapi_connection.create_function("sqrt", 1, _sqrt, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)

    @app.before_request
    def mark_read_only_requests() -> None:
        _read_only.set(request.method in {"GET", "HEAD", "OPTIONS"})

    @app.teardown_request
    def clear_read_only(_exc) -> None:
        _read_only.set(False)


@contextmanager
def writing() -> Iterator[None]:
    """A small write inside a safe-method request (a GET noting that a token was used).

    On SQLite a deferred read transaction that goes on to write fails at once with "database is
    locked" when another connection committed since it began, whatever the busy timeout. So the
    read transaction ends here (committing what the session holds) and the next one begins
    IMMEDIATE, waiting its turn for the write lock like any other writer.
    """
    db.session.commit()
    previous = _read_only.set(False)
    try:
        yield
    finally:
        _read_only.reset(previous)


@contextmanager
def reading() -> Iterator[None]:
    """The reads a write request does before it writes (the checks of an API reply), outside the write lock.

    On SQLite a write request begins IMMEDIATE, holding the one write lock from its first statement
    to its commit, so every check before the first write (permissions, the spam score, watched words)
    queued the other writers behind it. Here whatever the request began ends first, the block reads in
    a deferred transaction (no lock, a consistent snapshot) that ends with it, and the writes that
    follow begin IMMEDIATE as usual. What the block loaded stays loaded (commit_keeping_loaded).

    The block must not write. It runs as it is in safe-method requests (already deferred) and on
    PostgreSQL (no such lock: two more round trips would only cost).
    """
    if _read_only.get() or db.engine.dialect.name != "sqlite":
        yield
        return
    if db.session().in_transaction():
        commit_keeping_loaded()
    previous = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(previous)
        _end_read(db.session())


def _end_read(session) -> None:
    """End the block's read transaction; a failed one (the error goes on up) is rolled back."""
    if not session.in_transaction():
        return
    try:
        commit_keeping_loaded()
    except Exception:
        session.rollback()
        raise


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds, so the rest of the request reads no row again.

    For a request that goes on using what it loaded or wrote (the API's answer, a token noted before
    the call proper). The next ordinary commit or rollback expires everything as usual.
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def has_changes(obj: object, fields: tuple[str, ...]) -> bool:
    """Whether any of these attributes of a flushed object changed (for session hooks that keep derived data)."""
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


def update_may_set(statement, fields: tuple[str, ...]) -> bool:
    """Whether an UPDATE may set any of these columns; unknown shapes (multi-values, bulk by id) count as yes."""
    values = getattr(statement, "_values", None)  # SQLAlchemy keeps .values(...) here; no public accessor
    if not values:
        return True
    return any(getattr(column, "key", column) in fields for column in values)
