"""The ideas board's buttons: vote, take a vote back, and staff's status form on the idea panel.

Each answers with a redirect to where the button was (the board or the idea's thread page, named by a
hidden "next" that must be a path on this site) and a flash. A conflict (no votes left, the idea closed, a
duplicate changed again) and a form problem are flashed; a refusal (the author voting, a member using the
staff form) shows the 403 page, and an idea the caller cannot see the 404 page.
"""

from __future__ import annotations

from flask import flash, redirect, request
from flask_login import login_required
from wtforms import IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, errors_in_one_line
from forum.http.urls import same_site_path, thread_url
from forum.ideas import get_idea, status, voting
from forum.ideas.pages import bp
from forum.ideas.pages.board import STATUS_LABELS
from forum.models import Idea, IdeaStatus
from forum.services.permissions import Action, require

MAX_NOTE_CHARS = 2000


class StatusForm(FlaskForm):
    """Staff's status change: the new status, a public note, and for a duplicate the idea it joins."""

    status = SelectField(_l("Status"), choices=[
        SelectChoice(value, label) for value, label in STATUS_LABELS.items() if value != IdeaStatus.NEW.value
    ])
    note = TextAreaField(_l("Note for voters (public)"), validators=[Length(max=MAX_NOTE_CHARS)])
    duplicate_of = IntegerField(_l("Duplicate of idea number"), validators=[Optional(), NumberRange(1, 2**31 - 1)])


def _back(idea: Idea):
    """To the page the button was on (a local path only), else the idea's thread page."""
    return redirect(same_site_path(request.form.get("next")) or thread_url(idea.thread))


@bp.post("/ideas/<id:idea_id>/vote")
@login_required
def vote(idea_id: int):
    viewer = acting_user()
    idea = get_idea(viewer, idea_id)
    try:
        tally = voting.vote(viewer, idea)
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        flash(_("Your vote is counted. Votes left: %(left)d.", left=tally.votes_left), "success")
    return _back(idea)


@bp.post("/ideas/<id:idea_id>/unvote")
@login_required
def unvote(idea_id: int):
    viewer = acting_user()
    idea = get_idea(viewer, idea_id)
    try:
        tally = voting.withdraw(viewer, idea)
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        if tally.changed:
            flash(_("Your vote is taken back. Votes left: %(left)d.", left=tally.votes_left), "success")
        else:
            flash(_("Nothing changed: you had not voted for this idea."), "info")
    return _back(idea)


@bp.post("/ideas/<id:idea_id>/status")
@login_required
def change_status(idea_id: int):
    viewer = acting_user()
    idea = get_idea(viewer, idea_id)
    require(viewer, Action.IDEA_MANAGE, idea)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(errors_in_one_line(form), "error")
        return _back(idea)
    try:
        # The number of the idea a duplicate joins (status checks it); ignored for any other status.
        target = form.duplicate_of.data if form.status.data == IdeaStatus.DUPLICATE.value else None
        status.change_status(viewer, idea, form.status.data, note=form.note.data or "", duplicate_of=target)
    except (Invalid, Conflict) as exc:
        flash(errors_in_one_line(exc), "error")
    else:
        flash(_("Status changed to %(status)s. Voters and watchers are told.",
                status=STATUS_LABELS[form.status.data]), "success")
    return _back(idea)
