"""In Chromium: after accepting an answer the notice offers Undo, which works, and goes away after ten seconds.

The page's timers run on Playwright's clock, which the test moves; the server keeps the test's frozen clock,
so the click within the window is honoured there (tests/web/test_undo.py covers the server's refusals).
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE


def test_the_asker_accepts_then_undoes_and_the_undo_button_lasts_ten_seconds(visitor, data):
    asker = data.make_user(username="asker")
    thread = data.make_thread(author=asker, title="Charged twice for my plan")
    data.make_reply(thread, author=data.make_user(username="helper"), body="The second charge is a hold.")
    person = visitor()
    person.context.add_init_script(path=str(AXE))
    page = person.sign_in("asker@example.com")
    page.clock.install()
    person.open(f"/t/{thread.id}")

    page.get_by_role("button", name="Accept as solution").click()
    notice = page.locator(".flash-undo")
    expect(notice).to_contain_text("The reply by helper is marked as the solution.")
    expect(page.locator(".solution")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    notice.get_by_role("button", name="Undo accepting this answer").click()
    expect(page.get_by_text("Undone: the thread has no accepted solution again.")).to_be_visible()
    expect(page.locator(".solution")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept as solution")).to_be_visible()

    page.get_by_role("button", name="Accept as solution").click()
    undo = page.locator(".flash-undo").get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    page.wait_for_load_state()  # undo.js (deferred) has set its timer: the button can show before it runs
    page.clock.run_for(9_000)
    expect(undo).to_be_visible()
    page.clock.run_for(2_000)
    expect(undo).to_have_count(0)
    expect(page.locator(".flash-undo")).to_contain_text("Undo is no longer available.")
    expect(page.locator(".solution")).to_be_visible()  # the acceptance stands
    person.assert_clean()
