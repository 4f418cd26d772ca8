"""Deflection in a real browser (issue 25): similar.js offers threads and articles while a title is typed, marks
articles in words, and a click on one opens it in a new tab while its beacon records the opening."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from forum.core.extensions import db
from forum.knowledge import articles, lifecycle
from forum.models import SuggestionOpen
from forum.services import qa
from tests.browser.test_accessibility import AXE, RUN_AXE


def test_clicking_a_live_suggestion_opens_it_and_records_the_opening(visitor, data):
    staff, asker = data.make_user("moderator", username="mona"), data.make_user(username="asker")
    category = data.make_category("Printers", slug="printers")
    thread = data.make_thread(category=category, title="Printer shows offline after the firmware update",
                              body="Since the update the printer says offline although the Wi-Fi works.")
    data.write(qa.accept_solution, thread.author, thread, data.make_reply(thread, body="Turn off sleep mode."))
    article = data.write(articles.create_article, staff, articles.ArticleDraft(
        title="Printer offline after a firmware update", body="Turn off sleep mode, then add the printer again.",
        category_id=category.id))
    data.write(lifecycle.publish, staff, article)
    data.run_jobs()

    person = visitor()
    person.context.add_init_script(path=str(AXE))
    page = person.sign_in("asker@example.com")
    page.goto(person.base_url + "/ask")
    page.get_by_label("Title").press_sequentially("My printer is offline after an update")
    live = page.locator("#similar-live")
    expect(live.get_by_role("heading", name="These articles and solved questions may already answer yours")) \
        .to_be_visible()
    offered = live.get_by_role("link", name=re.compile(r"^Article Printer offline after a firmware update"))
    expect(offered).to_have_attribute("href", f"/kb/{article.id}/{article.slug}")
    expect(offered).to_have_attribute("target", "_blank")
    expect(offered.get_by_text("(opens in a new tab)")).to_be_attached()
    with page.expect_response(lambda response: response.url.endswith("/ask/opened")) as recorded, \
            page.context.expect_page() as opened_tab:
        offered.click()
    assert recorded.value.status == 204
    opened_tab.value.wait_for_load_state()
    assert opened_tab.value.url.endswith(f"/kb/{article.id}/{article.slug}")
    visit = page.locator('input[name="visit"]').input_value()
    db.session.commit()  # a fresh read: the server committed the row meanwhile
    [row] = db.session.scalars(select(SuggestionOpen).where(SuggestionOpen.user_id == asker.id)).all()
    assert (row.visit, row.kind, row.article_id) == (visit, "article", article.id)
    assert page.evaluate(RUN_AXE) == []
    person.assert_clean()


def test_the_confirm_step_opens_a_suggestion_in_a_new_tab_within_the_same_visit(visitor, data):
    asker = data.make_user(username="asker")
    thread = data.make_thread(category=data.make_category("Printers", slug="printers"),
                              title="Printer shows offline after the firmware update",
                              body="Since the update the printer says offline although the Wi-Fi works.")
    data.write(qa.accept_solution, thread.author, thread, data.make_reply(thread, body="Turn off sleep mode."))
    data.run_jobs()

    person = visitor()
    person.context.add_init_script(path=str(AXE))
    # The server's step is what this test is about: similar.js (the live list) is served empty, so nothing was
    # shown while typing and nothing marks the form confirmed (clearing the field raced with the script).
    person.context.route("**/similar.js*", lambda route: route.fulfill(body="", content_type="text/javascript"))
    page = person.sign_in("asker@example.com")
    page.goto(person.base_url + "/ask")
    visit = page.locator('input[name="visit"]').input_value()
    page.get_by_label("Category").select_option(label="Printers")
    page.get_by_label("Title").fill("My printer is offline after an update")
    page.get_by_label("Details").fill("It says offline since this morning.")
    page.get_by_role("button", name="Post", exact=True).click()
    step = page.locator(".similar-confirm")
    offered = step.get_by_role("button", name=re.compile(r"^Printer shows offline after the firmware update"))
    expect(offered).to_contain_text("(opens in a new tab)")
    assert page.locator('input[name="visit"]').first.input_value() == visit  # the same visit after the resubmit
    assert page.evaluate(RUN_AXE) == []
    with page.context.expect_page() as opened_tab:
        offered.click()
    opened_tab.value.wait_for_load_state()
    assert opened_tab.value.url.endswith(f"/t/{thread.id}/{thread.slug}")
    expect(page.get_by_label("Title")).to_have_value("My printer is offline after an update")  # the draft stays
    db.session.commit()
    [row] = db.session.scalars(select(SuggestionOpen).where(SuggestionOpen.user_id == asker.id)).all()
    assert (row.visit, row.kind, row.thread_id) == (visit, "thread", thread.id)
    person.assert_clean()
