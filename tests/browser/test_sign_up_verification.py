"""Signing up in Chromium: the form, the mail with the confirmation link, the confirm button, then a question."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from forum.services import community_settings
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE

LINK = re.compile(r"https?://\S+/auth/verify/[\w.-]+")


def received_link(mail, address: str) -> str:
    """The confirmation link in the mail that reached the SMTP server for address (as a path on the site)."""
    [message] = [m for m in mail.messages if m["To"] == address]
    assert message["Subject"] == "Confirm your email address for Horseshoe"
    return urlsplit(LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(0)).path


def test_a_newcomer_signs_up_confirms_from_the_mail_and_then_asks(visitor, data, clock_at):
    data.make_category(name="Billing", slug="billing")
    data.write(community_settings.update_settings_from_console, {
        "accounts.require_verified_email": True, "accounts.signup_honeypot": True, "accounts.signup_min_seconds": 3,
    })

    newcomer = visitor()
    newcomer.context.add_init_script(path=str(AXE))  # CDP-injected: not an inline script, so the CSP allows it
    page = newcomer.open("/auth/register")
    assert page.evaluate(RUN_AXE) == []  # the honeypot hides from assistive technology without a fault
    shown_area = page.locator("div:has(> #website)").bounding_box()  # it clips the field to one pixel
    assert shown_area["width"] <= 1 and shown_area["height"] <= 1  # out of sight...
    expect(page.get_by_role("textbox", name="Website (leave this empty)")).to_have_count(0)  # ...and of reach
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Password").fill("a long enough password")
    clock_at.advance(seconds=5)  # the few seconds a person takes over the form
    page.get_by_role("button", name="Create account").click()
    banner = page.locator(".verify-banner")
    expect(banner).to_contain_text("Please confirm your email address")
    expect(banner).to_contain_text("newbie@example.com")
    assert page.evaluate(RUN_AXE) == []

    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Category").select_option(label="Billing")
    page.get_by_label("Title").fill("Charged twice for my March plan")
    page.get_by_label("Details").fill("The invoice shows two payments on the same day.")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Please confirm your email address first")).to_be_visible()

    assert data.run_jobs() >= 1  # the worker's mail job delivers the link
    link = received_link(data.mail, "newbie@example.com")
    newcomer.open(link)
    expect(page.get_by_text("This confirms that newbie@example.com belongs to the account newbie")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("newbie@example.com is confirmed")).to_be_visible()
    expect(page.locator(".verify-banner")).to_have_count(0)

    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Category").select_option(label="Billing")
    page.get_by_label("Title").fill("Charged twice for my March plan")
    page.get_by_label("Details").fill("The invoice shows **two** payments on the same day.")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charged twice for my March plan")
    expect(page.locator(".post-body strong")).to_have_text("two")
    newcomer.assert_clean()
