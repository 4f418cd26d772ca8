"""/appeal: a suspended member sees why and until when, and asks the moderators to look again; the
moderators answer each appeal from the review queue (POST /moderation/appeals/<id>/decide)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l, format_number
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.http.standing import open_while
from forum.models import User
from forum.services.permissions import Action, Restriction, is_suspended, require
from moderation.services import appeals, suspensions

bp = Blueprint("moderation_appeals", __name__)


class AppealForm(FlaskForm):
    body = TextAreaField(_l("Why should the moderators look again?"), validators=[Length(max=appeals.MAX_BODY)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # the limits in the reader's own digits ("2,000", "2.000")
        self.body.description = _("Between %(least)s and %(most)s characters. The moderators see it with the reason "
                                  "you were given.", least=format_number(appeals.MIN_BODY),
                                  most=format_number(appeals.MAX_BODY))


class AppealDecisionForm(FlaskForm):
    outcome = StringField(_l("Decision"))  # the button pressed: "lifted" or "upheld" (the service checks which)
    note = TextAreaField(_l("Note to the member (needed to uphold; they read it)"),
                         validators=[Length(max=appeals.MAX_NOTE)])


def _render(user: User, form: AppealForm, status: int = 200):
    page = render_template(
        "moderation/appeal.html", form=form, suspended=is_suspended(user), user=user,
        active=suspensions.active_suspension(user), pending=appeals.pending_for(user),
        answered=appeals.answered_for(user),
    )
    return page, status


@bp.get("/appeal")
@login_required
def show():
    return _render(acting_user(), AppealForm(formdata=None))


@bp.post("/appeal")
@login_required
@open_while(Restriction.SUSPENDED)
def submit():
    """Open while suspended: appealing is what a suspended account is left to do (issue 20)."""
    user = acting_user()
    form = AppealForm()
    if form.validate_on_submit():
        try:
            appeals.submit(user, form.body.data or "")
        except Invalid as exc:
            show_errors(form, exc)
        except Conflict as exc:
            flash(exc.detail, "info")
            return redirect(url_for("moderation_appeals.show"))
        else:
            flash(_("Your appeal is with the moderators. Their answer will be in your notifications."), "success")
            return redirect(url_for("moderation_appeals.show"))
    return _render(user, form, 422)


@bp.post("/moderation/appeals/<id:appeal_id>/decide")
@login_required
def decide(appeal_id: int):
    """Lift or uphold, from the review queue; the service checks the moderator outranks the member."""
    viewer = acting_user()
    require(viewer, Action.MODERATION_REVIEW)
    form = AppealDecisionForm()
    back = redirect(url_for("moderation_queue.index", _anchor="appeals"))
    if not form.validate_on_submit():
        flash(" ".join(str(m) for ms in form.errors.values() for m in ms) or _("Please try again."), "error")
        return back
    try:
        appeal = appeals.decide(viewer, appeal_id, form.outcome.data or "", form.note.data or "")
    except Invalid as exc:
        flash(" ".join(str(m) for ms in exc.errors.values() for m in ms), "error")
        return back
    except Conflict as exc:
        flash(exc.detail, "info")
        return back
    if appeal.outcome == appeals.LIFTED:
        flash(_("%(name)s's suspension is lifted; they have been told.", name=appeal.user.name), "success")
    else:
        flash(_("%(name)s's suspension stands; they have been told why.", name=appeal.user.name), "success")
    return back
