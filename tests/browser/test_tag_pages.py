"""Tag pages in Chromium: the index, a tag's page and the admin tag pages pass axe and reflow at 320 px;
an admin renames a tag and merges another through the plain forms (no JavaScript needed)."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from forum import tagging
from forum.core.extensions import db
from forum.models import Tag
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE, SIDEWAYS_SCROLL
from tests.factories import PASSWORD


def _tag(name: str) -> Tag:
    return db.session.scalar(select(Tag).where(Tag.name == name))


def test_tag_pages_are_accessible_and_an_admin_renames_and_merges_without_javascript(visitor, data):
    admin = data.make_user(role="admin", username="boss")
    data.make_thread(title="Cannot reset my password", tags=["passwd", "login"])
    data.make_thread(title="Password reset mail never arrives", tags=["pwd-reset"])
    data.write(tagging.describe, admin, _tag("passwd"), "Signing in and **resetting** passwords.")
    data.write(tagging.add_synonym, admin, _tag("passwd"), "pwd")
    person = visitor(java_script_enabled=False)
    person.sign_in(admin.email, PASSWORD)
    tag_id = _tag("passwd").id
    for path in ["/tags", "/tags/passwd", "/admin/tags", f"/admin/tags/{tag_id}"]:
        page = person.open(path)
        assert visitor_axe(visitor, person, path) == [], path
        page.set_viewport_size({"width": 320, "height": 800})
        assert page.evaluate(SIDEWAYS_SCROLL) <= 0, path
        page.set_viewport_size({"width": 1280, "height": 900})
    page = person.open(f"/admin/tags/{tag_id}")
    page.get_by_label("New name").fill("password")
    page.get_by_role("button", name="Rename tag").click()
    expect(page.locator("main")).to_contain_text("“passwd” is now “password”")  # waits out the redirect
    merging = person.open(f"/admin/tags/{_tag('pwd-reset').id}")
    merging.get_by_label("Merge into the tag").fill("passwd")
    merging.get_by_role("button", name="Merge tag").click()
    expect(merging.locator("main")).to_contain_text("is merged into “password”")
    shown = person.open("/tags/pwd-reset", status=200)  # followed the 301 to the canonical page
    assert shown.url.endswith("/tags/password") and "also: passwd, pwd, pwd-reset" in shown.content()
    person.assert_clean()


def visitor_axe(visitor, person, path: str) -> list[str]:
    """axe-core in a JavaScript-enabled tab of a signed-in copy of the same session (the form visitor has none)."""
    checker = visitor()
    checker.context.add_cookies(person.context.cookies())
    checker.context.add_init_script(path=str(AXE))
    page = checker.open(path)
    return page.evaluate(RUN_AXE)

