"""Ignoring members from the pages: the Ignore / Stop ignoring button on a profile, and the list of whom you ignore.

Plain forms (CSRF checked for every POST by the app), so they work without JavaScript. Both buttons need
an active account: a suspended member is refused by forum.http.standing before the view runs (the
permission rule would refuse too), and the profile shows no button to an account that may not use it.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.accounts import blocks, members
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import errors_in_one_line
from forum.models import User

bp = Blueprint("blocks", __name__, url_prefix="/settings/ignored")


@bp.app_template_global("ignores_member")
def ignores_member(user: User) -> bool:
    """Whether the signed-in member ignores user (the profile's button says which way it goes)."""
    return current_user.is_authenticated and blocks.ignores(current_user.id, user.id)


@bp.get("")
@login_required
def index():
    return render_template("blocks/index.html", ignored=blocks.ignored_by(acting_user()))


def _back(target: User):
    """To the list when the button was on it, otherwise to the member's profile."""
    if request.form.get("back") == "list":
        return redirect(url_for("blocks.index"))
    return redirect(url_for("users.show", username=target.username))


@bp.post("/<id:user_id>")
@login_required
def ignore(user_id: int):
    target = members.get_user(user_id)
    try:
        changed = blocks.ignore(acting_user(), target)
    except Invalid as exc:
        flash(errors_in_one_line(exc), "error")
        return _back(target)
    report(changed, _("You now ignore %(name)s: their posts are collapsed for you and they can no longer "
                      "notify you or start a conversation with you.", name=target.name),
           _("you already ignored %(name)s.", name=target.name))
    return _back(target)


@bp.post("/<id:user_id>/remove")
@login_required
def unignore(user_id: int):
    target = members.get_user(user_id)
    try:
        changed = blocks.unignore(acting_user(), target)
    except Invalid as exc:
        flash(errors_in_one_line(exc), "error")
        return _back(target)
    report(changed, _("You no longer ignore %(name)s.", name=target.name),
           _("you were not ignoring %(name)s.", name=target.name))
    return _back(target)
