"""GET /openapi.json: a valid-looking OpenAPI 3.1 document that matches the routes that exist."""

from __future__ import annotations

import re

import pytest
from flask import Flask

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served_routes(app: Flask) -> dict[str, set[str]]:
    """Every /api/v1 URL rule as an OpenAPI path ("/threads/{thread_id}") with its methods."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - IGNORED_METHODS)
    return routes


@pytest.fixture
def spec(client) -> dict:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_openapi_3_1_with_the_core_schemas(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": PREFIX}]
    schemas = spec["components"]["schemas"]
    assert {"User", "Category", "Thread", "Post", "Problem", "ThreadList", "PostList", "CategoryList"} <= set(schemas)
    assert spec["components"]["securitySchemes"]["bearer"] == {
        **spec["components"]["securitySchemes"]["bearer"], "type": "http", "scheme": "bearer"}


def test_every_route_is_documented_with_the_same_methods(app, spec):
    documented = {path: set(ops) for path, ops in spec["paths"].items()}
    assert documented == served_routes(app)


def operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_path_parameters_are_declared(spec):
    for path, method, op in operations(spec):
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"


def test_errors_are_documented_as_problem_json(spec):
    for path, method, op in operations(spec):
        assert op["summary"] and op["responses"], f"{method} {path}"
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                schema = answer["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, f"{method} {path} {status}"


# Writes that take no body: the path says it all (they answer no 415 or 422 either).
BODYLESS_WRITES = {
    ("post", "/threads/{thread_id}/me-too"),
    ("post", "/threads/{thread_id}/subscription"),
    ("post", "/posts/{post_id}/votes"),
}


def test_writes_document_bodies_and_their_failures(spec):
    for path, method, op in operations(spec):
        if (method, path) in BODYLESS_WRITES:
            assert "requestBody" not in op and {"400", "401"} <= set(op["responses"]), f"{method} {path}"
        elif method in ("post", "patch", "put") and path != "/tokens/current":
            # JSON, a file upload (POST /uploads) as multipart/form-data, or a raw email (mail/inbound)
            assert {"application/json", "multipart/form-data", "message/rfc822"} & set(op["requestBody"]["content"]), \
                f"{method} {path}"
            assert {"400", "415", "422"} <= set(op["responses"]), f"{method} {path}"


def test_the_new_qa_routes_are_described(spec):
    paths = spec["paths"]
    assert set(paths["/threads/{thread_id}/accepted"]) == {"put", "delete"}
    assert paths["/threads/{thread_id}/accepted"]["put"]["requestBody"]["content"]["application/json"]["schema"][
        "required"] == ["post_id"]
    assert "409" in paths["/threads/{thread_id}/accepted"]["put"]["responses"]
    assert paths["/notifications/read"]["post"]["requestBody"]["required"] is False
    assert "votes" in next(p for p in paths["/threads"]["get"]["parameters"] if p["name"] == "sort")["schema"]["enum"]
    reply_sorts = next(p for p in paths["/threads/{thread_id}/posts"]["get"]["parameters"] if p["name"] == "sort")
    assert reply_sorts["schema"]["enum"] == ["oldest", "votes"]
    assert {"Notification", "NotificationList", "Feedback", "VoteCount", "MeTooCount"} <= set(
        spec["components"]["schemas"])


def test_every_reference_resolves(spec):
    text = str(spec)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in spec["components"]["schemas"], name


def test_list_routes_document_paging_parameters(spec):
    for path in ("/threads", "/threads/{thread_id}/posts", "/notifications"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"limit", "cursor"} <= names
