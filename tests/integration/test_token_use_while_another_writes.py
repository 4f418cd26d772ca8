"""A bearer token's first use in a while is noted even while another connection writes (found by tests/deployed).

A GET's transaction begins deferred, so readers never queue. Noting the token's use inside it turned
that read transaction into a writer's, and on SQLite such an upgrade fails at once with "database is
locked" when another connection commits meanwhile (the job worker indexing, say): the API answered
500 to a signed-in read. On PostgreSQL the same test checks that nothing waits or fails either.
"""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select, update

from forum import accounts
from forum.core.extensions import db
from forum.models import ApiToken, User
from tests import factories

HOLD_S = 0.5  # the other writer holds the write lock this long, then commits


def test_a_get_with_a_token_used_for_the_first_time_waits_for_another_writer(app: Flask, committed):
    member, other = factories.make_user(username="reader"), factories.make_user(username="busy")
    raw = accounts.create_api_token(member, name="fresh")
    other_id = other.id
    db.session.remove()

    writer = db.engine.connect()
    transaction = writer.begin()  # SQLite: BEGIN IMMEDIATE, the write lock, as the job worker takes it
    writer.execute(update(User).where(User.id == other_id).values(bio="Indexing meanwhile"))
    committing = threading.Timer(HOLD_S, transaction.commit)
    committing.start()
    try:
        answer = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    finally:
        committing.join()
        writer.close()

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["username"] == "reader"
    db.session.remove()
    assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "fresh")) is not None
