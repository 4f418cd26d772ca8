"""/api/v1/articles (api.md v1.1) per role: anonymous, member, privileged member, author, other member,
suspended author and staff; listing with filters and cursors, reading, proposing, editing, moving through
the life cycle, publishing, and "did this help?"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum import cases
from forum.core import clock
from forum.core.extensions import db
from forum.knowledge import api as knowledge_api  # noqa: F401  (its routes join the API blueprint on import)
from forum.models import Article, ArticleFeedback, ArticleStatus, ArticleVersion, Notification, User
from tests.api.support import assert_problem, walk_pages

ARTICLES = "/api/v1/articles"
API_FIELDS = {"id", "title", "body", "body_html", "status", "category_id", "tags", "author", "source_thread_id",
              "source_case_id", "helpful_count", "not_helpful_count", "updated_at", "reviewed_at"}
EXTRA_FIELDS = {"url", "slug", "owner", "published_at", "view_count", "deflection_count", "version_count"}


@pytest.fixture
def member(make) -> User:
    """Signed in, without the article privilege."""
    return make.make_user(username="milo")


@pytest.fixture
def other(make) -> User:
    """Another privileged member: may propose, but not touch pat's drafts."""
    return make.make_user(username="olga", reputation=1000)


@pytest.fixture
def category(make):
    return make.make_category(name="Home internet", slug="home-internet")


def suspend(user: User) -> None:
    user.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def new_article(**fields) -> dict:
    return {"title": "Reset the router to factory settings", "body": "Hold the reset button for ten seconds.",
            "tags": ["router", "wifi"], **fields}


# --- reading ---------------------------------------------------------------------------------------------------


def test_anyone_lists_published_articles_with_the_fields_api_md_names(api_client, make_article, proposer, category):
    published = make_article(author=proposer, status=ArticleStatus.PUBLISHED, category_id=category.id,
                             tags=["wifi", "router"])
    make_article(author=proposer, title="A draft nobody else sees yet")
    [item] = api_client().get(ARTICLES).get_json()["items"]
    assert API_FIELDS | EXTRA_FIELDS <= set(item)
    assert item["id"] == published.id and item["status"] == "published"
    assert item["category_id"] == category.id and item["tags"] == ["router", "wifi"]
    assert item["author"]["username"] == "pat" and item["owner"]["username"] == "pat"
    assert item["url"] == f"/kb/{published.id}/{published.slug}"
    assert "<h2" in item["body_html"] and item["body"].startswith("## Cause")
    assert item["reviewed_at"] == item["published_at"] == "2026-11-20T09:00:00Z"
    assert (item["helpful_count"], item["not_helpful_count"], item["version_count"]) == (0, 0, 1)
    assert item["source_thread_id"] is None and item["source_case_id"] is None


def test_a_status_filter_shows_authors_their_own_drafts_and_staff_all_of_them(
        api_client, make_article, proposer, other, member, staff):
    mine = make_article(author=proposer, title="Pat's draft about routers")
    theirs = make_article(author=other, title="Olga's draft about modems")
    reviewed = make_article(author=proposer, status=ArticleStatus.IN_REVIEW, title="Pat's article in review")
    query = {"status": "draft"}
    assert ids(api_client(proposer).get(ARTICLES, query_string=query)) == [mine.id]
    assert ids(api_client(other).get(ARTICLES, query_string=query)) == [theirs.id]
    assert set(ids(api_client(staff).get(ARTICLES, query_string=query))) == {mine.id, theirs.id}
    assert ids(api_client(member).get(ARTICLES, query_string=query)) == []
    assert ids(api_client().get(ARTICLES, query_string=query)) == []
    assert ids(api_client(proposer).get(ARTICLES, query_string={"status": "in_review"})) == [reviewed.id]
    assert ids(api_client(other).get(ARTICLES, query_string={"status": "in_review"})) == []


def test_archived_articles_are_listed_to_staff_only_but_stay_reachable_by_id(
        api_client, make_article, proposer, staff):
    archived = make_article(author=proposer, status=ArticleStatus.ARCHIVED)
    assert ids(api_client().get(ARTICLES)) == []
    assert ids(api_client(proposer).get(ARTICLES, query_string={"status": "archived"})) == []
    assert ids(api_client(staff).get(ARTICLES, query_string={"status": "archived"})) == [archived.id]
    shown = api_client().get(f"{ARTICLES}/{archived.id}")
    assert shown.status_code == 200 and shown.get_json()["status"] == "archived"


def test_the_list_filters_by_category_id_or_slug_and_by_tag(api_client, make_article, make, category):
    elsewhere = make.make_category(name="Billing")
    wifi = make_article(status=ArticleStatus.PUBLISHED, category_id=category.id, tags=["wifi"])
    billing = make_article(status=ArticleStatus.PUBLISHED, category_id=elsewhere.id, tags=["invoice"],
                           title="Read your first invoice")
    client = api_client()
    assert ids(client.get(ARTICLES, query_string={"category": category.id})) == [wifi.id]
    assert ids(client.get(ARTICLES, query_string={"category": "home-internet"})) == [wifi.id]
    assert ids(client.get(ARTICLES, query_string={"tag": "invoice"})) == [billing.id]
    assert ids(client.get(ARTICLES, query_string={"category": category.id, "tag": "invoice"})) == []
    assert_problem(client.get(ARTICLES, query_string={"category": "no-such-place"}), 422, "category")
    assert_problem(client.get(ARTICLES, query_string={"status": "deleted"}), 422, "status")
    assert_problem(client.get(ARTICLES, query_string={"limit": "500"}), 422, "limit")


def test_pages_follow_the_cursor_latest_change_first_without_repeats(api_client, make_article, clock_at):
    made = []
    for n in range(5):
        made.append(make_article(status=ArticleStatus.PUBLISHED, title=f"Article number {n} of five"))
        if n % 2:
            clock_at.advance(minutes=1)  # some share a moment: the id breaks the tie
    pages = walk_pages(api_client(), ARTICLES, limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    seen = [item["id"] for page in pages for item in page]
    newest_first = sorted(made, key=lambda a: (a.updated_at, a.id), reverse=True)
    assert seen == [article.id for article in newest_first]
    assert_problem(api_client().get(ARTICLES, query_string={"cursor": "not-a-cursor"}), 422, "cursor")


def test_the_list_costs_the_same_queries_for_two_articles_as_for_eight(count_queries, make_article, make):
    authors = [make.make_user(reputation=1000) for _ in range(8)]
    for author in authors[:2]:
        make_article(author=author, status=ArticleStatus.PUBLISHED, tags=["wifi", "router"])
    two = count_queries(ARTICLES)
    for author in authors[2:]:
        make_article(author=author, status=ArticleStatus.PUBLISHED, tags=["modem", f"isp-{author.id}"])
    assert count_queries(ARTICLES) == two


def test_drafts_are_read_by_their_author_and_staff_and_absent_to_everyone_else(
        api_client, make_article, proposer, other, member, staff):
    draft = make_article(author=proposer)
    for who in (proposer, staff):
        shown = api_client(who).get(f"{ARTICLES}/{draft.id}")
        assert shown.status_code == 200 and shown.get_json()["status"] == "draft"
    for who in (other, member, None):
        assert_problem(api_client(who).get(f"{ARTICLES}/{draft.id}"), 404)
    assert_problem(api_client().get(f"{ARTICLES}/999999"), 404)


# --- proposing -------------------------------------------------------------------------------------------------


def test_a_privileged_member_proposes_a_draft_and_others_are_refused(api_client, proposer, member, category):
    assert_problem(api_client().post(ARTICLES, json=new_article(category_id=category.id)), 401)
    assert_problem(api_client(member).post(ARTICLES, json=new_article(category_id=category.id)), 403)
    created = api_client(proposer).post(ARTICLES, json=new_article(category_id=category.id))
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert created.headers["Location"] == f"/api/v1/articles/{body['id']}"
    assert (body["status"], body["title"], body["tags"]) == ("draft", "Reset the router to factory settings",
                                                             ["router", "wifi"])
    assert body["author"]["id"] == proposer.id and body["version_count"] == 1
    assert db.session.get(Article, body["id"]).author_id == proposer.id


def test_staff_propose_too_and_a_suspended_member_is_read_only(api_client, proposer, staff, category):
    assert api_client(staff).post(ARTICLES, json=new_article(category_id=category.id)).status_code == 201
    suspend(proposer)
    refused = assert_problem(api_client(proposer).post(ARTICLES, json=new_article(category_id=category.id)), 403)
    assert refused["type"].endswith("/account-suspended")
    assert api_client(proposer).get(ARTICLES).status_code == 200


def test_bad_input_is_a_problem_naming_the_field(api_client, proposer, category):
    client = api_client(proposer)
    assert_problem(client.post(ARTICLES, json=new_article(category_id=category.id, title=12)), 422, "title")
    assert_problem(client.post(ARTICLES, json={"title": "Reset the router", "category_id": category.id}), 422, "body")
    assert_problem(client.post(ARTICLES, json=new_article(category_id=999999)), 422, "category_id")
    assert_problem(client.post(ARTICLES, json=new_article(category_id=category.id, title="Short")), 422, "title")
    assert_problem(client.post(ARTICLES, json=new_article(category_id=category.id, tags="wifi")), 422, "tags")
    assert_problem(client.post(ARTICLES, json=new_article(category_id=category.id, source_thread_id="7")), 422,
                   "source_thread_id")
    assert_problem(client.post(ARTICLES, data="{not json", content_type="application/json"), 400)
    assert_problem(client.post(ARTICLES, data="title=x", content_type="application/x-www-form-urlencoded"), 415)
    assert db.session.query(Article).count() == 0


def test_an_article_from_a_solved_thread_names_its_source(api_client, proposer, solved_thread):
    created = api_client(proposer).post(ARTICLES, json=new_article(category_id=solved_thread.category_id,
                                                                   source_thread_id=solved_thread.id))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["source_thread_id"] == solved_thread.id


def test_a_source_the_caller_may_not_use_is_refused_and_nothing_is_stored(api_client, proposer, make, category):
    unsolved = make.make_thread(title="Still looking for an answer here")
    client = api_client(proposer)
    assert_problem(client.post(ARTICLES, json=new_article(category_id=category.id, source_thread_id=unsolved.id)),
                   422, "source_thread_id")
    assert_problem(client.post(ARTICLES, json=new_article(category_id=category.id, source_thread_id=999999)),
                   422, "source_thread_id")
    assert db.session.query(Article).count() == 0


def test_an_agent_makes_an_article_from_a_resolved_case_and_members_may_not(api_client, make, proposer):
    agent = make.make_user("agent")
    thread = make.make_thread(title="Charged twice for one month", body="Two charges on my card this month.")
    case, _created = cases.escalate_thread(thread.author, thread, "Still charged twice")
    fields = new_article(category_id=thread.category_id, source_case_id=case.id)
    assert_problem(api_client(agent).post(ARTICLES, json=fields), 422, "source_case_id")  # not resolved yet
    cases.resolve_case(agent, case, "The second charge was a pre-authorisation; it falls away in 3 days.")
    assert_problem(api_client(proposer).post(ARTICLES, json=fields), 403)  # members do not work cases
    assert_problem(api_client(agent).post(ARTICLES, json={**fields, "source_case_id": 999999}), 422,
                   "source_case_id")
    created = api_client(agent).post(ARTICLES, json=fields)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["source_case_id"] == case.id
    assert db.session.query(Article).count() == 1


# --- editing and the life cycle --------------------------------------------------------------------------------


def test_the_author_edits_a_draft_as_a_new_version_and_others_may_not(
        api_client, make_article, proposer, other, member):
    draft = make_article(author=proposer)
    url = f"{ARTICLES}/{draft.id}"
    edited = api_client(proposer).patch(url, json={"title": "Fix evening drops on channel 6", "tags": ["wifi"],
                                                   "note": "Clearer title"})
    assert edited.status_code == 200, edited.get_data(as_text=True)
    assert (edited.get_json()["title"], edited.get_json()["tags"], edited.get_json()["version_count"]) == (
        "Fix evening drops on channel 6", ["wifi"], 2)
    assert db.session.query(ArticleVersion).filter_by(article_id=draft.id, number=2).one().note == "Clearer title"
    assert_problem(api_client(other).patch(url, json={"title": "Somebody else's better title"}), 404)
    assert_problem(api_client(member).patch(url, json={"title": "Somebody else's better title"}), 404)
    assert_problem(api_client().patch(url, json={"title": "Somebody else's better title"}), 401)


def test_nobody_but_staff_edits_a_published_article(api_client, make_article, proposer, other, staff):
    published = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    url = f"{ARTICLES}/{published.id}"
    assert_problem(api_client(proposer).patch(url, json={"body": "My own late change."}), 403)
    assert_problem(api_client(other).patch(url, json={"body": "A stranger's change."}), 403)
    changed = api_client(staff).patch(url, json={"body": "Staff keep it current."})
    assert changed.status_code == 200 and changed.get_json()["body"] == "Staff keep it current."


def test_the_author_submits_a_draft_for_review_but_may_not_archive_or_publish_it(
        api_client, make_article, proposer):
    draft = make_article(author=proposer)
    url = f"{ARTICLES}/{draft.id}"
    client = api_client(proposer)
    assert_problem(client.patch(url, json={"status": "archived", "title": "Archived by its own author"}), 403)
    assert db.session.get(Article, draft.id).title == "Fix evening connection drops"  # nothing half applied
    problem = assert_problem(client.patch(url, json={"status": "published"}), 422, "status")
    assert "/publish" in problem["errors"]["status"][0]
    moved = client.patch(url, json={"status": "in_review", "body": "Use channel 11, not 6."})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert (moved.get_json()["status"], moved.get_json()["body"]) == ("in_review", "Use channel 11, not 6.")
    assert_problem(client.post(f"{url}/publish"), 403)


def test_staff_send_an_article_back_to_draft_with_a_note_the_author_receives(
        api_client, make_article, proposer, staff):
    reviewed = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    sent_back = api_client(staff).patch(f"{ARTICLES}/{reviewed.id}",
                                        json={"status": "draft", "note": "Add a screenshot of the settings."})
    assert sent_back.status_code == 200 and sent_back.get_json()["status"] == "draft"
    [note] = db.session.query(Notification).filter_by(user_id=proposer.id).all()
    assert "Add a screenshot of the settings." in note.message


def test_staff_archive_a_published_article_as_withdrawn(api_client, make_article, proposer, staff):
    published = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    url = f"{ARTICLES}/{published.id}"
    assert_problem(api_client(staff).patch(url, json={"withdrawn": True}), 422, "withdrawn")
    assert_problem(api_client(staff).patch(url, json={"status": "archived", "withdrawn": "yes"}), 422, "withdrawn")
    archived = api_client(staff).patch(url, json={"status": "archived", "withdrawn": True, "note": "Wrong advice"})
    assert archived.status_code == 200 and archived.get_json()["status"] == "archived"
    assert archived.get_json()["archived_at"] == "2026-11-20T09:00:00Z"
    assert_problem(api_client(staff).patch(url, json={"status": "draft"}), 409)  # only from in review


def test_a_patch_with_bad_fields_is_a_422_and_a_suspended_author_is_read_only(
        api_client, make_article, proposer):
    draft = make_article(author=proposer)
    url = f"{ARTICLES}/{draft.id}"
    client = api_client(proposer)
    assert_problem(client.patch(url, json={"title": ["not", "text"]}), 422, "title")
    assert_problem(client.patch(url, json={"status": "gone"}), 422, "status")
    assert_problem(client.patch(url, json={"category_id": 0}), 422, "category_id")
    assert_problem(client.patch(url, data="[1,", content_type="application/json"), 400)
    assert_problem(client.patch(f"{ARTICLES}/999999", json={"title": "An article that is not there"}), 404)
    suspend(proposer)
    refused = assert_problem(client.patch(url, json={"status": "in_review"}), 403)
    assert refused["type"].endswith("/account-suspended")
    assert db.session.get(Article, draft.id).status == "draft"


# --- publishing ------------------------------------------------------------------------------------------------


def test_staff_publish_and_everyone_else_is_refused(api_client, make_article, proposer, other, staff):
    draft = make_article(author=proposer)
    url = f"{ARTICLES}/{draft.id}/publish"
    assert_problem(api_client().post(url), 401)
    assert_problem(api_client(other).post(url), 404)
    assert_problem(api_client(proposer).post(url), 403)
    assert_problem(api_client(staff).post(url, data="{", content_type="application/json"), 400)
    published = api_client(staff).post(url)
    assert published.status_code == 200, published.get_data(as_text=True)
    assert (published.get_json()["status"], published.get_json()["published_at"]) == (
        "published", "2026-11-20T09:00:00Z")
    assert ids(api_client().get(ARTICLES)) == [draft.id]
    assert_problem(api_client(staff).post(url), 409)
    assert_problem(api_client(staff).post(f"{ARTICLES}/999999/publish"), 404)


# --- feedback --------------------------------------------------------------------------------------------------


def test_feedback_counts_once_per_member_and_a_second_answer_changes_it(
        api_client, make_article, member, other):
    article = make_article(status=ArticleStatus.PUBLISHED)
    url = f"{ARTICLES}/{article.id}/feedback"
    first = api_client(member).post(url, json={"helpful": True, "comment": "Channel 11 fixed it."})
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json() == {"helpful_count": 1, "not_helpful_count": 0, "helpful": True,
                                "comment": "Channel 11 fixed it."}
    changed = api_client(member).post(url, json={"helpful": False})
    assert changed.status_code == 201
    assert changed.get_json() == {"helpful_count": 0, "not_helpful_count": 1, "helpful": False, "comment": ""}
    another = api_client(other).post(url, json={"helpful": True})
    assert (another.get_json()["helpful_count"], another.get_json()["not_helpful_count"]) == (1, 1)
    assert db.session.query(ArticleFeedback).filter_by(article_id=article.id).count() == 2
    shown = api_client().get(f"{ARTICLES}/{article.id}").get_json()
    assert (shown["helpful_count"], shown["not_helpful_count"]) == (1, 1)


def test_feedback_needs_a_signed_in_member_a_boolean_and_a_published_article(
        api_client, make_article, proposer, member):
    article = make_article(status=ArticleStatus.PUBLISHED)
    draft = make_article(author=proposer, title="Not published yet, no feedback")
    url = f"{ARTICLES}/{article.id}/feedback"
    client = api_client(member)
    assert_problem(api_client().post(url, json={"helpful": True}), 401)
    assert_problem(client.post(url, json={"helpful": "yes"}), 422, "helpful")
    assert_problem(client.post(url, json={"comment": "No answer given"}), 422, "helpful")
    assert_problem(client.post(url, json={"helpful": True, "comment": "x" * 2001}), 422, "comment")
    assert_problem(client.post(url, data="{", content_type="application/json"), 400)
    assert_problem(api_client(proposer).post(f"{ARTICLES}/{draft.id}/feedback", json={"helpful": True}), 404)
    assert_problem(client.post(f"{ARTICLES}/999999/feedback", json={"helpful": True}), 404)
    suspend(member)
    assert_problem(client.post(url, json={"helpful": True}), 403)
    assert db.session.query(ArticleFeedback).count() == 0


# --- rate limits -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("limits_on")
def test_proposals_count_like_new_questions_and_refusals_do_not_count(api_client, proposer, category):
    client = api_client(proposer)  # an account in its first day: three a day, as for questions
    assert_problem(client.post(ARTICLES, json=new_article(category_id=999999)), 422, "category_id")
    answers = [client.post(ARTICLES, json=new_article(category_id=category.id)).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    refused = client.post(ARTICLES, json=new_article(category_id=category.id))
    assert int(refused.headers["Retry-After"]) >= 1 and db.session.query(Article).count() == 3


# --- the OpenAPI description -----------------------------------------------------------------------------------


def test_the_openapi_document_describes_every_article_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/articles"]) == {"get", "post"}
    assert set(paths["/articles/{article_id}"]) == {"get", "patch"}
    assert set(paths["/articles/{article_id}/publish"]) == {"post"}
    assert set(paths["/articles/{article_id}/feedback"]) == {"post"}
    created = paths["/articles"]["post"]
    assert created["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "title", "body", "category_id"]
    assert created["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Article"}
    article = document["components"]["schemas"]["Article"]
    assert API_FIELDS <= set(article["required"]) and EXTRA_FIELDS <= set(article["properties"])
    feedback = paths["/articles/{article_id}/feedback"]["post"]
    assert feedback["requestBody"]["content"]["application/json"]["schema"]["required"] == ["helpful"]
    assert {"401", "404", "422"} <= set(feedback["responses"])
    listed = {p["name"] for p in paths["/articles"]["get"]["parameters"]}
    assert {"category", "tag", "status", "limit", "cursor"} <= listed
