"""The editor in a real browser: the live preview on Ask, a draft that survives a reload, the shortcuts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE

CTRL = "Control"


def _asker(visitor, data):
    data.make_category(name="Billing", slug="billing")
    data.make_user(username="writer")
    member = visitor()
    member.context.add_init_script(path=str(AXE))
    page = member.sign_in("writer@example.com")
    return member, page


def test_the_live_preview_appears_on_ask_while_typing(visitor, data):
    member, page = _asker(visitor, data)
    member.open("/ask")
    preview = page.locator("#ask-preview")
    expect(preview).to_be_hidden()
    page.get_by_label("Details").press_sequentially("It says **declined** twice", delay=5)
    expect(preview.locator("strong")).to_have_text("declined")
    expect(preview).to_be_visible()
    expect(page.locator("[data-char-counter='body'] [data-count]")).to_contain_text("bytes left")
    assert page.evaluate(RUN_AXE) == []
    member.assert_clean()


def test_a_draft_typed_on_ask_survives_a_reload(visitor, data):
    member, page = _asker(visitor, data)
    member.open("/ask")
    page.get_by_label("Title").fill("Router blinks red all night")
    page.get_by_label("Details").press_sequentially("Half of my story", delay=5)
    expect(page.locator(".draft-status")).to_contain_text("Draft saved", timeout=15_000)
    page.reload()
    expect(page.get_by_text("Restored your draft from")).to_be_visible()
    expect(page.get_by_label("Details")).to_have_value("Half of my story")
    expect(page.get_by_label("Title")).to_have_value("Router blinks red all night")
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name="Discard draft").click()  # the no-JavaScript button, as a plain form
    expect(page.get_by_label("Details")).to_have_value("")
    member.assert_clean()


def test_ctrl_b_wraps_the_selection_and_other_shortcuts(visitor, data):
    member, page = _asker(visitor, data)
    member.open("/ask")
    details = page.get_by_label("Details")
    details.fill("make this bold")
    details.evaluate("(el) => el.setSelectionRange(5, 9)")
    details.press(f"{CTRL}+b")
    expect(details).to_have_value("make **this** bold")
    details.evaluate("(el) => el.setSelectionRange(el.value.length, el.value.length)")
    details.press(f"{CTRL}+e")
    expect(details).to_have_value("make **this** bold`code`")
    details.fill("a quote")
    details.press(f"{CTRL}+Shift+Period")
    expect(details).to_have_value("> a quote")
    member.assert_clean()
