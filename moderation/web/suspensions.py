"""Suspend and lift pages for moderators, and the banner that tells a suspended user why and until when."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum import accounts
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.services.permissions import Action, is_suspended, require
from moderation.services import suspensions

bp = Blueprint("moderation_suspensions", __name__)

DURATIONS = [("1", _l("1 day")), ("3", _l("3 days")), ("7", _l("1 week")), ("30", _l("30 days")), ("365", _l("1 year"))]
# The confirmation step's button sends confirm=suspend; "revise" goes back to the form with what was typed.
CONFIRM = "suspend"


class SuspendForm(FlaskForm):
    days = SelectField(_l("For how long"), choices=[SelectChoice(value, label) for value, label in DURATIONS],
                       default="7")
    reason = TextAreaField(_l("Reason (the member sees this)"), validators=[DataRequired(), Length(max=1000)])
    confirm = HiddenField()  # CONFIRM from the confirmation step's button; anything else shows that step


class LiftForm(FlaskForm):
    reason = TextAreaField(_l("Note for the audit log (optional)"), validators=[Length(max=1000)])


@bp.app_context_processor
def inject_suspension_banner() -> dict[str, Any]:
    return {"current_suspension": current_suspension, "user_is_suspended": is_suspended}


def current_suspension() -> dict[str, Any] | None:
    """The signed-in user's suspension in force ({until, reason}), for the banner on every page."""
    if "current_suspension" not in g:
        user = acting_user()
        g.current_suspension = (
            {"until": user.suspended_until, "reason": user.suspension_reason} if is_suspended(user) else None
        )
    return g.current_suspension


def _render(user, form: SuspendForm, lift_form: LiftForm, status: int = 200, *, until=None):
    """The suspend page; with until, its confirmation step for the suspension form holds (nothing done yet)."""
    page = render_template(
        "moderation/suspend.html", user=user, form=form, lift_form=lift_form,
        active=suspensions.active_suspension(user), history=suspensions.history(user),
        confirming=until is not None, until=until, duration=dict(DURATIONS).get(form.days.data, ""),
        confirm_value=CONFIRM,
    )
    return page, status


@bp.route("/moderation/users/<id:user_id>/suspend", methods=["GET", "POST"])
def suspend(user_id: int):
    """Fill in the form, read the confirmation step (what the member loses and is told), then suspend."""
    user = accounts.get_user(user_id)
    require(acting_user(), Action.USER_SUSPEND, user)
    form = SuspendForm()
    if form.validate_on_submit() and "revise" not in request.form:
        until = clock.now() + timedelta(days=int(form.days.data))
        if form.confirm.data != CONFIRM:
            return _render(user, form, LiftForm(formdata=None), until=until)
        try:
            suspensions.suspend_user(acting_user(), user, suspensions.SuspensionInput(until, form.reason.data))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("%(name)s is suspended for %(duration)s.", name=user.name,
                    duration=dict(DURATIONS)[form.days.data]), "success")
            return redirect(url_for("moderation_suspensions.suspend", user_id=user.id))
    form.form_errors.extend(form.confirm.errors)  # a hidden field's complaint (a NUL) shows with the form's
    return _render(user, form, LiftForm(formdata=None), 422 if form.errors else 200)


@bp.post("/moderation/users/<id:user_id>/suspension/lift")
def lift(user_id: int):
    user = accounts.get_user(user_id)
    require(acting_user(), Action.USER_SUSPEND, user)
    form = LiftForm()
    if not form.validate_on_submit():
        return _render(user, SuspendForm(formdata=None), form, 422)
    suspensions.lift_suspension(acting_user(), user, form.reason.data or "")
    flash(_("%(name)s may take part again.", name=user.name), "success")
    return redirect(url_for("moderation_suspensions.suspend", user_id=user.id))
