"""The knowledge base's reading pages: the index (published only, by category and tag, paged), an article
per role (drafts look absent to strangers, archived ones stay readable with a notice), its permanent
address, its table of contents, and a category page's articles."""

from __future__ import annotations

import re

import pytest

from forum import cases
from forum.knowledge import articles
from forum.models import ArticleStatus
from tests.queries import count_statements

LONG_BODY = "## Cause\n\nChannel 6 is crowded.\n\n## Fix\n\nUse channel 11.\n\n### On older routers\n\nReboot first."


def _titles(html: str) -> list[str]:
    return re.findall(r'class="article-row-title"><a href="[^"]+">([^<]+)</a>', html)


def test_the_index_lists_only_published_articles_newest_first(client, make_article, proposer, clock_at):
    make_article(title="Drafted article", author=proposer)
    make_article(title="Reviewed article", author=proposer, status=ArticleStatus.IN_REVIEW)
    make_article(title="Archived article", status=ArticleStatus.ARCHIVED)
    make_article(title="Older published article", status=ArticleStatus.PUBLISHED)
    clock_at.advance(minutes=5)
    make_article(title="Newer published article", status=ArticleStatus.PUBLISHED)
    page = client.get("/kb")
    assert page.status_code == 200
    assert _titles(page.get_data(as_text=True)) == ["Newer published article", "Older published article"]


def test_staff_and_authors_see_no_drafts_in_the_index_either(login_as, make_article, proposer, staff):
    make_article(title="Drafted article", author=proposer)
    make_article(title="Published article", status=ArticleStatus.PUBLISHED)
    for viewer in (proposer, staff):
        assert _titles(login_as(viewer).get("/kb").get_data(as_text=True)) == ["Published article"]


def test_the_index_filters_by_category_and_by_tag(client, make, make_article):
    billing, wifi = make.make_category(name="Billing", slug="billing"), make.make_category(name="Wi-Fi", slug="wifi")
    make_article(title="Read your first bill", category_id=billing.id, tags=["invoice"],
                 status=ArticleStatus.PUBLISHED)
    make_article(title="Fix evening drops", category_id=wifi.id, tags=["router"], status=ArticleStatus.PUBLISHED)
    make_article(title="Pay a bill by card", category_id=billing.id, tags=["card"], status=ArticleStatus.PUBLISHED)
    assert set(_titles(client.get("/kb?category=billing").get_data(as_text=True))) == {
        "Read your first bill", "Pay a bill by card"}
    assert _titles(client.get("/kb?tag=router").get_data(as_text=True)) == ["Fix evening drops"]
    assert _titles(client.get("/kb?category=billing&tag=card").get_data(as_text=True)) == ["Pay a bill by card"]
    assert "No articles match." in client.get("/kb?category=wifi&tag=card").get_data(as_text=True)
    assert client.get("/kb?category=no-such-category").status_code == 404


def test_a_row_shows_category_tags_helpful_count_and_date(client, db, make, make_article):
    category = make.make_category(name="Wi-Fi", slug="wifi")
    article = make_article(category_id=category.id, tags=["router"], status=ArticleStatus.PUBLISHED)
    article.helpful_count = 7
    db.session.commit()
    html = client.get("/kb").get_data(as_text=True)
    assert f'href="/kb/{article.id}/{article.slug}"' in html
    assert 'href="/kb?category=wifi"' in html and 'href="/kb?tag=router"' in html
    assert "7 found this helpful" in html and "<time datetime=" in html


def test_the_index_pages_by_cursor(client, make_article, make):
    category = make.make_category()
    for number in range(21):
        make_article(title=f"Published article number {number}", category_id=category.id,
                     status=ArticleStatus.PUBLISHED)
    first = client.get("/kb").get_data(as_text=True)
    assert len(_titles(first)) == 20
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert len(_titles(second)) == 1 and set(_titles(second)).isdisjoint(_titles(first))
    assert client.get("/kb?cursor=not-a-cursor").status_code == 422


@pytest.mark.parametrize("who, link", [("member", False), ("proposer", True), ("staff", True)])
def test_the_new_article_link_shows_to_those_who_may_propose(login_as, make, proposer, staff, who, link):
    viewer = {"member": make.make_user(), "proposer": proposer, "staff": staff}[who]
    html = login_as(viewer).get("/kb").get_data(as_text=True)
    assert ('href="/kb/new"' in html) is link


def test_staff_see_how_many_articles_wait_for_review(login_as, client, make_article, proposer, staff):
    make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    assert "In review (" not in client.get("/kb").get_data(as_text=True)
    assert "In review (2)" in login_as(staff).get("/kb").get_data(as_text=True)


@pytest.mark.parametrize("viewer, status", [("anonymous", 404), ("stranger", 404), ("author", 200), ("staff", 200)])
def test_a_draft_is_seen_by_its_author_and_staff_and_absent_to_others(
        client, login_as, make, make_article, proposer, staff, viewer, status):
    draft = make_article(author=proposer)
    if viewer != "anonymous":
        login_as({"stranger": make.make_user(), "author": proposer, "staff": staff}[viewer])
    page = client.get(articles.article_path(draft))
    assert page.status_code == status
    if status == 200:
        assert "Only its author and staff can see it." in page.get_data(as_text=True)


def test_an_article_in_review_says_so_to_its_author(login_as, make_article, proposer):
    article = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    html = login_as(proposer).get(articles.article_path(article)).get_data(as_text=True)
    assert "In review." in html and "Staff will read it before it is published" in html


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_an_archived_article_stays_readable_by_anyone_with_a_notice(client, login_as, make, make_article, viewer):
    archived = make_article(title="Old modem setup", status=ArticleStatus.ARCHIVED)
    if viewer == "member":
        login_as(make.make_user())
    html = client.get(articles.article_path(archived)).get_data(as_text=True)
    assert "Old modem setup" in html and "This article is archived: it may be out of date" in html
    assert "Use channel 11." in html


def test_a_published_article_shows_its_facts_and_body(client, make, make_article, proposer):
    category = make.make_category(name="Wi-Fi", slug="wifi")
    article = make_article(author=proposer, category_id=category.id, tags=["router"], status=ArticleStatus.PUBLISHED)
    html = client.get(articles.article_path(article)).get_data(as_text=True)
    assert "<h1 id=\"article-title\">Fix evening connection drops</h1>" in html
    assert 'href="/kb?category=wifi"' in html and 'href="/kb?tag=router"' in html
    assert f'href="/u/{proposer.username}"' in html and "last reviewed" in html
    assert "<p>Use channel 11.</p>" in html
    assert f"/kb/{article.id}/versions" not in html  # the history is its author's and staff's (404 to readers)
    assert "This article is archived" not in html and "Only its author and staff" not in html


def test_the_bare_id_and_a_stale_slug_redirect_for_good_to_the_article(client, make_article):
    article = make_article(status=ArticleStatus.PUBLISHED)
    for path in (f"/kb/{article.id}", f"/kb/{article.id}/an-old-title"):
        answer = client.get(path)
        assert answer.status_code == 301 and answer.headers["Location"].endswith(f"/kb/{article.id}/{article.slug}")
    assert client.get(f"/kb/{article.id}/{article.slug}").status_code == 200


def test_a_missing_article_or_a_hidden_draft_does_not_redirect(client, make_article, proposer):
    draft = make_article(author=proposer)
    assert client.get(f"/kb/{draft.id}").status_code == 404
    assert client.get("/kb/999999/whatever").status_code == 404


def test_a_long_article_gets_a_table_of_contents_linking_to_its_headings(client, make_article):
    article = make_article(body=LONG_BODY, status=ArticleStatus.PUBLISHED)
    html = client.get(articles.article_path(article)).get_data(as_text=True)
    assert '<nav class="kb-contents" aria-labelledby="kb-contents-heading">' in html
    for anchor in ("kb-cause", "kb-fix", "kb-on-older-routers"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_a_short_article_has_no_table_of_contents(client, make_article):
    article = make_article(status=ArticleStatus.PUBLISHED)
    assert "kb-contents" not in client.get(articles.article_path(article)).get_data(as_text=True)


def test_the_source_thread_is_linked_and_the_source_case_only_for_those_who_work_cases(
        client, login_as, make, make_article, solved_thread):
    case, _created = cases.escalate_thread(solved_thread.author, solved_thread, "Still dropping")
    article = make_article(source_thread_id=solved_thread.id, source_case_id=case.id, status=ArticleStatus.PUBLISHED)
    public = client.get(articles.article_path(article)).get_data(as_text=True)
    assert "Born from the thread" in public and solved_thread.title in public
    assert f"/desk/cases/{case.id}" not in public
    assert f"/desk/cases/{case.id}" not in login_as(make.make_user()).get(articles.article_path(article)).get_data(
        as_text=True)
    agent = make.make_user(role="agent")
    assert f"/desk/cases/{case.id}" in login_as(agent).get(articles.article_path(article)).get_data(as_text=True)


def test_reading_an_article_writes_nothing(client, make_article):
    article = make_article(body=LONG_BODY, status=ArticleStatus.PUBLISHED)
    with count_statements() as statements:
        assert client.get(articles.article_path(article)).status_code == 200
        assert client.get("/kb").status_code == 200
    assert not [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_category_page_lists_its_newest_published_articles_and_links_to_all(client, make, make_article, clock_at):
    category = make.make_category(name="Wi-Fi", slug="wifi")
    make_article(title="Unpublished wifi draft", category_id=category.id)
    for number in range(6):
        clock_at.advance(minutes=1)
        make_article(title=f"Wifi article number {number}", category_id=category.id, status=ArticleStatus.PUBLISHED)
    html = client.get("/c/wifi").get_data(as_text=True)
    assert "Articles in this category</h2>" in html
    assert _titles(html) == [f"Wifi article number {number}" for number in (5, 4, 3, 2, 1)]
    assert 'href="/kb?category=wifi">All 6 articles' in html


def test_a_category_without_published_articles_shows_no_article_section(client, make, make_article):
    category = make.make_category(slug="quiet")
    make_article(category_id=category.id)
    assert "Articles in this category</h2>" not in client.get("/c/quiet").get_data(as_text=True)


def test_the_category_page_pays_one_statement_for_its_articles_however_many(make, make_article, count_queries):
    few, many = make.make_category(slug="few"), make.make_category(slug="many")
    make_article(category_id=few.id, tags=["router"], status=ArticleStatus.PUBLISHED)
    for _ in range(7):
        make_article(category_id=many.id, tags=["router", "wifi"], status=ArticleStatus.PUBLISHED)
    make.make_category(slug="none")
    assert count_queries("/c/few") == count_queries("/c/many") == count_queries("/c/none")


def test_the_index_costs_the_same_statements_however_many_articles(make, make_article, count_queries):
    make_article(tags=["router"], status=ArticleStatus.PUBLISHED)
    few = count_queries("/kb")
    for _ in range(6):
        make_article(category_id=make.make_category().id, tags=["router", "wifi"], status=ArticleStatus.PUBLISHED)
    assert count_queries("/kb") == few
