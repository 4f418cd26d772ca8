"""An API reply's checks read outside SQLite's write lock, and its writes still never meet "database is locked".

A write request begins IMMEDIATE on SQLite: the one write lock from its first statement to its commit.
An API reply used to hold it through its checks too (permissions, the spam score, watched words), so
every other writer (replies in the other web workers, the job worker) queued behind them (issue 21).
Now the checks read in a deferred transaction that ends before the writes begin: another connection
commits in the middle of them without waiting, and the reply's own writes, begun afresh, still
succeed (a read transaction that went on to write would fail at once on SQLite once another
connection had committed). On PostgreSQL the same test checks that nothing waits or fails either.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, select, update

from forum import accounts
from forum.core.extensions import db
from forum.models import Post, Thread, User
from tests import factories

CHECK_READ = "FROM watched_word"  # one of the content checks' reads (moderation.checks.check_watched_words)


def _write_from_another_connection(user_id: int) -> None:
    """Commit a write on a second connection, refusing to wait for the lock (SQLite: a short busy timeout)."""
    with db.engine.connect() as other:
        sqlite = other.dialect.name == "sqlite"
        if sqlite:  # on the driver's connection: a statement through SQLAlchemy would begin a transaction
            other.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
        try:
            with other.begin():
                other.execute(update(User).where(User.id == user_id).values(bio="Written during the checks"))
        finally:
            if sqlite:
                other.connection.dbapi_connection.execute("PRAGMA busy_timeout=10000")


def test_another_writer_commits_during_an_api_replys_checks_and_the_reply_is_stored(app: Flask, committed):
    asker, member, other = (factories.make_user(username=name) for name in ("asker", "replier", "busy"))
    thread = factories.make_thread(author=asker)
    raw = accounts.create_api_token(member, name="replying")
    thread_id, other_id = thread.id, other.id
    db.session.remove()

    wrote = []

    def write_meanwhile(_conn, _cursor, statement, *_args) -> None:
        if CHECK_READ in statement and not wrote:
            wrote.append(True)
            _write_from_another_connection(other_id)

    event.listen(db.engine, "before_cursor_execute", write_meanwhile)
    try:
        answer = app.test_client().post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Try channel 11."},
                                        headers={"Authorization": f"Bearer {raw}"})
    finally:
        event.remove(db.engine, "before_cursor_execute", write_meanwhile)

    assert wrote, f"no content check read {CHECK_READ!r}: pick another of their statements"
    assert answer.status_code == 201, answer.get_data(as_text=True)
    db.session.remove()
    assert db.session.scalar(select(User.bio).where(User.id == other_id)) == "Written during the checks"
    assert db.session.scalar(select(Thread.reply_count).where(Thread.id == thread_id)) == 1
    assert db.session.scalar(select(Post.body).where(Post.id == answer.get_json()["id"])) == "Try channel 11."
