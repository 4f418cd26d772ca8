"""Admin: anonymise an account on request, after a confirmation step."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum import accounts
from forum.core.errors import Conflict
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.services.permissions import Action, require
from moderation.services import anonymize

bp = Blueprint("moderation_users", __name__)


class AnonymizeForm(FlaskForm):
    confirm = StringField(_l("Type the username to confirm"), validators=[
        DataRequired(_l("Nothing was changed: type the username to confirm.")), Length(max=64)])
    reason = TextAreaField(_l("Reason (for the audit log, e.g. the request's reference)"),
                           validators=[Length(max=1000)])


@bp.route("/admin/users/<id:user_id>/anonymize", methods=["GET", "POST"], endpoint="anonymize")
def anonymize_user(user_id: int):
    """Show what anonymising removes; do it only when the admin types the username back."""
    user = accounts.get_user(user_id)
    require(acting_user(), Action.USER_ANONYMIZE, user)
    form = AnonymizeForm()
    if form.validate_on_submit():
        if form.confirm.data.strip().lower() != user.username.lower():
            form.confirm.errors = [_("Type “%(username)s” exactly to confirm; nothing was changed.",
                                     username=user.username)]
        else:
            try:
                anonymize.anonymize_user(acting_user(), user, form.reason.data or "")
            except Conflict as exc:
                show_errors(form, exc)
            else:
                flash(_("The account is anonymised: its posts stay under a placeholder name."), "success")
                return redirect(url_for("users.show", username=user.username))
    page = render_template("moderation/anonymize.html", user=user, form=form)
    return page, 422 if form.errors else 200
