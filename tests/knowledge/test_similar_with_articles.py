"""Similar questions while asking: solved threads and published articles ranked together, each a Suggestion
that says its kind — on every search backend."""

from __future__ import annotations

import pytest

from forum.knowledge import lifecycle
from forum.models import ArticleStatus
from forum.services import community_settings, qa, suggestions
from forum.services.suggestions import Suggestion
from tests.search.conftest import search_backend, search_index  # noqa: F401 - the index the ask page reads

TITLE = "Printer jams on thick envelopes"


@pytest.fixture
def printing(make, make_article, search_index):  # noqa: F811
    """A published article and a solved thread about envelope jams, and a draft and an archived article too."""
    category = make.make_category(name="Printing", slug="printing")
    article = make_article(status=ArticleStatus.PUBLISHED, category_id=category.id,
                           title="Envelope jams in the rear tray", body="Open the rear flap before printing envelopes.")
    thread = make.make_thread(category=category, title="Envelopes jam halfway through the printer",
                              body="Every envelope stops halfway.")
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Use the rear tray for envelopes."))
    hidden = [make_article(status=status, category_id=category.id, title=f"Envelope jams {status.value}",
                           body="Envelope jams everywhere.")
              for status in (ArticleStatus.DRAFT, ArticleStatus.ARCHIVED)]
    search_index()
    return {"article": article, "thread": thread, "hidden": hidden}


def test_a_title_like_an_article_is_offered_the_article_marked_as_one(printing):
    article, thread = printing["article"], printing["thread"]
    offered = suggestions.similar_questions(None, TITLE)
    assert Suggestion(kind="article", id=article.id, title="Envelope jams in the rear tray",
                      path=f"/kb/{article.id}/{article.slug}", category_name="Printing", detail="Article") in offered
    assert Suggestion(kind="thread", id=thread.id, title=thread.title, path=f"/t/{thread.id}/{thread.slug}",
                      category_name="Printing", detail="Solved · 1 reply") in offered
    assert len(offered) == 2  # drafts and archived articles are never offered


def test_an_article_archived_since_it_was_indexed_is_not_offered(printing, staff):
    lifecycle.archive(staff, printing["article"])  # the worker has not run: the index still holds it
    assert [item.kind for item in suggestions.similar_questions(None, TITLE)] == ["thread"]


def test_at_most_five_are_offered_threads_and_articles_together(make, make_article, printing, search_index):  # noqa: F811
    for n in range(4):
        make_article(status=ArticleStatus.PUBLISHED, title=f"Envelope jams, case {n}", body="Thick envelopes jam.")
        solved = make.make_thread(title=f"Envelope jams again {n}", body="Thick envelopes jam in the printer.")
        qa.accept_solution(solved.author, solved, make.make_reply(solved, body="Feed them one at a time."))
    search_index()
    community_settings.update_settings_from_console({"search.similar_shown": 5})  # 10 by default (issue 26)
    offered = suggestions.similar_questions(None, TITLE)
    assert len(offered) == 5 and {item.kind for item in offered} == {"thread", "article"}


def test_the_api_lists_the_same_items_with_their_kind(api_client, printing):
    items = api_client().get("/api/v1/search/similar", query_string={"title": TITLE}).get_json()["items"]
    assert {(item["kind"], item["id"]) for item in items} == {
        ("article", printing["article"].id), ("thread", printing["thread"].id)}
    offered = [(item.kind, item.id) for item in suggestions.similar_questions(None, TITLE)]
    assert [(item["kind"], item["id"]) for item in items] == offered  # one ranking for the page and the API
