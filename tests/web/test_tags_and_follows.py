"""Tag pages, following tags and categories, watching and muting threads, and counts in thread lists."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.models import Notification
from forum.services import reading, subscriptions
from tests.web.helpers import text


def _thread_links(html: str) -> list[str]:
    return re.findall(r'<h3 class="thread-title"><a href="[^"]+">([^<]+)</a>', html)


def _notified(db, user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


# --- tag pages --------------------------------------------------------------------------------------------


def test_a_tag_page_lists_only_threads_with_that_tag_and_tags_link_to_it(client, make):
    make.make_thread(title="Roaming in Spain costs", tags=["roaming", "billing"])
    make.make_thread(title="Router lights blinking", tags=["wifi"])
    page = text(client.get("/tags/roaming"))
    assert _thread_links(page) == ["Roaming in Spain costs"]
    assert "Threads tagged" in page
    question = make.make_thread(title="Another roaming question", tags=["roaming"])
    assert 'href="/tags/roaming"' in text(client.get(f"/t/{question.id}/{question.slug}"))


def test_tag_names_are_found_whatever_their_case_and_unknown_tags_are_not_found(client, make):
    make.make_thread(title="Roaming in Spain costs", tags=["roaming"])
    assert client.get("/tags/Roaming").status_code == 200
    response = client.get("/tags/never-used")
    assert response.status_code == 404 and "No thread uses that tag yet." in text(response)


def test_a_tag_page_is_paged_by_cursor(client, make):
    for n in range(23):
        make.make_thread(title=f"Wifi question number {n:02}", tags=["wifi"])
    first = text(client.get("/tags/wifi"))
    assert len(_thread_links(first)) == 20
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(next_url))
    assert len(_thread_links(second)) == 3 and "First page" in second
    assert not set(_thread_links(first)) & set(_thread_links(second))


def test_a_tag_page_sorts_by_most_helpful(act_as, community, make):
    quiet = make.make_thread(title="Quiet wifi question", tags=["wifi"])
    loved = make.make_thread(title="Loved wifi question", tags=["wifi"])
    make.make_thread(title="Newest wifi question", tags=["wifi"])
    act_as("other").post(f"/p/{_question_id(loved)}/helpful")
    page = text(act_as("anonymous").get("/tags/wifi?sort=votes"))
    assert _thread_links(page)[0] == "Loved wifi question" and quiet.title in _thread_links(page)
    assert "1 helpful" in page


@pytest.mark.parametrize("path", ["/tags/wifi?sort=random", "/tags/wifi?cursor=garbage"])
def test_bad_tag_page_parameters_are_refused_with_a_message(client, make, path):
    make.make_thread(tags=["wifi"])
    response = client.get(path)
    assert response.status_code == 422 and ("Sort by one of" in text(response) or "cursor" in text(response))


def test_following_a_tag_brings_new_questions_with_it(act_as, community, make, db):
    make.make_thread(tags=["roaming"])
    client = act_as("other")
    assert client.post("/tags/roaming/follow").status_code == 302
    assert "You follow this tag" in text(client.get("/tags/roaming"))
    make.make_thread(title="Roaming data never stops", tags=["roaming"])
    assert "new_question" in _notified(db, community.other)
    client.post("/tags/roaming/unfollow")
    page = text(client.get("/tags/roaming"))
    assert "You follow this tag" not in page and 'action="/tags/roaming/follow"' in page


def test_following_an_unknown_tag_is_not_found(act_as, community):
    assert act_as("other").post("/tags/never-used/follow").status_code == 404


# --- categories -------------------------------------------------------------------------------------------


def test_following_then_muting_a_category(act_as, community, make, db):
    client = act_as("other")
    client.post(f"/c/{community.category.slug}/follow")
    assert subscriptions.state_of(community.other, community.category) == "watching"
    assert "You follow this category" in text(client.get(f"/c/{community.category.slug}"))
    make.make_thread(category=community.category, title="A new billing question")
    assert "new_question" in _notified(db, community.other)
    client.post(f"/c/{community.category.slug}/mute")
    assert subscriptions.state_of(community.other, community.category) == "muted"
    assert "You muted this category" in text(client.get(f"/c/{community.category.slug}"))


def test_following_a_missing_category_is_not_found(act_as, community):
    assert act_as("other").post("/c/missing/follow").status_code == 404


def test_category_pages_sort_by_most_helpful_and_lists_show_votes_and_me_too(act_as, community, make):
    loved = make.make_thread(category=community.category, title="Loved billing question")
    act_as("other").post(f"/p/{_question_id(loved)}/helpful")
    act_as("advocate").post(f"/p/{_question_id(loved)}/helpful")
    act_as("other").post(f"/t/{loved.id}/me-too")
    page = text(act_as("anonymous").get(f"/c/{community.category.slug}?sort=votes"))
    assert _thread_links(page)[0] == "Loved billing question"
    assert "2 helpful" in page and "1 has this too" in page
    assert '>Most helpful</a>' in page


def _question_id(thread) -> int:
    return reading.question_post(thread).id


# --- watching threads -------------------------------------------------------------------------------------


def test_muting_a_thread_stops_reply_notifications_and_watching_brings_them_back(act_as, community, make, db):
    client = act_as("author")
    assert "You're watching this thread" in text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    client.post(f"/t/{community.thread.id}/mute")
    assert "You muted this thread." in text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    before = len(_notified(db, community.author))
    make.make_reply(community.thread, body="Muted reply")
    assert len(_notified(db, community.author)) == before
    client.post(f"/t/{community.thread.id}/watch")
    make.make_reply(community.thread, body="Heard reply")
    assert len(_notified(db, community.author)) == before + 1


def test_visitors_get_no_watch_buttons(client, community):
    page = text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert "/watch" not in page and "/mute" not in page
