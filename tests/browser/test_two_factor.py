"""Two-factor sign-in in Chromium (issue 20): set it up from the QR page's key, sign out, sign in with a code."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from forum.core import clock
from tests.browser.conftest import AXE, sign_out
from tests.browser.test_accessibility import RUN_AXE
from tests.factories import PASSWORD


def current_code(secret: str) -> str:
    """What an authenticator app holding secret shows at the server's (frozen) moment."""
    return pyotp.TOTP(secret).at(clock.now())


def turn_on(page, code: str) -> None:
    """The enrolment form: the password (so a stolen session alone cannot do it) and the app's first code."""
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Six-digit code from the app").fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()


def test_a_member_sets_up_two_factor_then_signs_in_with_password_and_code(visitor, data, clock_at):
    data.make_user(username="careful")
    member = visitor()
    member.context.add_init_script(path=str(AXE))  # CDP-injected: not an inline script, so the CSP allows it
    page = member.sign_in("careful@example.com")

    member.open("/settings/two-factor")
    expect(page.get_by_text("Off.")).to_be_visible()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.get_by_role("button", name="Show my QR code").click()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    secret = page.get_by_label("Your key").input_value().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    turn_on(page, current_code(secret))
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("link", name="I have stored them").click()
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []

    sign_out(page)
    clock_at.advance(seconds=30)  # the app shows the next code; the one used to enrol is spent
    member.open("/auth/login")
    page.get_by_label("Email").fill("careful@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(0)

    page.get_by_label("Six-digit code or recovery code").fill("000000" if current_code(secret) != "000000" else "1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()

    page.get_by_label("Six-digit code or recovery code").fill(current_code(secret))
    page.get_by_label("Trust this browser for 30 days").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(1)  # in the account menu
    trust = [c for c in member.context.cookies() if c["name"] == "hs_trusted_browser"]
    assert len(trust) == 1 and trust[0]["httpOnly"] and trust[0]["sameSite"] == "Lax"
    member.assert_clean()
