"""The knowledge base in Chromium: staff turn a solved thread into an article, save the draft and publish it;
a member then types the same question on the ask page and is offered the article, marked as one. The index,
the article page and the editor pass axe and reflow at 320 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from forum.services import qa
from tests.browser.test_accessibility import SIDEWAYS_SCROLL
from tests.browser.test_tag_pages import visitor_axe

QUESTION = "Router drops the connection every evening"


def test_a_solved_thread_becomes_an_article_that_the_ask_page_then_offers(visitor, data):
    staff = data.make_user(role="moderator", username="mona")
    asker = data.make_user(username="ana")
    member = data.make_user(username="lee")
    thread = data.make_thread(author=asker, title=QUESTION,
                              body="Every evening around 8 the connection drops for a minute.", tags=["wifi"])
    answer = data.make_reply(thread, body="Switch the router to channel 11: the neighbours use 6.")
    data.write(qa.accept_solution, asker, thread, answer)
    data.run_jobs()

    mona = visitor()
    mona.sign_in(staff.email)
    page = mona.open(f"/t/{thread.id}")
    page.get_by_role("link", name="Turn into article").click()
    expect(page.get_by_role("heading", name="New article", level=1)).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(QUESTION)
    expect(page.get_by_label("Article", exact=True)).to_contain_text("channel 11")
    editor_path = page.url.removeprefix(mona.base_url)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("main")).to_contain_text("Draft saved")
    expect(page.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
    article_path = page.url.removeprefix(mona.base_url)
    assert re.fullmatch(r"/kb/\d+/router-drops-the-connection-every-evening", article_path)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("main")).to_contain_text("Published: everyone can read it now.")
    expect(page.locator(".kb-banner")).to_have_count(0)
    data.run_jobs()  # the search index learns the article (search.index_article)

    for path in ["/kb", article_path, editor_path, "/kb/new"]:
        shown = mona.open(path)
        assert visitor_axe(visitor, mona, path) == [], path
        shown.set_viewport_size({"width": 320, "height": 800})
        assert shown.evaluate(SIDEWAYS_SCROLL) <= 0, path
        shown.set_viewport_size({"width": 1280, "height": 900})

    lee = visitor()
    lee.sign_in(member.email)
    ask = lee.open("/ask")
    ask.get_by_label("Title").fill(QUESTION)
    offered = ask.locator("#similar-live a", has_text="Article")
    expect(offered).to_have_count(1)
    expect(offered).to_contain_text(QUESTION)
    expect(offered).to_have_attribute("href", article_path)
    expect(ask.locator("#similar-live")).to_contain_text("These articles and solved questions may already answer")
