"""In Chromium: a moderator deleting someone else's reply is asked why (the error is announced on the field),
and the delete, edit and history pages with a reason field and thread changes have no axe violations."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.services import posting, reading
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE


def test_a_moderator_gives_a_reason_and_the_pages_stay_accessible(visitor, data):
    moderator = data.make_user("moderator")
    thread = data.make_thread(title="Router drops every evening", tags=["wifi"])
    reply = data.make_reply(thread, body="Buy cheap followers at my site.")
    question_id = reading.question_post(thread).id
    data.write(posting.update_thread, moderator, thread, posting.ThreadChange(title="Router drops at 8 pm",
                                                                              reason="Clearer title"))
    person = visitor()
    person.context.add_init_script(path=str(AXE))
    person.sign_in(moderator.email)

    page = person.open(f"/p/{reply.id}/delete")
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name="Delete reply").click()
    reason = page.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Say why: the author is told.")
    assert page.evaluate(RUN_AXE) == []  # the error list (an alert around a list) is allowed where it sits
    reason.fill("Advertising")
    page.get_by_role("button", name="Delete reply").click()
    expect(page.get_by_text("The reply is deleted.")).to_be_visible()

    page = person.open(f"/p/{question_id}/edit")
    expect(page.get_by_label("Reason")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    page = person.open(f"/p/{question_id}/history")
    expect(page.get_by_text("Title changed from")).to_be_visible()
    expect(page.get_by_text("Reason: Clearer title")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    person.assert_clean()
