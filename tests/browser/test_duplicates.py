"""In Chromium (issue 26, item 5): a moderator marks a reworded question as a duplicate from the possible-duplicates
page in one click, and whoever opens the question sees where it is answered. Both pages have no axe violations."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.services import qa
from tests.browser.test_accessibility import AXE, RUN_AXE


def test_one_click_from_possible_duplicates_and_the_question_says_answered_here(visitor, data):
    moderator = data.make_user("moderator", username="mona")
    category = data.make_category("Connectivity", slug="connectivity")
    earlier = data.make_thread(category=category, title="Wifi keeps dropping every evening",
                               body="My wifi drops every evening around eight and comes back after a minute.")
    data.write(qa.accept_solution, earlier.author, earlier, data.make_reply(earlier, body="Change the channel."))
    question = data.make_thread(category=category, title="Wifi drops each evening",
                                body="Every evening the wifi connection drops for a minute, then comes back.")
    data.run_jobs()

    person = visitor()
    person.context.add_init_script(path=str(AXE))
    person.sign_in(moderator.email)
    page = person.open("/moderation/duplicates")
    expect(page.get_by_role("heading", name="Possible duplicates", level=1)).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name="Mark as duplicate of “Wifi keeps dropping every evening”").click()
    expect(page.get_by_text("is closed as a duplicate")).to_be_visible()
    expect(page.get_by_text("No new question looks like an earlier thread.")).to_be_visible()

    page = person.open(f"/t/{question.id}")
    banner = page.locator(".duplicate-notice")
    expect(banner).to_contain_text("Answered here:")
    expect(banner.get_by_role("link", name="Wifi keeps dropping every evening")).to_have_attribute(
        "href", f"/t/{earlier.id}/{earlier.slug}")
    assert page.evaluate(RUN_AXE) == []
    person.assert_clean()
