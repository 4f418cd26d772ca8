"""The caller's notifications: the newest-first list, and marking some or all read."""

from __future__ import annotations

from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import id_list, optional_json_body, page_params, signed_in_user
from forum.http.standing import open_while
from forum.services import notifications
from forum.services.permissions import Restriction


@bp.get("/notifications")
def list_notifications():
    user = signed_in_user()
    limit, cursor = page_params()
    return serializers.page(notifications.list_notifications(user, limit, cursor), serializers.notification)


@bp.post("/notifications/read")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def mark_notifications_read():
    """{"ids": [...]} marks those (the caller's own only: any other id is a 404); no ids marks every one read.

    Open while suspended: it changes only the caller's own inbox, which nobody else sees.

    Idempotent: marking read notifications again is a 200 with changed 0 (marked is its older name).
    """
    user = signed_in_user()
    ids = id_list(optional_json_body(), "ids")
    changed = notifications.mark_read(user, ids)
    return {"changed": changed, "marked": changed, "unread": notifications.unread_count(user)}
