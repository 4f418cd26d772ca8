"""Posts: editing with revision history, and soft deletion.

A moderator editing or deleting someone else's post sends a reason (in the PATCH body, or in a
JSON body on the DELETE): 422 without one. Authors need none, and may DELETE with no body at all.
"""

from __future__ import annotations

from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, optional_json_body, signed_in_user, viewer
from forum.http.write_warnings import check_answer, wants_check_only, with_warnings
from forum.services import posting, reading, write_checks
from forum.services.permissions import Action, require


@bp.patch("/posts/<id:post_id>")
def edit_post(post_id: int):
    user = signed_in_user()
    post = reading.get_post(user, post_id)
    data = json_body()
    check_only = wants_check_only(data)
    body = field(data, "body", str)
    findings = write_checks.for_edit(post, body)
    if check_only:
        require(user, Action.POST_EDIT, post)
        return check_answer(findings)
    reason = field(data, "reason", str, required=False, default="")
    return with_warnings(serializers.post(posting.edit_post(user, post, body, reason=reason), user), findings)


@bp.get("/posts/<id:post_id>/revisions")
def list_revisions(post_id: int):
    caller = viewer()
    post = reading.get_post(caller, post_id)
    return serializers.items([serializers.revision(rev) for rev in reading.post_revisions(caller, post)])


@bp.delete("/posts/<id:post_id>")
def delete_post(post_id: int):
    user = signed_in_user()
    post = reading.get_post(user, post_id)
    reason = field(optional_json_body(), "reason", str, required=False, default="")
    posting.delete_post(user, post, reason=reason)
    return "", 204
