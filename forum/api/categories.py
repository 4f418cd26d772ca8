"""Categories: the public list, and creation by admins."""

from __future__ import annotations

from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user
from forum.services import categories
from forum.services.permissions import Action, require


@bp.get("/categories")
def list_categories():
    rows = categories.list_categories()
    return serializers.items([serializers.category(category, count) for category, count in rows])


@bp.post("/categories")
def create_category():
    user = signed_in_user()
    require(user, Action.CATEGORY_MANAGE)  # refuse before reading the body: a member learns nothing from 422s
    data = json_body()
    category = categories.create_category(
        user,
        categories.CategoryInput(
            slug=field(data, "slug", str),
            name=field(data, "name", str),
            description=field(data, "description", str, required=False, default=""),
            position=field(data, "position", int, required=False, default=0),
            kind=field(data, "kind", str, required=False, default=None),
        ),
    )
    return serializers.category(category, 0), 201
