"""The ideas board in Chromium: a member posts an idea, another votes for it (votes left 10 → 9), staff plan it
with a note, the voter's bell shows the news and the roadmap lists the idea under Planned. The board, the
roadmap, the new idea form and the idea's page pass axe and reflow at 320 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import SIDEWAYS_SCROLL
from tests.browser.test_tag_pages import visitor_axe

TITLE = "Export my invoices as CSV"


def _post_idea(ana) -> str:
    """ana posts the idea from the board's button; returns its thread page's path."""
    page = ana.open("/ideas")
    page.get_by_role("link", name="Post an idea").click()
    expect(page.get_by_role("heading", name="Post an idea", level=1)).to_be_visible()
    page.get_by_label("Category").select_option(label="Feature ideas")
    page.get_by_label("Your idea in one line").fill(TITLE)
    page.get_by_label("Why it would help").fill("My accountant imports CSV files; today I retype every invoice.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    idea_path = page.url.removeprefix(ana.base_url)
    assert re.fullmatch(r"/t/\d+/export-my-invoices-as-csv", idea_path)
    expect(page.locator(".idea-panel")).to_contain_text("New")
    expect(page.locator(".idea-panel .vote-form")).to_have_count(0)  # no vote for one's own idea
    return idea_path


def _vote(lee) -> None:
    board = lee.open("/ideas")
    expect(board.locator(".votes-left")).to_contain_text("Votes left: 10.")
    board.get_by_role("button", name=f"Vote for “{TITLE}”").click()
    expect(board.locator(".flashes")).to_contain_text("Your vote is counted. Votes left: 9.")
    expect(board.locator(".votes-left")).to_contain_text("Votes left: 9.")
    expect(board.locator(".idea-row").filter(has_text=TITLE).locator(".idea-vote-count")).to_have_text("1")


def _plan(mona, idea_path: str) -> None:
    page = mona.open(idea_path)
    page.get_by_text("Change the status").click()
    page.get_by_label("Status", exact=True).select_option(label="Planned")
    page.get_by_label("Note for voters (public)").fill("Coming in the May release.")
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator(".flashes")).to_contain_text("Status changed to Planned")
    expect(page.locator(".idea-panel")).to_contain_text("Coming in the May release.")


def test_an_idea_is_posted_voted_for_planned_and_shown_on_the_roadmap(visitor, data):
    data.make_ideas_category(name="Feature ideas", slug="feature-ideas")
    author, voter = data.make_user(username="ana"), data.make_user(username="lee")
    staff = data.make_user(role="moderator", username="mona")
    ana, lee, mona = visitor(), visitor(), visitor()
    ana.sign_in(author.email)
    idea_path = _post_idea(ana)
    lee.sign_in(voter.email)
    _vote(lee)
    mona.sign_in(staff.email)
    _plan(mona, idea_path)
    data.run_jobs()

    shown = lee.open("/ideas")
    expect(shown.locator("a.bell .bell-count")).to_have_text("1")
    expect(lee.open("/notifications").locator("main")).to_contain_text(TITLE)
    roadmap = lee.open("/roadmap")
    planned = roadmap.locator("section.roadmap-column").filter(
        has=roadmap.get_by_role("heading", name=re.compile(r"^Planned")))
    expect(planned).to_contain_text(TITLE)
    expect(planned).to_contain_text("Coming in the May release.")

    for path in ["/ideas", "/roadmap", "/ideas/new", idea_path]:
        page = mona.open(path)
        assert visitor_axe(visitor, mona, path) == [], path
        page.set_viewport_size({"width": 320, "height": 800})
        assert page.evaluate(SIDEWAYS_SCROLL) <= 0, path
        page.set_viewport_size({"width": 1280, "height": 900})
