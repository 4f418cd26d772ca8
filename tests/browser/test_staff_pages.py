"""The audit log and the settings page in Chromium: no axe violations with real entries and with errors
shown, nothing scrolls sideways at 320 px, a long value opens in place, the group index jumps to its group."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.models import Role
from forum.services import audit_writer, community_settings
from moderation.services import actions
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE, SIDEWAYS_SCROLL

LONG_BODY = "My router drops the line every evening around eight, and the light turns red. " * 4


def _seed(data):
    admin = data.make_user(role=Role.ADMIN.value, username="boss")
    thread = data.make_thread(title="Router drops every evening")
    reply = data.make_reply(thread, body="Call me on 0176 555 0192 and I will fix it.")
    data.write(actions.hide_post, admin, reply, "Phone number in public")
    data.write(audit_writer.record, admin, "post.edit", "post", reply.id, "Phone number", {"body": LONG_BODY},
               {"body": "Call support instead."})
    data.write(community_settings.update_settings, admin, {"sla.first_reply_hours": 6, "uploads.enabled": False})
    return admin, f"/t/{thread.id}/{thread.slug}#p{reply.id}"


def _signed_in_admin(visitor, admin, **options):
    person = visitor(**options)
    person.context.add_init_script(path=str(AXE))
    person.sign_in(admin.email)
    return person


def _no_sideways_scroll_at_320(page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate(SIDEWAYS_SCROLL) <= 0
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_audit_log_reads_well_is_accessible_and_opens_a_long_value_in_place(visitor, data):
    admin, reply_link = _seed(data)
    person = _signed_in_admin(visitor, admin)
    page = person.open("/moderation/audit")
    assert page.evaluate(RUN_AXE) == []
    _no_sideways_scroll_at_320(page)
    hidden = page.locator(".audit-entry").filter(has_text="hid a reply in")
    expect(hidden.get_by_role("link", name="“Router drops every evening”")).to_have_attribute("href", reply_link)
    full = page.locator(".audit-full-text").first
    expect(full).to_be_hidden()
    page.locator(".audit-full summary").first.click()
    expect(full).to_be_visible()
    expect(full).to_contain_text("light turns red.")
    person.assert_clean()


def test_the_settings_page_is_accessible_with_errors_shown_and_its_index_jumps_to_a_group(visitor, data):
    admin, _reply_link = _seed(data)
    person = _signed_in_admin(visitor, admin)
    page = person.open("/admin/settings")
    assert page.evaluate(RUN_AXE) == []
    _no_sideways_scroll_at_320(page)
    page.get_by_role("link", name="Sentiment").click()
    assert page.evaluate("location.hash") == "#settings-sentiment"
    threshold = page.get_by_label("Flag score that hides a post")
    threshold.fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(threshold).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[id="moderation.hide_threshold-errors"]')).to_contain_text("must be at least 1")
    assert page.evaluate(RUN_AXE) == []
    _no_sideways_scroll_at_320(page)
    person.assert_clean()
