"""Ignoring a member in Chromium (issue 22): the profile's button, the collapsed posts that still open with
a click, and the list of ignored members, with no axe-core violations."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE


def test_a_member_ignores_someone_and_their_posts_fold_away_but_still_open(visitor, data):
    data.make_user(username="calm", display_name="Calm Carla")
    noisy = data.make_user(username="noisy", display_name="Noisy Ned")
    thread = data.make_thread(author=noisy, title="My router hates me", body="QUESTION-BY-NED")
    data.make_reply(thread, author=noisy, body="REPLY-BY-NED")

    person = visitor()
    person.context.add_init_script(path=str(AXE))  # CDP-injected: not an inline script, so the CSP allows it
    page = person.sign_in("calm@example.com")
    person.open("/u/noisy")
    page.get_by_role("button", name="Ignore Noisy Ned").click()
    expect(page.get_by_text("You now ignore Noisy Ned")).to_be_visible()
    expect(page.get_by_role("button", name="Stop ignoring Noisy Ned")).to_be_visible()

    person.open(f"/t/{thread.id}")
    reply = page.get_by_text("REPLY-BY-NED")
    expect(reply).to_be_hidden()
    page.get_by_text("Reply by Noisy Ned, a member you ignore").click()
    expect(reply).to_be_visible()
    expect(page.get_by_text("QUESTION-BY-NED")).to_be_hidden()
    assert page.evaluate(RUN_AXE) == []
    if os.environ.get("HORSESHOE_SCREENSHOTS"):
        page.screenshot(path="/tmp/ignoring-thread.png", full_page=True)

    person.open("/settings/ignored")
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name="Stop ignoring Noisy Ned").click()
    expect(page.get_by_text("You are not ignoring anyone.")).to_be_visible()
    person.assert_clean()
