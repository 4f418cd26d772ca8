"""robots.txt and the sitemaps (issue 27): only what a signed-out visitor may read, in files of at most
URLS_PER_SITEMAP addresses cut by id range, with lastmod, absolute addresses from the base URL, fast."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import insert

from forum.core import clock
from forum.core.extensions import db
from forum.findability import sitemaps
from forum.knowledge import articles, lifecycle
from forum.models import Thread
from forum.services import moderation_state, posting, reading
from moderation.services import actions
from tests.conftest import TEST_NOW
from tests.queries import count_statements
from tests.web.findability_helpers import BASE_URL

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def xml_of(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag.startswith("{" + NS["sm"] + "}")
    return root


def index(client) -> dict[str, str | None]:
    """The sitemap index: each file's address → its lastmod."""
    root = xml_of(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    return {item.findtext("sm:loc", namespaces=NS): item.findtext("sm:lastmod", namespaces=NS)
            for item in root.findall("sm:sitemap", NS)}


def urls(client, path: str) -> dict[str, str | None]:
    """One sitemap: each address → its lastmod."""
    root = xml_of(client, path)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {item.findtext("sm:loc", namespaces=NS): item.findtext("sm:lastmod", namespaces=NS)
            for item in root.findall("sm:url", NS)}


def every_url(client) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for location in index(client):
        found.update(urls(client, location.removeprefix(BASE_URL)))
    return found


def address(thread: Thread) -> str:
    return f"{BASE_URL}/t/{thread.id}/{thread.slug}"


def article(community, title: str, publish: bool = True, archive: bool = False):
    draft = articles.create_article(community.advocate, articles.ArticleDraft(
        title=title, body="Compare both charges.", category_id=community.category.id))
    if publish:
        lifecycle.publish(community.moderator, draft)
    if archive:
        lifecycle.archive(community.moderator, draft)
    return draft


# --- robots.txt --------------------------------------------------------------------------------------------------


def test_robots_keeps_crawlers_out_of_search_staff_account_and_api_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert {"/search", "/api/", "/admin", "/staff/", "/moderation/", "/desk", "/auth/", "/settings/",
            "/messages", "/cases/"} <= disallowed
    assert not disallowed & {"/", "/t/", "/c/", "/kb", "/tags", "/u/"}
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in lines


# --- what is listed ----------------------------------------------------------------------------------------------


def test_the_index_lists_one_file_per_kind_with_lastmod(client, community):
    article(community, "Refunds for a double charge")
    files = index(client)
    assert list(files) == [f"{BASE_URL}/sitemaps/threads-1.xml", f"{BASE_URL}/sitemaps/articles-1.xml",
                           f"{BASE_URL}/sitemaps/categories-1.xml"]
    assert set(files.values()) == {TEST_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_only_what_a_signed_out_visitor_may_read_is_listed(client, community, make, clock_at):
    thread = community.thread
    hidden, pending, deleted, merged = (make.make_thread(author=community.author, category=community.category)
                                        for _ in range(4))
    moderation_state.hide_post(moderation_question(hidden), community.moderator, "Spam")
    moderation_question(pending).visibility = pending.visibility = "pending"
    actions.delete_post(community.moderator, moderation_question(deleted), "Duplicate")
    actions.merge_threads(community.moderator, merged, thread.id, "Same question")
    published = article(community, "Refunds for a double charge")
    draft = article(community, "A draft about refunds", publish=False)
    in_review = article(community, "An article in review", publish=False)
    lifecycle.submit_for_review(community.advocate, in_review)
    archived = article(community, "An archived article", archive=True)
    listed = every_url(client)
    assert set(listed) == {address(thread), f"{BASE_URL}/kb/{published.id}/{published.slug}",
                           f"{BASE_URL}/c/{community.category.slug}"}
    for absent in (hidden, pending, deleted, merged):
        assert not any(f"/t/{absent.id}/" in location for location in listed)
    for absent in (draft, in_review, archived):
        assert not any(f"/kb/{absent.id}/" in location for location in listed)


def moderation_question(thread: Thread):
    return reading.question_post(thread)


def test_lastmod_is_the_last_activity(client, community, make, clock_at):
    later = clock_at.advance(days=3)
    make.make_reply(community.thread, body="Three days later: it happened again.")
    quiet = make.make_category(name="Quiet corner", slug="quiet")
    listed = every_url(client)
    stamp = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed[address(community.thread)] == stamp
    assert listed[f"{BASE_URL}/c/billing"] == stamp
    assert listed[f"{BASE_URL}/c/{quiet.slug}"] is None  # no thread yet: no date to give
    assert index(client)[f"{BASE_URL}/sitemaps/threads-1.xml"] == stamp


def test_addresses_come_from_the_base_url_and_follow_the_current_slug(client, community):
    posting.update_thread(community.author, community.thread, posting.ThreadChange(title="Refund a double charge"))
    response = client.get("/sitemaps/threads-1.xml", headers={"Host": "attacker.example"})
    assert f"<loc>{BASE_URL}/t/{community.thread.id}/refund-a-double-charge</loc>".encode() in response.data


# --- files of at most URLS_PER_SITEMAP addresses --------------------------------------------------------------


def test_more_threads_than_one_file_holds_make_several_files(client, community, make, monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 2)
    threads = [community.thread] + [make.make_thread(author=community.author, category=community.category)
                                    for _ in range(4)]
    moderation_state.hide_post(moderation_question(threads[2]), community.moderator, "Spam")
    public = [thread for thread in threads if thread is not threads[2]]
    numbers = sorted({(thread.id - 1) // 2 + 1 for thread in public})  # ids need not start at 1 (PostgreSQL)
    files = [location for location in index(client) if "/threads-" in location]
    assert len(files) >= 3 and files == [f"{BASE_URL}/sitemaps/threads-{n}.xml" for n in numbers]
    seen = []
    for location in files:
        listed = list(urls(client, location.removeprefix(BASE_URL)))
        assert 1 <= len(listed) <= 2
        seen += listed
    assert seen == [address(thread) for thread in public]
    assert client.get(f"/sitemaps/threads-{numbers[-1] + 1}.xml").status_code == 404
    assert client.get("/sitemaps/threads-0.xml").status_code == 404
    assert client.get("/sitemaps/users-1.xml").status_code == 404


def test_a_range_with_nothing_public_is_left_out(client, community, make, monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 1)
    second = make.make_thread(author=community.author, category=community.category)
    third = make.make_thread(author=community.author, category=community.category)
    moderation_state.hide_post(moderation_question(second), community.moderator, "Spam")
    files = [location for location in index(client) if "/threads-" in location]
    assert files == [f"{BASE_URL}/sitemaps/threads-{n}.xml" for n in (community.thread.id, third.id)]
    assert client.get(f"/sitemaps/threads-{second.id}.xml").status_code == 404


def test_a_file_of_twenty_thousand_threads_is_one_query(client, community):
    """About the threads of a 400,000-post community, written straight into the table: every one listed, with
    one SELECT for the file and the same for the index, however many there are (bench/sitemap_bench.py times
    it on the benchmark corpus)."""
    moment = clock.now() - timedelta(days=1)
    rows = [{"category_id": community.category.id, "author_id": community.author.id, "kind": "question",
             "title": f"Question number {n}", "slug": f"question-number-{n}", "status": "open", "locked": False,
             "pinned": False, "reply_count": 0, "created_at": moment, "last_activity_at": moment,
             "visibility": "public"} for n in range(20_000)]
    db.session.execute(insert(Thread), rows)
    db.session.commit()
    client.get("/sitemaps/threads-1.xml")  # warm: templates, URL map
    with count_statements() as statements:
        response = client.get("/sitemaps/threads-1.xml")
    assert response.status_code == 200 and response.data.count(b"<url>") == 20_001
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) <= 2
    with count_statements() as statements:
        assert client.get("/sitemap.xml").status_code == 200
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) <= 4


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml", "/sitemaps/threads-1.xml"])
def test_crawler_files_may_be_cached_and_revalidated(client, community, path):
    first = client.get(path)
    assert first.cache_control.public and first.cache_control.max_age and first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
