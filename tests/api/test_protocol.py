"""Cross-cutting HTTP rules of every write route: JSON bodies, content types, sizes, CSRF, problem+json."""

from __future__ import annotations

import base64
import json

import pytest

from forum import accounts
from tests.api.support import assert_problem

# (method, path) of every route that reads a JSON body; {thread} and {post} are filled per test.
WRITE_ROUTES = [
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/categories"),
    ("POST", "/api/v1/threads"),
    ("PATCH", "/api/v1/threads/{thread}"),
    ("POST", "/api/v1/threads/{thread}/posts"),
    ("PATCH", "/api/v1/posts/{post}"),
    ("PATCH", "/api/v1/settings"),
    ("PATCH", "/api/v1/me"),
    ("PUT", "/api/v1/threads/{thread}/accepted"),
    ("POST", "/api/v1/threads/{thread}/feedback"),
    ("POST", "/api/v1/threads/{thread}/needs-info"),
    ("POST", "/api/v1/notifications/read"),
]
# Writes without a body (the URL says it all).
ACTION_ROUTES = [
    ("DELETE", "/api/v1/threads/{thread}/accepted"),
    ("POST", "/api/v1/threads/{thread}/me-too"),
    ("DELETE", "/api/v1/threads/{thread}/me-too"),
    ("POST", "/api/v1/threads/{thread}/subscription"),
    ("DELETE", "/api/v1/threads/{thread}/subscription"),
    ("DELETE", "/api/v1/threads/{thread}/needs-info"),
    ("POST", "/api/v1/posts/{post}/votes"),
    ("DELETE", "/api/v1/posts/{post}/votes"),
]


@pytest.fixture
def url(make, cast):
    thread = make.make_thread(author=cast["admin"], replies=1)
    post = make.make_reply(thread, author=cast["admin"])
    return lambda path: path.format(thread=thread.id, post=post.id)


@pytest.fixture
def admin_api(call_as):
    return call_as("admin")


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_malformed_json_is_a_400(admin_api, url, method, path):
    response = admin_api.open(url(path), method=method, data="{not json", content_type="application/json")
    assert "JSON" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_a_non_json_body_is_a_415(admin_api, url, method, path):
    response = admin_api.open(url(path), method=method, data="body=hi",
                              content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
@pytest.mark.parametrize("payload", [[1, 2], "text", 42, None])
def test_json_that_is_not_an_object_is_a_422(admin_api, url, method, path, payload):
    response = admin_api.open(url(path), method=method, data=json.dumps(payload), content_type="application/json")
    assert_problem(response, 422, "body")


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_a_body_over_the_size_limit_is_a_413(admin_api, url, app, method, path):
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = admin_api.open(url(path), method=method, json={"body": huge, "title": huge})
    assert_problem(response, 413)


SIGNED_IN_WRITES = [route for route in WRITE_ROUTES if route[1] not in ("/api/v1/tokens", "/api/v1/users")]


@pytest.mark.parametrize(("method", "path"), SIGNED_IN_WRITES + ACTION_ROUTES + [("DELETE", "/api/v1/posts/{post}")])
def test_anonymous_writes_are_a_401_before_anything_else(call_as, url, method, path):
    response = call_as("anonymous").open(url(path), method=method, data="{not json", content_type="application/json")
    assert_problem(response, 401)


def test_cookie_writes_need_the_csrf_header(client, login_as, make):
    category = make.make_category()
    login_as(make.make_user())
    body = {"category_id": category.id, "title": "Posting from the web page", "body": "Hello from the site."}
    refused = client.post("/api/v1/threads", json=body, csrf=False)
    assert "CSRF" in assert_problem(refused, 400)["detail"]
    assert client.get("/api/v1/threads", query_string={"category": category.id}).get_json()["items"] == []
    assert client.post("/api/v1/threads", json=body).status_code == 201


@pytest.mark.parametrize(("method", "path"), ACTION_ROUTES)
def test_cookie_actions_need_the_csrf_header(client, login_as, make, method, path):
    thread = make.make_thread(replies=1)
    post = make.make_reply(thread)
    login_as(make.make_user(role="admin"))
    response = client.open(path.format(thread=thread.id, post=post.id), method=method, csrf=False)
    assert "CSRF" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(("method", "path"), ACTION_ROUTES)
def test_read_only_tokens_cannot_act(app, make, method, path):
    thread = make.make_thread(replies=1)
    post = make.make_reply(thread)
    client = app.test_client()
    token = accounts.create_api_token(make.make_user(role="admin"), name="reader", scope="read")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert_problem(client.open(path.format(thread=thread.id, post=post.id), method=method), 403)


def test_bearer_writes_need_no_csrf_header(call_as, make):
    category = make.make_category()
    body = {"category_id": category.id, "title": "Posting from a bot", "body": "Hello from the helpdesk."}
    assert call_as("member").post("/api/v1/threads", json=body).status_code == 201


def test_unknown_api_paths_and_methods_answer_problem_json(call_as, db):
    api = call_as("member")
    assert_problem(api.get("/api/v1/no-such-thing"), 404)
    assert_problem(api.put("/api/v1/threads", json={}), 405)


# --- unexpected failures --------------------------------------------------------------------------


@pytest.fixture
def failing(app, monkeypatch):
    """Replace a view with one that crashes, and let Flask handle the crash as in production."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def crash(endpoint: str) -> None:
        def boom(**_kwargs):
            raise RuntimeError("a bug, not bad input")

        monkeypatch.setitem(app.view_functions, endpoint, boom)

    return crash


def test_an_unexpected_api_failure_is_a_problem_json_500(call_as, cast, failing):
    failing("api.show_user")
    response = call_as("member").get(f"/api/v1/users/{cast['member'].id}")
    problem = assert_problem(response, 500)
    assert "bug" not in response.get_data(as_text=True)  # no internals leak
    assert problem["title"] == "Internal server error"


def test_an_unexpected_web_failure_keeps_the_html_error_page(client, failing):
    failing("home.index")
    response = client.get("/")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "bug" not in response.get_data(as_text=True)


def test_deeply_nested_json_is_a_400_not_a_crash(app, db):
    response = app.test_client().post(
        "/api/v1/tokens", data="[" * 50_000 + "]" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_deeply_nested_cursor_is_a_422(app, db):
    cursor = base64.urlsafe_b64encode(("[" * 3000 + "]" * 3000).encode()).decode()
    response = app.test_client().get("/api/v1/threads", query_string={"cursor": cursor[:150]})
    assert response.status_code == 422
    nested = base64.urlsafe_b64encode(("[" * 60 + "]" * 60).encode()).decode()
    assert app.test_client().get("/api/v1/threads", query_string={"cursor": nested}).status_code == 422


def test_a_bearer_token_decides_the_caller_even_beside_a_session_cookie(client, login_as, make):
    member = make.make_user()
    login_as(member)
    bad = client.post("/api/v1/threads", json={}, headers={"Authorization": "Bearer nonsense"}, csrf=False)
    assert bad.status_code == 401
