"""Nothing private is ever suggested or shown in a search snippet, on both backends, to members and visitors.

Every thread below was indexed while it was public and solved; then it was hidden, held for review or
deleted, and the worker has not run since (the index is stale on purpose). A solved thread escalated to a
case carries an internal staff note: case messages are never indexed, so the note's words match nothing and
show nowhere. Knowledge-base drafts, articles in review and archived articles are never suggested either.
Categories cannot be private in Horseshoe (forum.services.permissions.visibility: threads are public,
the viewer's own, or a moderator's to see), so there is no private-category case to test.
"""

from __future__ import annotations

import pytest

from forum import cases
from forum.knowledge import articles, lifecycle
from forum.models import ArticleStatus
from forum.services import posting, qa, reading, suggestions
from moderation.services import actions
from tests.moderation_support import HOLD_WORD, holding  # noqa: F401  (fixture)

TOPIC = "flurbometer"
NOTE = "zygomorphic calibration password hunter2"


def _solved(make, title: str, body: str):
    thread = make.make_thread(title=title, body=body)
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body=f"Recalibrate the {TOPIC} dial."))
    return thread


def _article(make, staff, title: str, status: ArticleStatus):
    draft = articles.ArticleDraft(title=title, body=f"How to reset a {TOPIC} safely.",
                                  category_id=make.make_category().id)
    article = articles.create_article(staff, draft)
    if status is ArticleStatus.IN_REVIEW:
        lifecycle.submit_for_review(staff, article)
    elif status in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
        lifecycle.publish(staff, article)
    if status is ArticleStatus.ARCHIVED:
        lifecycle.archive(staff, article)
    return article


@pytest.fixture
def community(holding, make, search_index):  # noqa: F811
    """{name: thread or article}: "public" and "published" may be suggested; every other one must never be."""
    staff = make.make_user(role="moderator")
    made = {
        "public": _solved(make, f"{TOPIC} resets itself every night", f"My {TOPIC} resets at midnight."),
        "hidden": _solved(make, f"{TOPIC} resets with hiddenword", f"The {TOPIC} resets, see hiddenword."),
        "pending": _solved(make, f"{TOPIC} resets with pendingword", f"The {TOPIC} resets, see pendingword."),
        "deleted": _solved(make, f"{TOPIC} resets with deletedword", f"The {TOPIC} resets, see deletedword."),
        "case": _solved(make, f"{TOPIC} resets after the case", f"The {TOPIC} resets, support is on it."),
        "published": _article(make, staff, f"Reset a {TOPIC} that resets", ArticleStatus.PUBLISHED),
        "draft": _article(make, staff, f"{TOPIC} resets draftword", ArticleStatus.DRAFT),
        "review": _article(make, staff, f"{TOPIC} resets reviewword", ArticleStatus.IN_REVIEW),
        "archived": _article(make, staff, f"{TOPIC} resets archivedword", ArticleStatus.ARCHIVED),
    }
    case, _created = cases.escalate_thread(made["case"].author, made["case"], "Still resets")
    cases.post_message(make.make_user(role="agent"), case, NOTE, "internal")
    search_index()
    actions.hide_post(staff, reading.question_post(made["hidden"]), "spam")
    question = reading.question_post(made["pending"])
    posting.edit_post(question.author, question, f"The {TOPIC} resets, see pendingword {HOLD_WORD}")
    actions.delete_post(staff, reading.question_post(made["deleted"]), "off topic")
    assert made["pending"].visibility == "pending"
    return made


PRIVATE = ("hidden", "pending", "deleted", "draft", "review", "archived")
SECRET_WORDS = ("hiddenword", "pendingword", "deletedword", "draftword", "reviewword", "archivedword",
                "zygomorphic", "hunter2")


def _keys(made: dict, items: list[dict]) -> set[str]:
    """The fixture names of the items an answer lists (kind and id together: threads and articles share ids)."""
    by_id = {(("article" if name in ("published", "draft", "review", "archived") else "thread"), thing.id): name
             for name, thing in made.items()}
    return {by_id.get((item["kind"], item["id"]), "other") for item in items}


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_similar_questions_never_suggest_private_content(community, make, api_client, viewer):
    user = make.make_user() if viewer == "member" else None
    title = f"My {TOPIC} resets every night"
    found = api_client(user).get(f"/api/v1/search/similar?limit=10&title={title}").get_json()["items"]
    assert _keys(community, found) == {"public", "case", "published"}
    asked = suggestions.similar_questions(user, title)  # what the ask page lists
    assert _keys(community, [{"kind": s.kind, "id": s.id} for s in asked]) == {"public", "case", "published"}
    for word in SECRET_WORDS:  # the very words of the private items find none of them
        items = api_client(user).get(f"/api/v1/search/similar?limit=10&title={TOPIC} {word}").get_json()["items"]
        assert _keys(community, items).isdisjoint(PRIVATE)


def test_the_ask_checks_list_the_same_items_as_the_similar_api(community, make, api_client):
    asker = make.make_user()
    title = f"My {TOPIC} resets every night"
    listed = api_client(asker).get(f"/api/v1/search/similar?limit=10&title={title}").get_json()["items"]
    answer = api_client(asker).post("/api/v1/threads", json={
        "check_only": True, "category_id": make.make_category().id, "title": title, "body": "It resets."})
    assert answer.status_code == 409
    warning = next(w for w in answer.get_json()["warnings"] if w["type"] == "similar_questions")
    assert [(item["kind"], item["id"]) for item in warning["threads"]] \
        == [(item["kind"], item["id"]) for item in listed]


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
@pytest.mark.parametrize("raw", [TOPIC, *SECRET_WORDS])
def test_search_never_lists_or_shows_private_content(community, make, api_client, viewer, raw):
    user = make.make_user() if viewer == "member" else None
    answer = api_client(user).get(f"/api/v1/search?kind=all&limit=50&q={raw}").get_json()
    items = [{"kind": item["kind"], "id": (item.get("thread") or item.get("article"))["id"],
              "highlight": item["highlight"]} for item in answer["items"]]
    assert _keys(community, items).isdisjoint(PRIVATE)
    for item in items:
        assert not any(word in item["highlight"].lower() for word in SECRET_WORDS)


def test_internal_case_notes_are_not_in_the_index(community, search_index):
    backend = search_index()
    assert [hit.thread_id for hit in backend.search("zygomorphic").hits] == []
    assert [hit.thread_id for hit in backend.search("hunter2").hits] == []
    assert [hit.thread_id for hit in backend.search(TOPIC).hits]  # the thread itself is indexed
