"""The real sign-up, sign-in, sign-out and password-reset forms, CSRF tokens included.

This is the one module that submits the auth forms the way a browser does: GET the page,
read the csrf_token hidden field, POST it back (csrf=False turns off the test client's
automatic CSRF header). Everywhere else tests sign in with the login_as fixture.

Each request runs in its own app context, as in production: otherwise the `db` fixture's
app context is reused by every request, and flask.g (where Flask-Login caches the current
user and Flask-WTF the CSRF token) leaks from one request, and one client, to the next.
"""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select
from werkzeug.test import TestResponse

from forum import accounts
from forum.core.extensions import db
from forum.models import OutboundEmail, User
from tests.factories import PASSWORD

CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
RESET_LINK = re.compile(r"http://localhost(/auth/reset/[\w.-]+)")
NEW_PASSWORD = "a brand new saddle 42"
SAME_FOR_EVERYONE = "If that address has an account, a reset link is on its way."


def csrf_token(client: FlaskClient, path: str) -> str:
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf_token field on {path}"
    return match.group(1)


def submit(client: FlaskClient, path: str, data: dict, query: str = "") -> TestResponse:
    """GET the form page, then POST the form with the token from its hidden field."""
    token = csrf_token(client, path)
    return client.post(path + query, data={**data, "csrf_token": token}, csrf=False)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **extra) -> TestResponse:
    query = extra.pop("query", "")
    return submit(client, "/auth/login", {"email": email, "password": password, **extra}, query)


def register(client: FlaskClient, username: str, email: str, password: str = PASSWORD) -> TestResponse:
    return submit(client, "/auth/register", {"username": username, "email": email, "password": password})


def is_signed_in(client: FlaskClient) -> bool:
    return "Sign out" in client.get("/").get_data(as_text=True)


def set_cookies(response: TestResponse, name: str) -> list[str]:
    return [header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{name}=")]


def fresh_client(app: Flask, **cookies: str) -> FlaskClient:
    """Another browser, optionally carrying copies of cookies taken from a first one."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


@pytest.fixture
def ana(make) -> User:
    return make.make_user(username="ana", email="ana@example.com")


# Registration


def test_register_creates_the_account_and_signs_in(client, db):
    response = register(client, "Ana_Souza", "Ana.Souza@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.username == "Ana_Souza"))
    assert user.email == "ana.souza@example.com"
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("ANA", "someone@example.com", "That username is taken."),
        ("someone", "Ana@EXAMPLE.com", "An account with that email already exists."),
    ],
)
def test_register_refuses_a_taken_username_or_email_in_any_case(client, ana, username, email, message):
    response = register(client, username, email)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "Use at least 10 characters."), ("password123", "This password is too easy to guess.")],
)
def test_register_refuses_a_weak_password(client, password, message):
    response = register(client, "newcomer", "newcomer@example.com", password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert accounts.count_users() == 0


def test_register_refuses_an_invalid_email(client):
    response = register(client, "newcomer", "not-an-email")
    assert response.status_code == 422
    assert "Enter a valid email address." in response.get_data(as_text=True)


# Signing in and out


def test_sign_in_with_the_right_password_goes_home(client, ana):
    response = sign_in(client, "ANA@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, ana):
    wrong = sign_in(client, ana.email, "not the password at all")
    unknown = sign_in(client, "nobody@example.com")
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "Email or password is not right." in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_form_post_without_a_csrf_token_is_refused(client, ana):
    response = client.post("/auth/login", data={"email": ana.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_a_form_post_with_a_forged_csrf_token_is_refused(client, ana):
    client.get("/auth/login")
    data = {"email": ana.email, "password": PASSWORD, "csrf_token": "forged.token.value"}
    assert client.post("/auth/login", data=data, csrf=False).status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(client, ana):
    [cookie] = set_cookies(sign_in(client, ana.email), "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_me_sets_an_httponly_samesite_lax_cookie(client, ana):
    [cookie] = set_cookies(sign_in(client, ana.email, remember="y"), "remember_token")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie


def test_without_remember_me_there_is_no_remember_cookie(client, ana):
    assert set_cookies(sign_in(client, ana.email), "remember_token") == []


def test_sign_out_invalidates_copies_of_the_old_cookies(app, client, ana):
    sign_in(client, ana.email, remember="y")
    session, remember = client.get_cookie("session").value, client.get_cookie("remember_token").value
    assert is_signed_in(fresh_client(app, session=session))

    token = csrf_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}, csrf=False).status_code == 302

    assert not is_signed_in(client)
    assert not is_signed_in(fresh_client(app, session=session))
    assert not is_signed_in(fresh_client(app, remember_token=remember))


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("//evil.com/phish", "/"),
        ("https://evil.com/phish", "/"),
        ("http:evil.com", "/"),
        ("/c/billing-accounts?sort=latest", "/c/billing-accounts?sort=latest"),
        ("/\\evil.com", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, ana, next_url, expected):
    response = sign_in(client, ana.email, query=f"?next={next_url}")
    assert response.status_code == 302
    assert response.headers["Location"] == expected


# Password reset


def request_reset(client: FlaskClient, email: str) -> TestResponse:
    return submit(client, "/auth/forgot", {"email": email})


def reset_path(email: str) -> str:
    """The reset link from the newest email queued for this address."""
    mail = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.to_address == email).order_by(OutboundEmail.id.desc())
    ).first()
    assert mail is not None, f"no email queued for {email}"
    match = RESET_LINK.search(mail.text_body)
    assert match and match.group(0) in mail.html_body
    return match.group(1)


def test_reset_request_says_the_same_for_known_and_unknown_emails(client, ana):
    pages = []
    for email in (ana.email, "nobody@example.com"):
        response = request_reset(client, email)
        assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
        pages.append(client.get("/auth/login").get_data(as_text=True))
    assert all(SAME_FOR_EVERYONE in page for page in pages)
    assert [mail.to_address for mail in db.session.scalars(select(OutboundEmail))] == [ana.email]


def test_reset_email_is_queued_with_a_link(client, ana):
    request_reset(client, ana.email)
    mail = db.session.scalar(select(OutboundEmail))
    assert mail.subject == "Reset your Horseshoe password" and mail.sent_at is None
    assert reset_path(ana.email).startswith("/auth/reset/")


def test_reset_link_works_once(client, ana):
    request_reset(client, ana.email)
    path = reset_path(ana.email)
    assert client.get(path).status_code == 200

    response = submit(client, path, {"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)
    db.session.expire_all()  # the request changed the password in its own session
    assert accounts.authenticate(ana.email, NEW_PASSWORD) is not None
    assert accounts.authenticate(ana.email, PASSWORD) is None

    again = client.get(path, follow_redirects=True)
    assert again.request.path == "/auth/forgot"
    assert "This reset link was already used. Ask for a new one." in again.get_data(as_text=True)


def test_reset_link_refuses_a_weak_new_password(client, ana):
    request_reset(client, ana.email)
    response = submit(client, reset_path(ana.email), {"password": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(app, client, ana, monkeypatch):
    max_age = app.config["HORSESHOE"].password_reset_max_age_s
    with monkeypatch.context() as past:  # sign the link as if it was asked for max_age + 1 minute ago
        past.setattr(TimestampSigner, "get_timestamp", lambda _self: int(time.time()) - max_age - 60)
        request_reset(client, ana.email)

    response = client.get(reset_path(ana.email), follow_redirects=True)
    assert response.request.path == "/auth/forgot"
    assert "This reset link has expired. Ask for a new one." in response.get_data(as_text=True)


def test_a_tampered_reset_link_is_refused(client, ana):
    request_reset(client, ana.email)
    response = client.get(reset_path(ana.email) + "x", follow_redirects=True)
    assert "This reset link is not valid." in response.get_data(as_text=True)


def test_resetting_the_password_signs_out_other_sessions(app, client, ana):
    sign_in(client, ana.email)
    assert is_signed_in(client)

    phone = fresh_client(app)
    request_reset(phone, ana.email)
    submit(phone, reset_path(ana.email), {"password": NEW_PASSWORD})

    assert is_signed_in(phone)
    assert not is_signed_in(client)
