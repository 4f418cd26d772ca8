"""The API keeps the pages' rules on writing (issue 18, item 5): warnings[] and "check_only".

The personal-data guard and the similar-solved-questions check ran only on the ask and reply
pages; an API client published card numbers without a word. Now POST /threads, POST
/threads/{id}/posts and PATCH /posts/{id} add warnings[] to what they answer, and with
"check_only": true answer 409 with the findings (or 200 {warnings: []}) and store nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.core.extensions import db
from forum.models import Post, PostRevision, Thread
from forum.services import qa, reading
from tests.api.support import assert_problem
from tests.search import conftest as search_fixtures

# A real index, as in the search tests (each backend the database offers).
search_backend, search_index = search_fixtures.search_backend, search_fixtures.search_index
CARD = "4111 1111 1111 1111"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def category(make):
    return make.make_category(name="Billing", slug="billing")


def ask(category, **extra) -> dict:
    return {"category_id": category.id, "title": "Charged twice this month", "body": "Why?", **extra}


def only_warning(body: dict, kind: str) -> dict:
    assert [w["type"] for w in body["warnings"]] == [kind], body["warnings"]
    warning = body["warnings"][0]
    assert warning["detail"]
    return warning


# --- personal data ---------------------------------------------------------------------------------

def test_asking_with_a_card_number_is_stored_with_a_personal_data_warning(call_as, category):
    response = call_as("author").post("/api/v1/threads", json=ask(category, body=f"My card {CARD} was charged."))
    assert response.status_code == 201
    warning = only_warning(response.get_json(), "personal_data")
    assert warning["findings"] == [{"kind": "card", "label": "a card number", "masked": "••• 1111"}]
    assert CARD not in str(warning)  # shown masked, never repeated


def test_a_clean_question_answers_an_empty_warnings_list(call_as, category):
    response = call_as("author").post("/api/v1/threads", json=ask(category, body="Order #100234567 failed."))
    assert response.status_code == 201 and response.get_json()["warnings"] == []


def test_check_only_with_personal_data_is_409_listing_it_and_stores_nothing(call_as, category):
    before = count(Thread)
    response = call_as("author").post("/api/v1/threads",
                                      json=ask(category, body="Mail me: jane@example.com", check_only=True))
    problem = assert_problem(response, 409)
    assert only_warning(problem, "personal_data")["findings"][0]["masked"] == "j•••@example.com"
    assert count(Thread) == before


def test_check_only_without_findings_is_200_with_no_warnings_and_stores_nothing(call_as, category):
    before = count(Thread)
    response = call_as("author").post("/api/v1/threads", json=ask(category, check_only=True))
    assert response.status_code == 200 and response.get_json() == {"warnings": []}
    assert count(Thread) == before


def test_check_only_is_still_a_signed_in_write_and_must_be_a_boolean(call_as, category):
    assert_problem(call_as("anonymous").post("/api/v1/threads", json=ask(category, check_only=True)), 401)
    assert_problem(call_as("author").post("/api/v1/threads", json=ask(category, check_only="yes")), 422, "check_only")


def test_a_reply_with_an_email_address_is_warned_and_check_only_posts_nothing(call_as, cast, make):
    thread = make.make_thread(author=cast["author"])
    client = call_as("helper")
    url = f"/api/v1/threads/{thread.id}/posts"
    assert_problem(client.post(url, json={"body": "Write to me at helper@example.org", "check_only": True}), 409)
    assert thread.reply_count == 0 and count(Post) == 1
    response = client.post(url, json={"body": "Write to me at helper@example.org"})
    assert response.status_code == 201
    assert only_warning(response.get_json(), "personal_data")["findings"][0]["kind"] == "email"
    assert client.post(url, json={"body": "Try channel 6.", "check_only": True}).get_json() == {"warnings": []}


def test_check_only_on_a_locked_thread_is_refused_like_the_reply(call_as, cast, make):
    thread = make.make_thread(author=cast["author"])
    call_as("moderator").patch(f"/api/v1/threads/{thread.id}", json={"locked": True})
    response = call_as("helper").post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Hi", "check_only": True})
    assert_problem(response, 403)


def test_an_edit_adding_a_phone_number_is_warned_and_check_only_changes_nothing(call_as, cast, make):
    thread = make.make_thread(author=cast["author"])
    post = make.make_reply(thread, author=cast["helper"])
    client = call_as("helper")
    url = f"/api/v1/posts/{post.id}"
    new_body = "Call me on +44 20 7946 0958 tonight."
    assert_problem(client.patch(url, json={"body": new_body, "check_only": True}), 409)
    db.session.refresh(post)
    assert post.body != new_body and count(PostRevision) == 0
    response = client.patch(url, json={"body": new_body})
    assert response.status_code == 200 and response.get_json()["body"] == new_body
    assert only_warning(response.get_json(), "personal_data")["findings"][0]["kind"] == "phone"


def test_someone_who_may_not_edit_gets_no_findings(call_as, cast, make):
    post = make.make_reply(make.make_thread(author=cast["author"]), author=cast["helper"])
    response = call_as("other").patch(f"/api/v1/posts/{post.id}", json={"body": f"{CARD}", "check_only": True})
    assert_problem(response, 403)


# --- similar solved questions ----------------------------------------------------------------------

@pytest.fixture
def solved(make, search_index):
    """A solved thread in a real index."""
    thread = make.make_thread(title="Router firmware update fails",
                              body="The update stops halfway and the lights blink orange.")
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Use the recovery button."))
    search_index()
    return thread


def test_asking_what_was_solved_before_warns_with_the_solved_thread(call_as, solved):
    data = {"category_id": solved.category_id, "title": "Router firmware update fails at 40%",
            "body": "It stops every time."}
    before = count(Thread)
    problem = assert_problem(call_as("author").post("/api/v1/threads", json={**data, "check_only": True}), 409)
    similar = only_warning(problem, "similar_questions")["threads"]
    assert [t["id"] for t in similar] == [solved.id] and similar[0]["url"].startswith(f"/t/{solved.id}/")
    assert count(Thread) == before
    response = call_as("author").post("/api/v1/threads", json=data)
    assert response.status_code == 201
    assert only_warning(response.get_json(), "similar_questions")["threads"][0]["id"] == solved.id


def test_renaming_a_thread_lists_other_solved_questions_but_never_itself(call_as, cast, make, solved, search_index):
    mine = make.make_thread(author=cast["author"], category=solved.category, title="My modem keeps restarting")
    search_index()
    client = call_as("author")
    response = client.patch(f"/api/v1/threads/{mine.id}",
                            json={"title": "Router firmware update fails again", "check_only": True})
    assert [t["id"] for t in only_warning(assert_problem(response, 409), "similar_questions")["threads"]] == [solved.id]
    db.session.refresh(mine)
    assert mine.title == "My modem keeps restarting"
    response = call_as("moderator").patch(f"/api/v1/threads/{solved.id}",
                                          json={"title": "Router firmware update fails (fixed)", "check_only": True})
    assert response.status_code == 200 and response.get_json() == {"warnings": []}


def test_a_title_with_an_email_address_is_warned(call_as, cast, make):
    mine = make.make_thread(author=cast["author"], title="My modem keeps restarting")
    response = call_as("author").patch(f"/api/v1/threads/{mine.id}",
                                       json={"title": "Write to jo.smith@example.com about my modem"})
    assert response.status_code == 200
    assert only_warning(response.get_json(), "personal_data")["findings"][0]["kind"] == "email"


def test_rewording_a_question_body_does_not_ask_about_similar_questions_again(call_as, cast, make, solved):
    mine = make.make_thread(author=cast["author"], category=solved.category, title="Router firmware update fails again")
    question = reading.question_post(mine)
    response = call_as("author").patch(f"/api/v1/posts/{question.id}",
                                       json={"body": "Still stuck.", "check_only": True})
    assert response.status_code == 200 and response.get_json() == {"warnings": []}


def test_the_openapi_document_describes_warnings_and_check_only(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method in [("/threads", "post"), ("/threads/{thread_id}/posts", "post"), ("/posts/{post_id}", "patch")]:
        op = spec["paths"][path][method]
        assert "check_only" in op["requestBody"]["content"]["application/json"]["schema"]["properties"]
        assert "409" in op["responses"] and "200" in op["responses"]
    assert "WriteWarning" in spec["components"]["schemas"]
