"""Failed sign-ins are limited per account, not only per IP address (issue 18, item 9).

An attacker spreading guesses for one account over many addresses was never slowed: 40 wrong
passwords from 40 addresses, then the right one worked. Every test here comes from a different
address each time (REMOTE_ADDR), so the per-IP limit could not be what stops it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from forum.accounts import sign_in_guard
from forum.core.extensions import db
from forum.http.ratelimits import limiter
from forum.models import AuditEntry, OutboundEmail, SignInFailure, User
from tests.api.support import assert_problem
from tests.factories import PASSWORD

WRONG = "not the right password"
NEW_PASSWORD = "a brand new saddle 42"
LIMIT, WINDOW_S = 10, 15 * 60  # the defaults (forum.core.settings)
NOT_RIGHT = "Email or password is not right."
TOO_MANY = "Too many failed sign-ins for this account."
RESET_LINK = re.compile(r"http://localhost(/auth/reset/[\w.-]+)")
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def from_new_address() -> dict:
    return {"environ_base": {"REMOTE_ADDR": next(_addresses)}}


def api_sign_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    return client.post("/api/v1/tokens", json={"email": email, "password": password}, **from_new_address())


def web_sign_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    return client.post("/auth/login", data={"email": email, "password": password}, **from_new_address())


def retry_after(response: TestResponse) -> int:
    value = response.headers["Retry-After"]
    assert value.isdigit(), value
    return int(value)


def limited_entries() -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == sign_in_guard.LIMITED_ACTION).order_by(AuditEntry.id)
    ))


@pytest.fixture
def member(make) -> User:
    return make.make_user(username="ana", email="ana@example.com")


def test_forty_guesses_from_forty_addresses_are_slowed_and_the_right_password_waits(client, member, clock_at):
    answers = [api_sign_in(client, member.email, WRONG) for _ in range(40)]
    assert [a.status_code for a in answers] == [401] * LIMIT + [429] * (40 - LIMIT)
    for answer in answers[LIMIT:]:
        problem = assert_problem(answer, 429)
        assert problem["detail"].startswith(TOO_MANY) and "reset your password" in problem["detail"]
        assert 1 <= retry_after(answer) <= WINDOW_S
    refused = api_sign_in(client, member.email, PASSWORD)
    assert_problem(refused, 429)
    assert retry_after(refused) == WINDOW_S  # the clock has not moved: the whole window is left

    clock_at.advance(seconds=WINDOW_S - 0.5)  # the last half second of the window
    edge = api_sign_in(client, member.email, PASSWORD)
    assert edge.status_code == 429 and retry_after(edge) == 1  # rounded up, never 0
    clock_at.advance(seconds=0.5)
    assert api_sign_in(client, member.email, PASSWORD).status_code == 201


def test_the_web_form_says_why_and_shares_the_budget_with_the_api(client, member):
    for n in range(LIMIT):
        answer = web_sign_in(client, member.email, WRONG) if n % 2 else api_sign_in(client, member.email, WRONG)
        assert answer.status_code == (422 if n % 2 else 401)
    page = web_sign_in(client, member.email, PASSWORD)
    assert page.status_code == 429 and 1 <= retry_after(page) <= WINDOW_S
    text = page.get_data(as_text=True)
    assert TOO_MANY in text and "Try again in 15 minutes" in text and NOT_RIGHT not in text
    assert "Sign out" not in client.get("/").get_data(as_text=True)
    assert api_sign_in(client, member.email, PASSWORD).status_code == 429


def test_the_reset_email_always_works_and_clears_the_count(app, client, member):
    for _ in range(LIMIT + 5):
        api_sign_in(client, member.email, WRONG)
    assert web_sign_in(client, member.email, PASSWORD).status_code == 429

    browser = app.test_client()
    assert browser.post("/auth/forgot", data={"email": member.email}, **from_new_address()).status_code == 302
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == member.email)).one()
    reset = browser.post(RESET_LINK.search(mail.text_body).group(1), data={"password": NEW_PASSWORD})
    assert reset.status_code == 302 and "Sign out" in browser.get("/").get_data(as_text=True)

    assert api_sign_in(app.test_client(), member.email, NEW_PASSWORD).status_code == 201
    assert web_sign_in(app.test_client(), member.email, NEW_PASSWORD).status_code == 302
    [cleared] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == sign_in_guard.CLEARED_ACTION))
    assert (cleared.target_type, cleared.target_id) == ("user", member.id)


def _answer(response) -> tuple:
    """What a caller learns from a refusal; the request id differs for every request, known account or not."""
    body = response.get_json()
    body.pop("request_id", None)
    return response.status_code, body, response.headers.get("Retry-After")


def test_an_unknown_email_gets_the_same_answers(client, member):
    known = [api_sign_in(client, member.email, WRONG) for _ in range(LIMIT + 2)]
    unknown = [api_sign_in(client, "nobody@example.com", WRONG) for _ in range(LIMIT + 2)]
    assert [_answer(response) for response in known] == [_answer(response) for response in unknown]
    known_page = web_sign_in(client, member.email, PASSWORD).get_data(as_text=True)
    unknown_page = web_sign_in(client, "nobody@example.com", PASSWORD).get_data(as_text=True)
    assert TOO_MANY in known_page and TOO_MANY in unknown_page


def test_the_address_is_normalised_so_case_and_spaces_do_not_reset_the_count(client, member):
    spellings = [member.email, "ANA@example.com", " Ana@Example.COM ", "ana@EXAMPLE.com"]
    for n in range(LIMIT):
        assert api_sign_in(client, spellings[n % len(spellings)], WRONG).status_code == 401
    assert api_sign_in(client, "aNa@example.com", PASSWORD).status_code == 429


def test_the_audit_log_has_one_entry_per_window(client, member, clock_at):
    for _ in range(LIMIT + 20):
        api_sign_in(client, member.email, WRONG)
    [entry] = limited_entries()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "user", member.id)
    after = json.loads(entry.after_json)
    assert after["known_account"] is True and after["source"].startswith("198.51.100.")
    assert after["limited_until"].startswith("2026-11-20 09:15:00")
    assert member.email not in entry.before_json + entry.after_json + entry.reason

    for _ in range(LIMIT + 1):
        api_sign_in(client, "nobody@example.com", WRONG)
    clock_at.advance(seconds=WINDOW_S)
    for _ in range(LIMIT + 1):
        api_sign_in(client, member.email, WRONG)
    entries = limited_entries()
    assert [(e.target_id, json.loads(e.after_json)["known_account"]) for e in entries] == \
           [(member.id, True), (sign_in_guard.UNKNOWN_ACCOUNT, False), (member.id, True)]
    assert "nobody@example.com" not in entries[1].before_json + entries[1].after_json


def test_right_passwords_never_count(client, member):
    for _ in range(LIMIT - 1):
        assert api_sign_in(client, member.email, WRONG).status_code == 401
    for _ in range(LIMIT * 2):
        assert api_sign_in(client, member.email, PASSWORD).status_code == 201
    assert api_sign_in(client, member.email, WRONG).status_code == 401  # the tenth failure
    assert api_sign_in(client, member.email, PASSWORD).status_code == 429


@pytest.fixture
def limits_as_deployed(app):
    """The per-IP limiter on, as deployed: its own 60 s window must not shorten the account's wait."""
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


def test_with_the_ip_limiter_on_the_wait_told_is_the_accounts_whole_window(client, member, limits_as_deployed):
    for _ in range(LIMIT):
        assert api_sign_in(client, member.email, WRONG).status_code == 401
    refused = api_sign_in(client, member.email, PASSWORD)
    assert_problem(refused, 429)
    assert retry_after(refused) >= WINDOW_S - 1  # not the per-IP rule's 60 s
    page = web_sign_in(client, member.email, PASSWORD)
    assert page.status_code == 429 and retry_after(page) >= WINDOW_S - 1


def test_the_table_does_not_tell_which_addresses_were_tried(client, member):
    """Its key is an HMAC with the site's secret: hashing a guessed address finds nothing."""
    api_sign_in(client, member.email, WRONG)
    keys = list(db.session.scalars(select(SignInFailure.key)))
    assert len(keys) == 1 and hashlib.sha256(member.email.encode()).hexdigest() not in keys
    assert member.email not in keys[0]
