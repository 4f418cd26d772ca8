"""Two-factor sign-in (issue 20): enrolment, codes that work once, recovery codes, the sign-in challenge,
trusted browsers, turning it off, the shared sign-in limit, and staff who must enrol first."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import delete, select

from forum.accounts import members, password_reset, sessions, two_factor
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.text import NUL_MESSAGE
from forum.models import AuditEntry, CommunitySetting, OutboundEmail, RecoveryCode, User
from forum.services import community_settings
from tests.factories import PASSWORD, session_key_for

RECOVERY_CODE = re.compile(r"^[a-z2-7]{5}-[a-z2-7]{5}$")
CHALLENGE = "/settings/two-factor/challenge"
ENROL = "/settings/two-factor/enrol"


def code_for(user: User, offset: int = 0) -> str:
    """The code an authenticator app shows at the test clock's moment (offset in 30-second steps)."""
    return pyotp.TOTP(user.totp_secret).at(clock.now(), counter_offset=offset)


def enrol(user: User) -> list[str]:
    two_factor.start_enrolment(user)
    return two_factor.confirm_enrolment(user, PASSWORD, code_for(user))


def next_step(clock_at) -> None:
    """Move to the next 30-second step: the code of the step just used is spent."""
    clock_at.advance(seconds=30)


def audit_actions(user: User) -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "user", AuditEntry.target_id == user.id)
    ))


def sign_in_form(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def signed_in(client) -> bool:
    """Whether the client's cookie signs it in: the two-factor settings page answers instead of redirecting."""
    return client.get("/settings/two-factor").status_code == 200


# --- the service -----------------------------------------------------------------------------------------------


def test_enrolment_takes_a_code_from_the_new_secret_and_gives_ten_recovery_codes_kept_only_as_digests(make):
    user = make.make_user()
    secret = two_factor.start_enrolment(user)
    assert user.totp_secret == secret and not user.two_factor_enabled

    with pytest.raises(Invalid) as wrong:
        two_factor.confirm_enrolment(user, PASSWORD, "000000" if code_for(user) != "000000" else "111111")
    assert "code" in wrong.value.errors and not user.two_factor_enabled

    codes = two_factor.confirm_enrolment(user, PASSWORD, code_for(user))
    assert user.two_factor_enabled
    assert len(set(codes)) == 10 and all(RECOVERY_CODE.match(code) for code in codes)
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and not stored & set(codes) and not stored & {c.replace("-", "") for c in codes}
    assert "user.2fa_enabled" in audit_actions(user)


def test_a_code_works_once_and_codes_of_earlier_steps_stop_working(make, clock_at):
    user = make.make_user()
    enrol(user)  # spends the code of this step
    assert not two_factor.verify(user, code_for(user))

    next_step(clock_at)
    fresh = code_for(user)
    assert two_factor.verify(user, fresh)
    assert not two_factor.verify(user, fresh), "the same code twice"
    assert not two_factor.verify(user, code_for(user, offset=-1)), "a code of a step before the last one used"


def test_a_step_either_side_is_accepted_for_clocks_that_drift_but_no_more(make, clock_at):
    user = make.make_user()
    enrol(user)
    clock_at.advance(minutes=10)
    assert not two_factor.verify(user, code_for(user, offset=2))
    assert not two_factor.verify(user, code_for(user, offset=-2))
    assert two_factor.verify(user, code_for(user, offset=-1))
    assert two_factor.verify(user, code_for(user, offset=1))
    assert not two_factor.verify(user, code_for(user)), "now is before the step just used"


def test_a_recovery_code_signs_in_once_however_it_is_spaced(make):
    user = make.make_user()
    codes = enrol(user)
    typed = " " + codes[0].upper().replace("-", " - ") + " "
    assert two_factor.verify(user, typed)
    assert not two_factor.verify(user, codes[0])
    assert two_factor.verify(user, codes[1].replace("-", ""))
    assert two_factor.recovery_codes_left(user) == 8
    assert not two_factor.verify(user, "abcde-fghij")
    assert not two_factor.verify(user, "x" * 10_000)


def test_codes_mean_nothing_for_an_account_without_two_factor(make):
    user = make.make_user()
    two_factor.start_enrolment(user)
    assert not two_factor.verify(user, code_for(user)), "a secret not yet confirmed is not in force"


def test_new_recovery_codes_need_the_password_and_a_code_and_end_the_old_ones(make, clock_at):
    user = make.make_user()
    old = enrol(user)
    next_step(clock_at)
    with pytest.raises(Invalid) as wrong:
        two_factor.regenerate_recovery_codes(user, "not my password", code_for(user))
    assert list(wrong.value.errors) == ["password"]
    new = two_factor.regenerate_recovery_codes(user, PASSWORD, code_for(user))
    assert len(new) == 10 and not set(new) & set(old)
    assert not two_factor.verify(user, old[1])
    assert two_factor.verify(user, new[0])


def test_turning_it_off_needs_the_password_and_a_code_and_is_audited(make, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    with pytest.raises(Invalid) as no_password:
        two_factor.disable(user, "wrong password!", code_for(user))
    assert list(no_password.value.errors) == ["password"]
    with pytest.raises(Invalid) as no_code:
        two_factor.disable(user, PASSWORD, "123456" if code_for(user) != "123456" else "654321")
    assert list(no_code.value.errors) == ["code"]
    assert user.two_factor_enabled

    two_factor.disable(user, PASSWORD, code_for(user))
    assert not user.two_factor_enabled and user.totp_secret is None
    assert two_factor.recovery_codes_left(user) == 0
    assert "user.2fa_disabled" in audit_actions(user)


def test_the_qr_code_is_inline_svg_carrying_the_secret_for_this_site(make):
    user = make.make_user()
    secret = two_factor.start_enrolment(user)
    uri = two_factor.provisioning_uri(user)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=Horseshoe" in uri
    svg = two_factor.qr_svg(user)
    assert svg.startswith("<svg") and "<path" in svg
    assert "http" not in svg.split(">", 1)[1], "nothing fetched from elsewhere"
    assert two_factor.grouped("ABCDEFGHIJKL") == "ABCD EFGH IJKL"


def test_a_trusted_browser_stays_trusted_thirty_days_and_only_for_this_enrolment(make, clock_at):
    user, other = make.make_user(), make.make_user()
    enrol(user)
    enrol(other)
    cookie = {two_factor.TRUST_COOKIE: two_factor.trust_cookie_value(user)}
    assert two_factor.browser_is_trusted(user, cookie)
    assert not two_factor.browser_is_trusted(other, cookie)
    assert not two_factor.browser_is_trusted(user, {two_factor.TRUST_COOKIE: cookie[two_factor.TRUST_COOKIE] + "x"})
    assert not two_factor.browser_is_trusted(user, {})

    clock_at.advance(days=29)
    assert two_factor.browser_is_trusted(user, cookie)
    clock_at.advance(days=2)
    assert not two_factor.browser_is_trusted(user, cookie), "older than 30 days"

    clock_at.advance(days=-2)
    two_factor.disable(user, PASSWORD, code_for(user))
    assert not two_factor.browser_is_trusted(user, cookie)
    next_step(clock_at)
    enrol(user)
    assert not two_factor.browser_is_trusted(user, cookie), "a new enrolment trusts no browser of the old one"


def test_turning_it_on_or_off_ends_the_other_sessions_but_not_this_one(make, clock_at):
    user = make.make_user()
    elsewhere = session_key_for(user)
    here = session_key_for(user)  # the session the change is made in (the last one started is current)
    enrol(user)
    assert sessions.load(elsewhere) is None
    assert sessions.load(here) is not None

    another = session_key_for(user)
    sessions.load(here)  # back in the first browser
    next_step(clock_at)
    two_factor.disable(user, PASSWORD, code_for(user))
    assert sessions.load(another) is None
    assert sessions.load(here) is not None


# --- the pages -------------------------------------------------------------------------------------------------


def test_enrolling_on_the_page_shows_the_qr_code_and_key_then_the_recovery_codes_once(make, login_as):
    user = make.make_user()
    client = login_as(user)
    page = client.get(ENROL)
    assert page.status_code == 200 and b"Show my QR code" in page.data and b"segno" not in page.data

    assert client.post(f"{ENROL}/start").status_code == 302
    page = client.get(ENROL)
    db.session.refresh(user)
    assert page.status_code == 200 and b"<svg width=" in page.data and b"segno" in page.data
    assert two_factor.grouped(user.totp_secret).encode() in page.data
    assert page.headers["Cache-Control"] == "no-store"

    wrong = client.post(ENROL, data={"password": PASSWORD, "code": "12345x"})
    assert wrong.status_code == 422 and b"That code is not right" in wrong.data

    done = client.post(ENROL, data={"password": PASSWORD, "code": code_for(user)})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r"<code>[a-z2-7]{5}-[a-z2-7]{5}</code>", text)) == 10
    assert "not shown again" in text
    db.session.refresh(user)
    assert user.two_factor_enabled
    assert b"not shown" not in client.get("/settings/two-factor").data
    assert client.get(ENROL).status_code == 302, "already on: back to the settings page"


def test_a_bad_form_on_any_two_factor_page_is_a_form_error_never_a_crash(make, login_as):
    client = login_as(make.make_user())
    assert client.post(ENROL, data={}).status_code == 422
    assert client.post(ENROL, data={"code": "123456"}).status_code == 422, "no key started yet"
    assert client.post("/settings/two-factor/disable", data={}).status_code == 422
    off = client.post("/settings/two-factor/disable", data={"disable-password": PASSWORD, "disable-code": "123456"})
    assert off.status_code == 422 and b"not on for this account" in off.data
    renew = client.post("/settings/two-factor/recovery-codes", data={"renew-password": "x" * 300})
    assert renew.status_code == 422


def test_signing_in_takes_the_password_then_the_code(make, client, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    first = sign_in_form(client, user.email)
    assert first.status_code == 302 and first.headers["Location"].endswith(CHALLENGE)
    assert not signed_in(client), "the password alone does not sign in"

    page = client.get(CHALLENGE)
    assert page.status_code == 200 and b"Trust this browser for 30 days" in page.data
    wrong = client.post(CHALLENGE, data={"code": "000000" if code_for(user) != "000000" else "111111"})
    assert wrong.status_code == 422 and b"That code is not right" in wrong.data

    done = client.post(CHALLENGE, data={"code": code_for(user)})
    assert done.status_code == 302 and CHALLENGE not in done.headers["Location"]
    assert two_factor.TRUST_COOKIE not in (done.headers.get("Set-Cookie") or "")
    assert signed_in(client)


def test_signing_in_keeps_where_the_member_was_going(make, client, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    client.post("/auth/login?next=/settings/tokens", data={"email": user.email, "password": PASSWORD})
    done = client.post(CHALLENGE, data={"code": code_for(user)})
    assert done.headers["Location"].endswith("/settings/tokens")


def test_a_recovery_code_signs_in_on_the_challenge(make, client):
    user = make.make_user()
    codes = enrol(user)
    sign_in_form(client, user.email)
    assert client.post(CHALLENGE, data={"code": codes[3]}).status_code == 302
    assert signed_in(client)


def test_the_challenge_waits_five_minutes_then_asks_for_the_password_again(make, client, clock_at):
    user = make.make_user()
    enrol(user)
    sign_in_form(client, user.email)
    clock_at.advance(minutes=5, seconds=1)
    late = client.post(CHALLENGE, data={"code": code_for(user)})
    assert late.status_code == 302 and "/auth/login" in late.headers["Location"]
    assert not signed_in(client)
    assert client.get(CHALLENGE).status_code == 302, "nothing pending any more"


def test_a_nul_in_the_challenge_code_is_refused_beside_the_field(make, client):
    user = make.make_user()
    enrol(user)
    sign_in_form(client, user.email)
    refused = client.post(CHALLENGE, data={"code": "123\x00456"})
    assert refused.status_code == 422 and NUL_MESSAGE in refused.get_data(as_text=True)
    assert not signed_in(client)


def test_without_a_password_first_the_challenge_signs_nobody_in(client):
    response = client.post(CHALLENGE, data={"code": "123456"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_trusted_browser_skips_the_code_for_thirty_days(make, client, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    sign_in_form(client, user.email)
    done = client.post(CHALLENGE, data={"code": code_for(user), "trust": "y"})
    cookie = next(c for c in done.headers.getlist("Set-Cookie") if c.startswith(two_factor.TRUST_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age=2592000" in cookie
    assert "Secure" not in cookie, "this test site is plain http; an https site gets Secure"

    client.post("/auth/logout")
    assert not signed_in(client)
    again = sign_in_form(client, user.email)
    assert again.status_code == 302 and CHALLENGE not in again.headers["Location"]
    assert signed_in(client)

    client.post("/auth/logout")
    clock_at.advance(days=31)
    later = sign_in_form(client, user.email)
    assert later.headers["Location"].endswith(CHALLENGE)


def test_the_trust_cookie_is_secure_on_an_https_site(app: Flask, make, client, clock_at, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    sign_in_form(client, user.email)
    done = client.post(CHALLENGE, data={"code": code_for(user), "trust": "y"})
    cookie = next(c for c in done.headers.getlist("Set-Cookie") if c.startswith(two_factor.TRUST_COOKIE + "="))
    assert "Secure" in cookie


def test_wrong_codes_count_toward_the_same_limit_as_wrong_passwords(app: Flask, make, client, clock_at):
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    for _ in range(limit - 1):
        assert sign_in_form(client, user.email, "wrong password").status_code == 422
    assert sign_in_form(client, user.email).headers["Location"].endswith(CHALLENGE), "the right password passes"
    wrong = "000000" if code_for(user) != "000000" else "111111"
    assert client.post(CHALLENGE, data={"code": wrong}).status_code == 422, "the last failure the limit allows"

    refused = client.post(CHALLENGE, data={"code": code_for(user)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert not signed_in(client), "even the right code waits for the window to end"
    assert sign_in_form(client, user.email).status_code == 429, "and so does the right password"


def test_a_right_code_takes_its_attempt_back(app: Flask, make, client, clock_at):
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user = make.make_user()
    enrol(user)
    for _ in range(limit + 2):
        next_step(clock_at)
        sign_in_form(client, user.email)
        assert client.post(CHALLENGE, data={"code": code_for(user)}).status_code == 302
        client.post("/auth/logout")


def test_turning_it_off_on_the_page_needs_the_password_and_a_code(make, login_as, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    client = login_as(user)
    page = client.get("/settings/two-factor")
    assert b"On." in page.data and b"10 unused recovery codes" in page.data

    wrong = client.post("/settings/two-factor/disable",
                        data={"disable-password": "not the password", "disable-code": code_for(user)})
    assert wrong.status_code == 422 and b"That password is not right" in wrong.data

    done = client.post("/settings/two-factor/disable",
                       data={"disable-password": PASSWORD, "disable-code": code_for(user)})
    assert done.status_code == 302
    db.session.refresh(user)
    assert not user.two_factor_enabled
    assert b"Off." in client.get("/settings/two-factor").data


def test_new_recovery_codes_from_the_settings_page(make, login_as, clock_at):
    user = make.make_user()
    old = enrol(user)
    next_step(clock_at)
    client = login_as(user)
    page = client.post("/settings/two-factor/recovery-codes",
                       data={"renew-password": PASSWORD, "renew-code": old[0]})
    codes = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", page.get_data(as_text=True))
    assert page.status_code == 200 and len(codes) == 10 and page.headers["Cache-Control"] == "no-store"
    assert not set(codes) & set(old)


@pytest.mark.parametrize("standing", ["suspended", "unverified"])
def test_a_restricted_account_may_still_secure_itself(make, login_as, standing):
    """Securing an account is neither taking part nor a profile change: suspension and an unconfirmed
    email leave it open."""
    extra = {"suspended_until": clock.now() + timedelta(days=7)} if standing == "suspended" else {"verified": False}
    user = make.make_user(**extra)
    client = login_as(user)
    assert client.post(f"{ENROL}/start").status_code == 302
    db.session.refresh(user)
    assert client.post(ENROL, data={"password": PASSWORD, "code": code_for(user)}).status_code == 200
    db.session.refresh(user)
    assert user.two_factor_enabled


# --- turning it on takes the password: a stolen session cannot lock the owner out ----------------------------


def test_turning_it_on_takes_the_password_so_a_stolen_session_cannot_lock_the_owner_out(app: Flask, make, login_as):
    owner = make.make_user()
    thief = login_as(owner)  # a copy of a session cookie; the password is not known
    thief.post(f"{ENROL}/start")
    db.session.refresh(owner)
    for password in ("", "a guess at the password"):
        refused = thief.post(ENROL, data={"password": password, "code": code_for(owner)})
        assert refused.status_code == 422 and b"That password is not right" in refused.data
    db.session.refresh(owner)
    assert not owner.two_factor_enabled
    assert sign_in_form(app.test_client(), owner.email).status_code == 302, "the owner still signs in"


def test_wrong_passwords_on_the_enrolment_page_count_toward_the_sign_in_limit(app: Flask, make, login_as):
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    owner = make.make_user()
    thief = login_as(owner)
    thief.post(f"{ENROL}/start")
    db.session.refresh(owner)
    for _ in range(limit):
        assert thief.post(ENROL, data={"password": "guess", "code": code_for(owner)}).status_code == 422
    refused = thief.post(ENROL, data={"password": PASSWORD, "code": code_for(owner)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in refused.data
    db.session.refresh(owner)
    assert not owner.two_factor_enabled


def test_an_account_without_a_password_turns_it_on_with_the_code_alone(make):
    """It signs in only through the identity provider: there is no password to ask for."""
    user = make.make_user()
    user.password_hash = members.NO_PASSWORD
    db.session.commit()
    two_factor.start_enrolment(user)
    assert len(two_factor.confirm_enrolment(user, None, code_for(user))) == 10
    assert user.two_factor_enabled


def test_the_enrolment_page_asks_for_the_password_only_of_accounts_that_have_one(make, login_as, app: Flask):
    with_password = make.make_user()
    client = login_as(with_password)
    client.post(f"{ENROL}/start")
    assert b'name="password"' in client.get(ENROL).data

    provider_only = make.make_user()
    provider_only.password_hash = members.NO_PASSWORD
    db.session.commit()
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"] = session_key_for(provider_only)
        sess["_fresh"] = True
    other.post(f"{ENROL}/start")
    page = other.get(ENROL)
    assert page.status_code == 200 and b'name="password"' not in page.data
    db.session.refresh(provider_only)
    assert other.post(ENROL, data={"code": code_for(provider_only)}).status_code == 200


def test_turning_it_on_revokes_the_accounts_api_tokens(make, api_client):
    """As a password change does: a token minted without the second factor must not outlive it."""
    user = make.make_user()
    script = api_client(user)
    assert script.get("/api/v1/me").status_code == 200
    enrol(user)
    assert script.get("/api/v1/me").status_code == 401


def mails_to(user: User) -> list[OutboundEmail]:
    return list(db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.to_address == user.email).order_by(OutboundEmail.id)))


def test_the_owner_is_mailed_when_it_is_turned_on_or_off_and_when_codes_are_renewed(make, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    two_factor.regenerate_recovery_codes(user, PASSWORD, code_for(user))
    next_step(clock_at)
    two_factor.disable(user, PASSWORD, code_for(user))
    on, renewed, off = mails_to(user)
    assert on.subject == "Two-factor sign-in was turned on for your Horseshoe account"
    assert renewed.subject == "New recovery codes were made for your Horseshoe account"
    assert off.subject == "Two-factor sign-in was turned off for your Horseshoe account"
    assert "your API tokens were revoked" in on.text_body and "If it was not you" in on.text_body
    assert "http://localhost/auth/forgot" in off.text_body and "set up two-factor sign-in again" in off.text_body
    assert "The old ones no longer work" in renewed.text_body
    assert 'href="http://localhost/settings/two-factor"' in on.html_body


def test_a_refused_change_mails_nobody(make, clock_at):
    user = make.make_user()
    enrol(user)
    sent = len(mails_to(user))
    next_step(clock_at)
    with pytest.raises(Invalid):
        two_factor.disable(user, "not the password", code_for(user))
    with pytest.raises(Invalid):
        two_factor.regenerate_recovery_codes(user, PASSWORD, "abcde-fghij")
    assert len(mails_to(user)) == sent


# --- codes as people type them ---------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_full_width_digits_on_the_challenge_are_read_as_digits_never_an_error(make, client, clock_at):
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    sign_in_form(client, user.email)
    wrong = client.post(CHALLENGE, data={"code": "１２３４５６" if code_for(user) != "123456" else "６５４３２１"})
    assert wrong.status_code == 422 and b"That code is not right" in wrong.data
    right = client.post(CHALLENGE, data={"code": code_for(user).translate(FULL_WIDTH)})
    assert right.status_code == 302 and signed_in(client)


def test_full_width_digits_confirm_the_enrolment(make, login_as):
    user = make.make_user()
    client = login_as(user)
    client.post(f"{ENROL}/start")
    db.session.refresh(user)
    wrong = client.post(ENROL, data={"password": PASSWORD, "code": "１２３４５６" if code_for(user) != "123456"
                                     else "６５４３２１"})
    assert wrong.status_code == 422 and b"That code is not right" in wrong.data
    assert client.post(ENROL, data={"password": PASSWORD, "code": code_for(user).translate(FULL_WIDTH)}
                       ).status_code == 200


def test_odd_characters_in_a_code_are_a_wrong_code(make):
    user = make.make_user()
    codes = enrol(user)
    for typed in ("１２３４５６", "١٢٣٤٥٦", "¹²³⁴⁵⁶", "ⅰⅱⅲⅳⅴⅵ", "12345６７", "é" * 10, codes[0] + "\u0301"):
        assert two_factor.verify(user, typed) is False, typed
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in codes[0].upper())  # "ＡＢＣ２３-…"
    assert two_factor.verify(user, full_width), "full-width letters and digits are read as plain ones"


# --- recovery codes are keyed with the site's secret -----------------------------------------------------------


def test_recovery_codes_are_kept_as_digests_keyed_with_the_sites_secret(app: Flask, make, monkeypatch):
    """A copy of the table alone cannot be tested against guesses: the digest needs the secret too."""
    user = make.make_user()
    codes = enrol(user)
    monkeypatch.setattr(app, "secret_key", "some other site's secret")
    assert not two_factor.verify(user, codes[0])
    monkeypatch.undo()
    assert two_factor.verify(user, codes[0])


# --- a password reset and wrong codes --------------------------------------------------------------------------


def reset_link(user: User) -> str:
    db.session.expire_all()
    user = db.session.get(User, user.id)
    token = password_reset.reset_serializer().dumps({"uid": user.id, "pw": password_reset.password_fingerprint(user)})
    return f"/auth/reset/{token}"


def test_a_password_reset_does_not_give_a_fresh_allowance_of_wrong_codes(app: Flask, make, client, clock_at):
    """Whoever holds the mailbox could otherwise reset again and again, each time with new guesses at six digits."""
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    wrong = "000000" if code_for(user) != "000000" else "111111"
    reset = client.post(reset_link(user), data={"password": "a brand new password 1"})
    assert reset.headers["Location"].endswith(CHALLENGE)
    for _ in range(limit):
        assert client.post(CHALLENGE, data={"code": wrong}).status_code == 422
    assert client.post(CHALLENGE, data={"code": wrong}).status_code == 429

    again = client.post(reset_link(user), data={"password": "a brand new password 2"})
    assert again.headers["Location"].endswith(CHALLENGE), "the reset itself is never limited"
    refused = client.post(CHALLENGE, data={"code": code_for(user)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert b"Too many wrong codes" in refused.data and not signed_in(client)

    clock_at.advance(seconds=app.config["HORSESHOE"].sign_in_failure_window_s)
    assert client.post(CHALLENGE, data={"code": code_for(user)}).status_code == 302, "the window ends on its own"


def test_after_a_reset_the_new_password_still_opens_the_way_to_the_code(app: Flask, make, client, clock_at):
    """The reset clears the failed passwords as before; only the count of wrong codes stays."""
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    for _ in range(limit + 1):
        sign_in_form(client, user.email, "wrong password")
    assert sign_in_form(client, user.email).status_code == 429
    client.post(reset_link(user), data={"password": "a brand new password 1"})
    client.post("/auth/logout")
    other = app.test_client()
    assert sign_in_form(other, user.email, "a brand new password 1").headers["Location"].endswith(CHALLENGE)
    assert other.post(CHALLENGE, data={"code": code_for(user)}).status_code == 302


# --- messages survive the way to the code ----------------------------------------------------------------------


def test_the_password_changed_message_shows_above_the_code_after_a_reset(make, client):
    user = make.make_user()
    enrol(user)
    reset = client.post(reset_link(user), data={"password": "a brand new password 1"})
    assert reset.headers["Location"].endswith(CHALLENGE)
    page = client.get(CHALLENGE).get_data(as_text=True)
    assert "Your password is changed." in page and "Enter your code" in page


# --- the settings page at the limit says how long to wait ------------------------------------------------------


@pytest.mark.parametrize("form", ["disable", "renew"])
def test_the_settings_forms_at_the_limit_say_how_long_to_wait(app: Flask, make, login_as, clock_at, form):
    limit = app.config["HORSESHOE"].sign_in_failures_per_account
    user = make.make_user()
    enrol(user)
    next_step(clock_at)
    client = login_as(user)
    url = "/settings/two-factor/disable" if form == "disable" else "/settings/two-factor/recovery-codes"
    for _ in range(limit):
        assert client.post(url, data={f"{form}-password": "wrong", f"{form}-code": "123456"}).status_code == 422
    refused = client.post(url, data={f"{form}-password": PASSWORD, f"{form}-code": code_for(user)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert b"Try again in" in refused.data


# --- staff must enrol ------------------------------------------------------------------------------------------


@pytest.fixture
def staff_must_enrol(db):
    community_settings.update_settings_from_console({"accounts.staff_require_2fa": True})
    yield
    community_settings.update_settings_from_console({"accounts.staff_require_2fa": False})


def hide(client, post_id: int):
    return client.post(f"/moderation/posts/{post_id}/hide", data={"reason": "spam"})


def test_a_moderator_without_two_factor_is_sent_to_enrol_and_has_no_staff_powers_until_then(
        make, client, staff_must_enrol, clock_at):
    moderator = make.make_user(role="moderator")
    reply = make.make_reply(make.make_thread())
    arrival = sign_in_form(client, moderator.email)
    assert arrival.status_code == 302 and arrival.headers["Location"].endswith(ENROL)
    assert hide(client, reply.id).status_code == 403
    db.session.refresh(reply)
    assert reply.visibility == "public"

    client.post(f"{ENROL}/start")
    db.session.refresh(moderator)
    assert client.post(ENROL, data={"password": PASSWORD, "code": code_for(moderator)}).status_code == 200
    assert hide(client, reply.id).status_code == 302
    db.session.refresh(reply)
    assert reply.visibility == "hidden"


def test_with_the_rule_off_staff_keep_their_powers_without_two_factor(make, login_as):
    moderator = make.make_user(role="moderator")
    reply = make.make_reply(make.make_thread())
    assert hide(login_as(moderator), reply.id).status_code == 302


def test_staff_two_factor_is_required_by_default(db):
    """A fresh database has no stored value, so the default decides (this suite stores false, rolled back here)."""
    assert community_settings.REGISTRY["accounts.staff_require_2fa"].default is True
    db.session.execute(delete(CommunitySetting).where(CommunitySetting.key == "accounts.staff_require_2fa"))
    assert community_settings.get_setting("accounts.staff_require_2fa") is True


def test_the_operator_sets_and_reads_the_rule_from_the_command_line(app: Flask, db):
    """Run in the test's app context, the command writes inside its rolled-back transaction; it still puts
    the suite's value back, so nothing depends on that."""
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["settings", "set", "accounts.staff_require_2fa", "true"]).exit_code == 0
        shown = runner.invoke(args=["settings", "get", "accounts.staff_require_2fa"])
        assert shown.exit_code == 0 and shown.stdout.strip() == "true"
        assert community_settings.get_setting("accounts.staff_require_2fa") is True
        refused = runner.invoke(args=["settings", "set", "accounts.staff_require_2fa", "sometimes"])
        assert refused.exit_code != 0
    finally:
        assert runner.invoke(args=["settings", "set", "accounts.staff_require_2fa", "false"]).exit_code == 0
    assert runner.invoke(args=["settings", "get", "accounts.staff_require_2fa"]).stdout.strip() == "false"
