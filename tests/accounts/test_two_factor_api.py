"""POST /api/v1/tokens with two-factor sign-in (issue 20, api.md v1.1): `otp`, read-only tokens for restricted
accounts, a scheduled deletion cancelled by signing in; staff who owe a second factor on the API; the token
page refusing a suspended account."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts import password_reset, sign_in_guard, two_factor
from forum.accounts import tokens as api_tokens
from forum.core import clock
from forum.core.extensions import db
from forum.models import ApiToken, User
from forum.services import community_settings
from tests.factories import PASSWORD

TOKENS = "/api/v1/tokens"


def code_for(user: User, offset: int = 0) -> str:
    return pyotp.TOTP(user.totp_secret).at(clock.now(), counter_offset=offset)


def wrong_code(user: User) -> str:
    return "000000" if code_for(user) != "000000" else "111111"


@pytest.fixture
def enrolled(make, clock_at):
    """A member with two-factor sign-in on, their recovery codes, at a step whose code is still unspent."""
    user = make.make_user()
    two_factor.start_enrolment(user)
    codes = two_factor.confirm_enrolment(user, PASSWORD, code_for(user))
    clock_at.advance(seconds=30)
    return user, codes


def sign_in(client, user: User, password: str = PASSWORD, **extra):
    return client.post(TOKENS, json={"email": user.email, "password": password, **extra})


def is_otp_required(response) -> bool:
    return (response.status_code == 401 and response.mimetype == "application/problem+json"
            and response.get_json()["type"].endswith("/otp-required"))


def test_an_account_with_two_factor_needs_otp_for_a_token(client, enrolled):
    user, _codes = enrolled
    missing = sign_in(client, user)
    assert is_otp_required(missing) and "otp" in missing.get_json()["detail"]
    assert is_otp_required(sign_in(client, user, otp=wrong_code(user)))
    assert is_otp_required(sign_in(client, user, otp=""))

    minted = sign_in(client, user, otp=code_for(user))
    assert minted.status_code == 201 and minted.get_json()["scope"] == "write"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {minted.get_json()['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    assert is_otp_required(sign_in(client, user, otp=code_for(user))), "a code works once"


def test_a_recovery_code_works_as_otp_once(client, enrolled):
    user, codes = enrolled
    assert sign_in(client, user, otp=codes[0].upper()).status_code == 201
    assert is_otp_required(sign_in(client, user, otp=codes[0]))


def test_a_wrong_password_is_still_a_plain_401_whatever_the_otp(client, enrolled):
    user, _codes = enrolled
    response = sign_in(client, user, "not the password", otp=code_for(user))
    assert response.status_code == 401 and not response.get_json()["type"].endswith("/otp-required")


def test_otp_of_the_wrong_type_is_a_422(client, enrolled):
    user, _codes = enrolled
    response = sign_in(client, user, otp=123456)
    assert response.status_code == 422 and "otp" in response.get_json()["errors"]


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_an_otp_in_another_scripts_digits_is_read_as_those_digits(client, enrolled, digits):
    """A phone keyboard may type "１２３４５６" or "١٢٣٤٥٦": a wrong one is a wrong code, never a 500."""
    user, _codes = enrolled
    assert is_otp_required(sign_in(client, user, otp=wrong_code(user).translate(digits)))
    assert sign_in(client, user, otp=code_for(user).translate(digits)).status_code == 201


def test_wrong_otps_share_the_accounts_limit_with_wrong_passwords(app: Flask, client, enrolled):
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user, _codes = enrolled
    for _ in range(limit - 1):
        assert sign_in(client, user, "wrong password").status_code == 401
    assert is_otp_required(sign_in(client, user, otp=wrong_code(user))), "the last failure the limit allows"
    refused = sign_in(client, user, otp=code_for(user))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.mimetype == "application/problem+json"


def test_wrong_otps_alone_reach_the_limit(app: Flask, client, enrolled):
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user, _codes = enrolled
    for _ in range(limit):
        assert is_otp_required(sign_in(client, user, otp=wrong_code(user)))
    assert sign_in(client, user, otp=code_for(user)).status_code == 429


def test_a_password_reset_gives_no_fresh_allowance_of_wrong_otps(app: Flask, client, enrolled):
    """The reset clears the failed passwords, not the wrong codes: it proves the mailbox, not the phone."""
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user, _codes = enrolled
    for _ in range(limit):
        assert is_otp_required(sign_in(client, user, otp=wrong_code(user)))
    token = password_reset.reset_serializer().dumps(
        {"uid": user.id, "pw": password_reset.password_fingerprint(user)})
    sign_in_guard.reset_password(token, "a brand new password")
    refused = sign_in(client, user, "a brand new password", otp=code_for(user))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many wrong codes" in refused.get_json()["detail"]


def test_an_account_without_two_factor_needs_no_otp_and_ignores_one(client, make):
    user = make.make_user()
    assert sign_in(client, user).status_code == 201
    assert sign_in(client, user, otp="whatever").status_code == 201


def test_a_suspended_account_gets_a_read_only_token(client, make):
    user = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    minted = sign_in(client, user)
    assert minted.status_code == 201 and minted.get_json()["scope"] == "read"
    bearer = {"Authorization": f"Bearer {minted.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    category = make.make_category()
    write = client.post("/api/v1/threads", headers=bearer, json={
        "category_id": category.id, "title": "Can I still ask things?", "body": "Just checking.", "kind": "question"})
    assert write.status_code == 403


def test_a_suspended_account_may_give_up_its_token(client, make):
    user = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    bearer = {"Authorization": f"Bearer {sign_in(client, user).get_json()['token']}"}
    assert client.delete(f"{TOKENS}/current", headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_getting_a_token_cancels_a_scheduled_deletion(client, make):
    user = make.make_user(deletion_scheduled_at=clock.now() + timedelta(days=5))
    assert sign_in(client, user).status_code == 201
    db.session.refresh(user)
    assert user.deletion_scheduled_at is None


def test_a_wrong_password_does_not_cancel_a_scheduled_deletion(client, make):
    user = make.make_user(deletion_scheduled_at=clock.now() + timedelta(days=5))
    assert sign_in(client, user, "not the password").status_code == 401
    db.session.refresh(user)
    assert user.deletion_scheduled_at is not None


def test_a_suspended_member_cannot_create_a_token_on_the_tokens_page(make, login_as):
    user = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    client = login_as(user)
    page = client.get("/settings/tokens")
    assert page.status_code == 200 and b"suspended" in page.data and b"Create token" not in page.data
    refused = client.post("/settings/tokens", data={"name": "my script", "scope": "read"})
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id)) == 0


# --- staff who owe a second factor, on the API -----------------------------------------------------------------


@pytest.fixture
def staff_must_enrol(db):
    community_settings.update_settings_from_console({"accounts.staff_require_2fa": True})
    yield
    community_settings.update_settings_from_console({"accounts.staff_require_2fa": False})


def hide(client, post_id: int, token: str):
    return client.post(f"/api/v1/posts/{post_id}/hide", json={"reason": "spam"},
                       headers={"Authorization": f"Bearer {token}"})


def test_a_moderator_without_two_factor_cannot_moderate_through_the_api_until_enrolled(
        client, make, staff_must_enrol, clock_at):
    moderator = make.make_user(role="moderator")
    reply = make.make_reply(make.make_thread())
    token = sign_in(client, moderator).get_json()["token"]
    refused = hide(client, reply.id, token)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"

    two_factor.start_enrolment(moderator)
    two_factor.confirm_enrolment(moderator, PASSWORD, code_for(moderator))
    assert hide(client, reply.id, token).status_code == 401, "turning it on revoked the token minted without it"
    clock_at.advance(seconds=30)
    minted = sign_in(client, moderator, otp=code_for(moderator))
    assert minted.status_code == 201
    assert hide(client, reply.id, minted.get_json()["token"]).status_code == 200


def test_service_accounts_need_no_second_factor(client, make, staff_must_enrol):
    admin = make.make_user(role="admin")
    two_factor.start_enrolment(admin)
    two_factor.confirm_enrolment(admin, PASSWORD, code_for(admin))
    minted = api_tokens.create_service_token(admin, api_tokens.ServiceTokenInput(
        "moderation bot", "write", new_username="modbot", role="moderator"))
    assert minted.token.user.is_service_account and not minted.token.user.two_factor_enabled
    reply = make.make_reply(make.make_thread())
    assert hide(client, reply.id, minted.raw).status_code == 200
