"""What a bearer token costs each API call (issue 21: replies through the API at 150/s).

Authentication runs before every API call, so it is one SELECT (the token joined with its user) on
most calls; "last used" is written at most every TOKEN_USE_PRECISION, as one UPDATE, and nothing
loaded is read again after that write commits. None of this may let a dead token back in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum import accounts
from forum.accounts.members import TOKEN_USE_PRECISION
from forum.core.extensions import db
from forum.models import ApiToken, Post
from tests.api.support import assert_problem
from tests.factories import PASSWORD
from tests.queries import count_statements

CHEAP_PUBLIC_READ = "/api/v1/categories"


def _bearer(app: Flask, raw: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _token_sql(statements: list[str]) -> list[str]:
    return [s for s in statements if "api_token" in s.lower()]


def _last_used(name: str):
    db.session.expire_all()
    return db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == name))


@pytest.fixture
def warm(app, make, clock_at):
    """A member's write token, last used a minute ago."""
    user = make.make_user()
    raw = accounts.create_api_token(user, name="warm")
    assert _bearer(app, raw).get("/api/v1/me").status_code == 200
    clock_at.advance(minutes=1)
    return user, raw


def test_a_token_used_a_minute_ago_costs_one_statement(app, warm):
    user, raw = warm
    with count_statements() as anonymous:
        assert app.test_client().get(CHEAP_PUBLIC_READ).status_code == 200
    with count_statements() as with_token:
        assert _bearer(app, raw).get(CHEAP_PUBLIC_READ).status_code == 200

    assert len(with_token) == len(anonymous) + 1
    [authentication] = _token_sql(with_token)
    assert authentication.lstrip().upper().startswith("SELECT") and "JOIN" in authentication.upper()
    me = _bearer(app, raw).get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["username"] == user.username


def test_a_reply_through_the_api_reads_its_token_once_and_writes_it_not_at_all(app, make, warm):
    _user, raw = warm
    thread = make.make_thread()
    with count_statements() as statements:
        answer = _bearer(app, raw).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Swap the cable."})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    [authentication] = _token_sql(statements)  # the token and its user in one SELECT, no write, no re-read
    assert authentication.lstrip().upper().startswith("SELECT") and "JOIN" in authentication.upper()


def test_last_used_is_written_again_once_the_precision_has_passed(app, make, clock_at):
    raw = accounts.create_api_token(make.make_user(), name="dashboard")
    api = _bearer(app, raw)
    first = clock_at.now
    with count_statements() as first_call:
        assert api.get(CHEAP_PUBLIC_READ).status_code == 200
    assert _last_used("dashboard") == first
    # The first use writes: one UPDATE beside the SELECT, and nothing read back after it commits.
    assert [s.split()[0].upper() for s in _token_sql(first_call)] == ["SELECT", "UPDATE"]

    clock_at.advance(seconds=TOKEN_USE_PRECISION.total_seconds() - 1)
    with count_statements() as within:
        assert api.get(CHEAP_PUBLIC_READ).status_code == 200
    assert len(_token_sql(within)) == 1 and _last_used("dashboard") == first

    clock_at.advance(seconds=1)
    with count_statements() as after:
        assert api.get(CHEAP_PUBLIC_READ).status_code == 200
    assert [s.split()[0].upper() for s in _token_sql(after)] == ["SELECT", "UPDATE"]
    assert _last_used("dashboard") == clock_at.now == first + TOKEN_USE_PRECISION


def test_the_token_list_shows_a_use_within_the_precision(app, make, login_as, clock_at):
    user = make.make_user()
    raw = accounts.create_api_token(user, name="Nightly export")
    clock_at.advance(hours=1)
    _bearer(app, raw).get(CHEAP_PUBLIC_READ)
    clock_at.advance(minutes=4)
    _bearer(app, raw).get(CHEAP_PUBLIC_READ)  # not written: the list may lag by up to the precision
    page = login_as(user).get("/settings/tokens").get_data(as_text=True)
    assert "4 min ago" in page


def test_a_revoked_token_is_refused_even_right_after_a_cheap_call(app, warm):
    _user, raw = warm
    api = _bearer(app, raw)
    assert api.get(CHEAP_PUBLIC_READ).status_code == 200
    assert api.delete("/api/v1/tokens/current").status_code == 204
    assert_problem(api.get("/api/v1/me"), 401)
    assert_problem(api.get(CHEAP_PUBLIC_READ), 401)


def test_a_password_change_ends_a_warm_token(app, warm):
    user, raw = warm
    accounts.set_password(user, PASSWORD + "-changed")
    assert_problem(_bearer(app, raw).get(CHEAP_PUBLIC_READ), 401)


def test_an_erased_account_s_warm_token_signs_nobody_in(app, warm, clock_at):
    user, raw = warm
    user.anonymized_at = clock_at.now
    db.session.commit()
    assert_problem(_bearer(app, raw).get("/api/v1/me"), 401)


def test_a_read_only_token_stays_read_only_on_the_call_that_notes_its_use(app, make, clock_at):
    raw = accounts.create_api_token(make.make_user(), name="reader", scope="read")
    thread = make.make_thread()
    clock_at.advance(minutes=10)
    refused = _bearer(app, raw).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Not from this token."})
    assert_problem(refused, 403)
    assert _last_used("reader") == clock_at.now  # this call did note the use (and commit) before refusing
    assert db.session.scalar(select(Post).where(Post.body == "Not from this token.")) is None


def test_the_precision_is_a_few_minutes():
    assert timedelta(minutes=1) <= TOKEN_USE_PRECISION <= timedelta(minutes=10)
