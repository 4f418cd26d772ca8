"""Community settings for admins: one flat {key: value} object, read and patched whole."""

from __future__ import annotations

from forum.http.api import bp
from forum.http.api_requests import json_body, signed_in_user, viewer
from forum.services import community_settings
from forum.services.permissions import Action, require


@bp.get("/settings")
def show_settings():
    require(viewer(), Action.SETTINGS_MANAGE)
    return community_settings.all_settings()


@bp.patch("/settings")
def update_settings():
    user = signed_in_user()
    require(user, Action.SETTINGS_MANAGE)
    return community_settings.update_settings(user, json_body())
