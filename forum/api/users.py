"""Users: registration, public profiles and the caller's own account."""

from __future__ import annotations

from forum.api import bp, serializers
from forum.api.requests import field, json_body, signed_in_user
from forum.services import accounts


@bp.post("/users")
def register_user():
    data = json_body()
    user = accounts.register_user(
        accounts.Registration(
            username=field(data, "username", str),
            email=field(data, "email", str),
            password=field(data, "password", str),
            display_name=field(data, "display_name", str, required=False, default=""),
        )
    )
    return serializers.user(user), 201


@bp.get("/users/<id:user_id>")
def show_user(user_id: int):
    return serializers.user(accounts.get_user(user_id))


@bp.get("/me")
def show_me():
    user = signed_in_user()
    return {**serializers.user(user), "email": user.email, "notifications_unread": 0}
