"""An article's history in a real browser (issue 25): staff open the versions, follow a compare link, and
choose two versions in the no-JavaScript form; axe finds nothing on the versions and diff pages."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.knowledge import articles
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE


def test_staff_compare_versions_of_an_article_and_the_pages_stay_accessible(visitor, data):
    staff = data.make_user("moderator", username="mona")
    article = data.write(articles.create_article, staff, articles.ArticleDraft(
        title="Printer offline after a firmware update", body="Turn off sleep mode.\n\nThen add the printer again.",
        category_id=data.make_category("Printers", slug="printers").id))
    data.write(articles.edit_article, staff, article, articles.ArticleChange(
        body="Turn off sleep mode in the Power menu.\n\nThen add the printer again.", note="Menu renamed"))
    data.write(articles.edit_article, staff, article, articles.ArticleChange(
        title="Printer offline after an update", note="Shorter title"))
    article_id = article.id

    person = visitor()
    person.context.add_init_script(path=str(AXE))
    page = person.sign_in(staff.email)
    page.goto(f"{person.base_url}/kb/{article_id}/versions")
    expect(page.get_by_role("cell", name="Menu renamed")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []

    page.get_by_role("link", name="Changes in version 2").click()
    expect(page.get_by_role("heading", name="Changes from version 1 to version 2")).to_be_visible()
    expect(page.locator("ins", has_text="in the Power menu")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []

    page.goto(f"{person.base_url}/kb/{article_id}/versions")
    page.get_by_label("From version").select_option("1")
    page.get_by_label("to version").select_option("3")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Changes from version 1 to version 3")).to_be_visible()
    expect(page.locator("del", has_text="a firmware")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    person.assert_clean()
