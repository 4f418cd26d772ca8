"""GET /categories (anyone) and POST /categories (admins)."""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from tests.api.support import assert_problem

NEW_CATEGORY = {"slug": "billing", "name": "Billing", "description": "Invoices and refunds."}


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
def test_anyone_lists_categories_in_order_with_live_thread_counts(call_as, make, who):
    second = make.make_category(name="Second", position=2)
    first = make.make_category(name="First", position=1)
    make.make_thread(category=first)
    make.make_thread(category=first)
    make.make_thread(category=first).visibility = "pending"  # waiting for approval: not counted yet
    db.session.commit()
    response = call_as(who).get("/api/v1/categories")
    assert response.status_code == 200
    listed = [c for c in response.get_json()["items"] if c["id"] in {first.id, second.id}]
    assert [c["name"] for c in listed] == ["First", "Second"]
    assert listed[0]["thread_count"] == 2 and listed[1]["thread_count"] == 0
    assert set(listed[0]) >= {"id", "slug", "name", "description", "thread_count"}
    assert response.get_json()["next_cursor"] is None


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("moderator", 403),
                                             ("agent", 403), ("admin", 201)])
def test_only_admins_create_categories(call_as, who, status):
    response = call_as(who).post("/api/v1/categories", json=NEW_CATEGORY)
    assert response.status_code == status
    if status == 201:
        assert response.get_json() | NEW_CATEGORY == response.get_json()
        assert response.get_json()["thread_count"] == 0
    else:
        assert_problem(response, status)


def test_refused_callers_learn_nothing_from_validation(call_as):
    assert_problem(call_as("member").post("/api/v1/categories", json={}), 403)


def test_a_duplicate_slug_is_a_409(call_as, make):
    make.make_category(slug="billing")
    assert_problem(call_as("admin").post("/api/v1/categories", json=NEW_CATEGORY), 409, "slug")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": None}, "slug"),
        ({"slug": 7}, "slug"),
        ({"name": "   "}, "name"),
        ({"name": "\u200b\u200d\ufeff"}, "name"),  # only invisible characters
        ({"name": "x" * 81}, "name"),
        ({"name": ["Billing"]}, "name"),
        ({"description": 12}, "description"),
        ({"position": "first"}, "position"),
        ({"position": True}, "position"),
        ({"position": 10**12}, "position"),
    ],
)
def test_bad_category_fields_are_a_422_naming_the_field(call_as, change, field):
    assert_problem(call_as("admin").post("/api/v1/categories", json={**NEW_CATEGORY, **change}), 422, field)
