"""Users: registration, public profiles and the caller's own account."""

from __future__ import annotations

from typing import Any

from forum.accounts import members
from forum.core.errors import ErrorCollector, Forbidden, Invalid
from forum.core.i18n import _
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user
from forum.http.standing import open_while, refusal
from forum.models import User
from forum.services import notifications
from forum.services.permissions import Action, Restriction, can


@bp.post("/users")
def register_user():
    data = json_body()
    user = members.register_user(
        members.Registration(
            username=field(data, "username", str),
            email=field(data, "email", str),
            password=field(data, "password", str),
            display_name=field(data, "display_name", str, required=False, default=""),
        )
    )
    return serializers.user(user), 201


@bp.get("/users/<id:user_id>")
def show_user(user_id: int):
    return serializers.user(members.get_user(user_id))


def _me(user: User) -> dict[str, Any]:
    return serializers.me(user, notifications.unread_count(user))


@bp.get("/me")
def show_me():
    return _me(signed_in_user())


PROFILE_FIELDS = {"display_name": str, "bio": str, "time_zone": str}
EMAIL_FIELDS = {"email_frequency": str, "weekly_digest": bool}


@bp.patch("/me")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def update_me():
    """Change the caller's profile and email preferences; fields left out keep their value.

    Everything is checked before anything is saved, so a 422 changes nothing. Open while suspended for
    the email preferences alone (they only decide what reaches the caller's own inbox); the public
    profile is refused then, as every write is (403 account-suspended), and nothing is saved.
    """
    user = signed_in_user()
    data = json_body()
    if data.keys() & PROFILE_FIELDS.keys() and not can(user, Action.USER_EDIT, user):
        raise refusal(user) or Forbidden(_("You may not change this profile."))
    errors = ErrorCollector()
    given: dict[str, Any] = {}
    for name, kind in {**PROFILE_FIELDS, **EMAIL_FIELDS}.items():
        try:
            value = field(data, name, kind, required=False)
        except Invalid as exc:
            for message in exc.errors[name]:
                errors.add(name, message)
            continue
        if value is not None:
            given[name] = value
    frequency = given.get("email_frequency", user.email_frequency)
    if frequency not in notifications.EMAIL_FREQUENCIES:
        errors.add("email_frequency",
                   _("Choose one of: %(choices)s.", choices=", ".join(notifications.EMAIL_FREQUENCIES)))
    errors.raise_if_any()
    if given.keys() & PROFILE_FIELDS.keys():
        members.update_profile(user, user, members.ProfileChange(
            display_name=given.get("display_name", user.display_name),
            bio=given.get("bio", user.bio),
            time_zone=given.get("time_zone", user.time_zone),
        ))
    if given.keys() & EMAIL_FIELDS.keys():
        notifications.set_email_preferences(user, frequency, given.get("weekly_digest", user.weekly_digest))
    return _me(user)
