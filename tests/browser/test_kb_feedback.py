"""An article's "did this help?" and views in a real browser (issue 25): opening the article sends one view
beacon, a member answers with a comment, and staff read it on /admin/articles; axe finds nothing on either page."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.core.extensions import db
from forum.knowledge import articles, lifecycle
from forum.models import Article
from tests.browser.conftest import AXE
from tests.browser.test_accessibility import RUN_AXE


def test_a_reader_counts_as_a_view_a_member_answers_and_staff_read_the_comment(visitor, data):
    staff = data.make_user("moderator", username="mona")
    data.make_user(username="rita")
    article = data.write(articles.create_article, staff, articles.ArticleDraft(
        title="Printer offline after a firmware update", body="Turn off sleep mode, then add the printer again.",
        category_id=data.make_category("Printers", slug="printers").id))
    data.write(lifecycle.publish, staff, article)
    path, article_id = articles.article_path(article), article.id

    reader = visitor()
    reader.context.add_init_script(path=str(AXE))
    with reader.page.expect_response(lambda response: response.url.endswith(f"/kb/{article_id}/viewed")) as beacon:
        page = reader.open(path)
    assert beacon.value.status == 204
    expect(page.get_by_role("link", name="Sign in to tell us")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    db.session.commit()  # a fresh read: the server counted the view meanwhile
    assert db.session.get(Article, article_id).view_count == 1

    member = visitor()
    member.context.add_init_script(path=str(AXE))
    page = member.sign_in("rita@example.com")
    page.goto(member.base_url + path)
    page.get_by_text("Add a comment (optional)").click()
    page.get_by_label("What should we fix or add?").fill("The menu is called Power now, not Sleep.")
    page.get_by_role("group", name="Was this helpful?").get_by_role("button", name="No").click()
    expect(page.get_by_text("Thanks: your answer helps us keep this article right")).to_be_visible()
    expect(page.get_by_text("0 of 1 found this helpful")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []

    desk = visitor()
    desk.context.add_init_script(path=str(AXE))
    page = desk.sign_in("mona@example.com")
    page.goto(desk.base_url + "/admin/articles")
    expect(page.get_by_text("The menu is called Power now, not Sleep.")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    for person in (reader, member, desk):
        person.assert_clean()
