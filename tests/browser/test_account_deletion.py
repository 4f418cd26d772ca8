"""Account deletion in Chromium (issue 20): a member confirms with their password, sees the date their account
goes, keeps this browser while the other one is signed out, and signs out."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_out
from tests.factories import PASSWORD


def test_a_member_schedules_deletion_with_their_password_sees_the_date_and_signs_out(visitor, data):
    data.make_user(username="leaver", email="leaver@example.com")
    other_browser = visitor()
    other_browser.sign_in("leaver@example.com")

    person = visitor()
    page = person.sign_in("leaver@example.com")
    person.open("/settings/privacy")
    expect(page.get_by_text("Confirming keeps this browser signed in")).to_be_visible()
    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Also remove my questions nobody answered").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status").filter(has_text="scheduled for deletion on")).to_be_visible()
    expect(page.locator(".deletion-date")).to_have_text("27 November 2026, 09:00 UTC")
    expect(page.get_by_role("button", name="Cancel deletion")).to_be_visible()

    other_browser.open("/")
    expect(other_browser.page.get_by_role("link", name="Sign in")).to_be_visible()

    sign_out(page)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    person.assert_clean()
    other_browser.assert_clean()

