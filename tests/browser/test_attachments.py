"""A screenshot pasted into the reply editor is uploaded, described and shown in the published reply."""

from __future__ import annotations

import base64

from playwright.sync_api import expect

from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE
from tests.uploads.conftest import image_bytes

# A real paste event carrying a PNG file, as Chromium fires one when a screenshot is pasted.
PASTE_PNG = """([textarea, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "image.png", {type: "image/png"}));
  textarea.focus();
  textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
}"""


def test_a_pasted_screenshot_is_uploaded_and_shows_in_the_published_reply(visitor, data):
    data.make_user(username="shooter", reputation=50)
    thread = data.make_thread(title="Modem shows an error after the update")
    member = visitor()
    member.context.add_init_script(path=str(AXE))  # CDP-injected: not an inline script, so the CSP allows it
    page = member.sign_in("shooter@example.com")
    member.open(f"/t/{thread.id}")
    reply = page.get_by_role("textbox", name="Your reply")
    reply.fill("This is what I see:")
    screenshot = base64.b64encode(image_bytes(size=(900, 600), color=(20, 90, 160))).decode()
    page.evaluate(PASTE_PNG, [reply.element_handle(), screenshot])

    alt = page.get_by_label("Alt text for image.png", exact=False)
    expect(alt).to_be_focused()
    expect(alt).to_have_value("image.png")
    assert page.evaluate(RUN_AXE) == []  # the alt prompt and the attach button are accessible
    alt.fill("Modem error 651")
    page.get_by_role("button", name="Attach image").click()
    expect(page.get_by_text("image.png is attached.")).to_be_visible()
    value = reply.input_value()
    assert value.startswith("This is what I see:\n\n![Modem error 651](/uploads/") and value.endswith("/image.png)")

    page.get_by_role("button", name="Post reply").click()
    shown = page.locator(".post-body a > img[alt='Modem error 651']")
    expect(shown).to_be_visible()
    assert "rendition=thumbnail" in shown.get_attribute("src")
    # it loaded: waits for the thumbnail (a busy machine may still be fetching it), fails after the timeout
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=shown.element_handle())
    assert page.evaluate(RUN_AXE) == []
    member.assert_clean()
