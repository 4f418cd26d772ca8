"""Avatars in Chromium: a member uploads a picture on their profile page and sees it beside their post."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 140, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_member_uploads_a_picture_and_sees_it_beside_their_post(visitor, data):
    member = data.make_user(username="pictured", display_name="Pia Tured")
    thread = data.make_thread(author=member, title="My modem blinks orange after the update")

    person = visitor()
    page = person.sign_in("pictured@example.com")
    person.open(f"/t/{thread.id}")
    beside_the_question = page.locator("article.post-question img.avatar")
    expect(beside_the_question).to_have_attribute("src", re.compile(rf"^/avatars/default/{member.id}\.svg\?v=\w+$"))

    person.open("/settings/profile")
    page.get_by_label("Upload a picture").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Your picture is saved")).to_be_visible()
    expect(page.get_by_role("button", name="Remove picture")).to_be_visible()

    person.open(f"/t/{thread.id}")
    expect(beside_the_question).to_have_attribute("src", re.compile(rf"^/avatars/{member.id}/\d+/64$"))
    expect(beside_the_question).to_have_attribute("alt", "")
    expect(beside_the_question).to_have_js_property("naturalWidth", 64)  # the 64 px square, drawn at 32 px
    expect(beside_the_question).to_have_js_property("naturalHeight", 64)
    person.assert_clean()
