"""Posts: editing with revision history, and soft deletion."""

from __future__ import annotations

from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user, viewer
from forum.services import posting, reading


@bp.patch("/posts/<id:post_id>")
def edit_post(post_id: int):
    user = signed_in_user()
    post = reading.get_post(user, post_id)
    post = posting.edit_post(user, post, field(json_body(), "body", str))
    return serializers.post(post, user)


@bp.get("/posts/<id:post_id>/revisions")
def list_revisions(post_id: int):
    caller = viewer()
    post = reading.get_post(caller, post_id)
    return serializers.items([serializers.revision(rev) for rev in reading.post_revisions(caller, post)])


@bp.delete("/posts/<id:post_id>")
def delete_post(post_id: int):
    user = signed_in_user()
    posting.delete_post(user, reading.get_post(user, post_id))
    return "", 204
