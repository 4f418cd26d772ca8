"""Highlighted code in Chromium: the Copy button copies a block's text and says so, long lines scroll inside
the block (not the page), and the page passes axe in the light and the dark palette."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE, SIDEWAYS_SCROLL

PYTHON = ("import logging\n\n"
          "def restart(router, attempts=3):  # a comment long enough to scroll sideways on a phone screen, and more\n"
          "    logging.warning(\"restarting %s\", router)\n    return attempts > 0\n")
TRACEBACK = ('Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    main()\n'
             "ConnectionError: the line dropped\n")


@pytest.fixture
def thread_path(data) -> str:
    author = data.make_user(username="coder")
    thread = data.make_thread(author=author, title="Script to restart my router",
                              body=f"This is what I run:\n\n```python\n{PYTHON}```\n\nand `inline` code.")
    data.make_reply(thread, body=f"It fails with:\n\n```\n{TRACEBACK}```")
    return f"/t/{thread.id}"


def test_the_copy_button_copies_the_code_and_says_so(visitor, thread_path):
    person = visitor(permissions=["clipboard-read", "clipboard-write"])
    page = person.open(thread_path)
    blocks = page.locator(".post-body pre")
    expect(blocks).to_have_count(2)
    expect(blocks.first.locator("span.kn").first).to_have_text("import")
    expect(page.get_by_role("button", name="Copy", exact=True)).to_have_count(2)
    first, second = page.locator(".code-copy").first, page.locator(".code-copy").last
    first.click()
    expect(first).to_have_text("Copied")
    expect(page.get_by_role("status").filter(has_text="Code copied")).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == PYTHON
    second.click()
    expect(second).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == TRACEBACK
    expect(page.get_by_role("button", name="Copy", exact=True)).to_have_count(2)  # both back after a moment
    person.assert_clean()


def test_without_javascript_there_is_no_button_and_the_code_is_still_there(visitor, thread_path):
    page = visitor(java_script_enabled=False).open(thread_path)
    expect(page.locator(".post-body pre").first).to_contain_text("def restart(router, attempts=3):")
    expect(page.get_by_role("button", name="Copy")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_code_passes_axe_and_long_lines_scroll_inside_the_block(visitor, thread_path, scheme):
    person = visitor(color_scheme=scheme)
    person.context.add_init_script(path=str(AXE))
    page = person.open(thread_path)
    expected = {"light": "rgb(248, 248, 248)", "dark": "rgb(13, 17, 23)"}[scheme]
    pre = page.locator(".post-body pre").first
    assert pre.evaluate("element => getComputedStyle(element).backgroundColor") == expected
    assert page.evaluate(RUN_AXE) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate(SIDEWAYS_SCROLL) <= 0
    assert pre.evaluate("element => element.scrollWidth > element.clientWidth")  # the long line scrolls in the block
    pre.focus()
    assert pre.evaluate("element => document.activeElement === element")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.post-body pre').scrollLeft > 0")
    person.assert_clean()
