"""Assertions shared by the API tests: problem+json answers and walking cursor pages."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def assert_problem(response: TestResponse, status: int, field: str | None = None) -> dict:
    """The response is an RFC 9457 problem with this status (and an error message for field)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == status
    assert problem["type"].startswith("https://") and problem["title"] and problem["detail"]
    if field is not None:
        messages = problem["errors"][field]
        assert messages and all(isinstance(m, str) and m for m in messages)
    return problem


def walk_pages(client: FlaskClient, url: str, limit: int = 2, **params: str) -> list[list[dict]]:
    """Every page of a cursor-paginated list, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        response = client.get(url, query_string={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.get_json()["items"])
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "pagination does not end"
