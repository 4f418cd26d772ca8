"""The editor's @ suggestions and the thread page's "Quote" button, in a real browser (issue 22)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import expect

from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE

DRAFT_SAVE = "/api/v1/drafts/"  # the reply box saves a draft a moment after typing stops (forum/static/drafts.js)


@contextmanager
def draft_saved(page) -> Iterator[None]:
    """Wait, after the block, for the draft of what it typed to be saved: else the save may come after the
    test's account is wiped, and its 401 would count as a console error."""
    if not page.locator("form[data-draft-key]").count():
        yield
        return
    with page.expect_response(lambda response: DRAFT_SAVE in response.url, timeout=10_000):
        yield


def test_typing_at_al_lists_alice_and_arrow_enter_inserts_her(visitor, data):
    data.make_user(username="alice", display_name="Alice Wong")
    data.make_user(username="alfred")
    data.make_user(username="writer")
    thread = data.make_thread(title="Printer prints blank pages after update")
    data.make_reply(thread, author=data.make_user(username="alfredo"), body="Same here.")
    member = visitor()
    member.context.add_init_script(path=str(AXE))
    page = member.sign_in("writer@example.com")
    member.open(f"/t/{thread.id}")
    reply = page.get_by_role("textbox", name="Your reply")
    reply.click()
    reply.press_sequentially("Thanks @al", delay=30)

    listbox = page.get_by_role("listbox", name="People to mention")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)
    expect(options.first).to_contain_text("@alfredo")  # posted in this thread: first
    expect(options.nth(2)).to_contain_text("Alice Wong")
    expect(options.first).to_have_attribute("aria-selected", "true")
    assert reply.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert reply.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert page.evaluate(RUN_AXE) == []  # with the list open

    reply.press("ArrowDown")
    reply.press("ArrowDown")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    assert reply.get_attribute("aria-activedescendant") == options.nth(2).get_attribute("id")
    reply.press("Enter")
    expect(reply).to_have_value("Thanks @alice ")
    expect(listbox).to_be_hidden()

    with draft_saved(page):
        reply.press_sequentially("and @alf", delay=30)
        expect(options).to_have_count(2)
        reply.press("Escape")
        expect(listbox).to_be_hidden()
        expect(reply).to_have_value("Thanks @alice and @alf")  # Escape closes, inserts nothing
    member.assert_clean()


def test_selecting_words_in_a_post_and_pressing_quote_puts_an_attributed_quote_in_the_reply_box(visitor, data):
    data.make_user(username="quoter")
    helper = data.make_user(username="helpful_hana")
    thread = data.make_thread(title="Router drops the connection every night")
    answer = data.make_reply(thread, author=helper, body="Turn off the nightly firmware check. It restarts the radio.")
    member = visitor()
    member.context.add_init_script(path=str(AXE))
    page = member.sign_in("quoter@example.com")
    member.open(f"/t/{thread.id}")

    body = page.locator(f"#p{answer.id} .post-body p")
    body.evaluate("""(paragraph) => {
      const text = paragraph.firstChild;
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, "Turn off the nightly firmware check.".length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }""")
    button = page.get_by_role("button", name=re.compile(r"^Quote"))
    expect(button).to_be_visible()
    assert page.evaluate(RUN_AXE) == []  # with the button showing
    button.click()

    reply = page.get_by_role("textbox", name="Your reply")
    expect(reply).to_be_focused()
    path = page.evaluate("location.pathname")
    expect(reply).to_have_value(
        f"> Turn off the nightly firmware check.\n>\n> — @helpful_hana, [post #{answer.id}]({path}#p{answer.id})\n\n")
    expect(button).to_be_hidden()

    reply.press("End")
    reply.press_sequentially("That fixed it for me.")
    page.get_by_role("button", name="Post reply").click()
    quoted = page.locator(".post-body blockquote").last
    expect(quoted).to_contain_text("Turn off the nightly firmware check.")
    expect(quoted.get_by_role("link", name=f"post #{answer.id}")).to_have_attribute("href", f"{path}#p{answer.id}")
    data.run_jobs()
    member.assert_clean()
