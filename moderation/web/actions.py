"""Moderator controls on the thread page: hide, restore, lock, pin, move, merge and split.

Each route refuses non-moderators before reading the form, calls one service in
moderation.services.actions (which audits and commits), then returns to the thread.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http import undo as undo_offer
from forum.http.auth import acting_user
from forum.http.feedback import nothing_changed, report
from forum.http.forms import FlaskForm, show_errors
from forum.http.routing import MAX_ID
from forum.http.urls import thread_url
from forum.models import IDEA_KIND, CategoryKind, Post, Thread
from forum.services import categories, reading, undo
from forum.services.permissions import Action, require
from moderation.services import actions, hide_undo

bp = Blueprint("moderation_actions", __name__)

REASON_HINT = _l("The author sees this reason; it is also kept in the audit log.")


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=actions.MAX_REASON)], description=REASON_HINT)


class MoveForm(ReasonForm):
    category_id = SelectField(_l("Move to category"), coerce=int, validators=[InputRequired()])


class MergeForm(ReasonForm):
    target_id = IntegerField(_l("Merge into thread number"), validators=[InputRequired(_l("Give a thread number.")),
                                                                          NumberRange(1, MAX_ID)])


class SplitForm(ReasonForm):
    """The chosen replies come as a list of post_ids checkboxes, read with request.form.getlist."""

    title = StringField(_l("Title of the new thread"), validators=[DataRequired(), Length(max=200)])


def category_choices(thread: Thread) -> list[SelectChoice]:
    """The categories thread may move to: ideas stay among ideas categories, the rest among the others."""
    kind = CategoryKind.IDEAS.value if thread.kind == IDEA_KIND else CategoryKind.THREADS.value
    return [SelectChoice(category.id, category.name) for category, _count in categories.list_categories()
            if category.kind == kind]


@bp.app_context_processor
def inject_moderation_forms() -> dict[str, Any]:
    """Empty forms for the thread page's moderator panel (built only when a moderator views it)."""
    def forms(thread: Thread) -> dict[str, FlaskForm]:
        move = MoveForm(formdata=None, prefix="move", data={"category_id": thread.category_id})
        move.category_id.choices = category_choices(thread)
        return {"reason": ReasonForm(formdata=None), "move": move, "merge": MergeForm(formdata=None, prefix="merge")}

    return {"moderation_forms": forms}


def _moderator():
    viewer = acting_user()
    require(viewer, Action.THREAD_MODERATE)
    return viewer


def _post(post_id: int) -> tuple[Any, Post]:
    viewer = _moderator()
    return viewer, reading.get_post(viewer, post_id)


def _thread(thread_id: int) -> tuple[Any, Thread]:
    viewer = _moderator()
    return viewer, reading.get_thread(viewer, thread_id)


def _run(form: FlaskForm, action, outcome: tuple[str, str], back: str):
    """Validate, call the service, flash its outcome (done, or why nothing changed) or its complaints, go back."""
    if not form.validate_on_submit():
        _flash_errors(form.errors)
        return redirect(back)
    try:
        changed = action()
    except Invalid as exc:
        _flash_errors(exc.errors)
    else:
        report(changed, *(str(text) for text in outcome))
    return redirect(back)


def _flash_errors(errors: dict) -> None:
    flash(" ".join(str(m) for ms in errors.values() for m in ms) or _("Please try again."), "error")


@bp.post("/moderation/posts/<id:post_id>/hide")
@login_required
def hide_post(post_id: int):
    """Hide with a reason; the notice that follows offers Undo for ten seconds."""
    viewer, post = _post(post_id)
    form = ReasonForm()
    back = thread_url(post.thread, _anchor=f"p{post.id}")
    if not form.validate_on_submit():
        _flash_errors(form.errors)
        return redirect(back)
    try:
        token = hide_undo.hide_with_undo(undo_offer.secret_key(), viewer, post, form.reason.data or "")
    except Invalid as exc:
        _flash_errors(exc.errors)
        return redirect(back)
    if token is None:
        nothing_changed(_("the post was already hidden."))
    else:
        undo_offer.offer(_("The post is hidden and its author told why."),
                         url_for("moderation_actions.undo_hide", post_id=post.id), token, _("hiding this post"))
    return redirect(back)


@bp.post("/moderation/posts/<id:post_id>/hide/undo")
@login_required
def undo_hide(post_id: int):
    """The notice's Undo: the post is visible again (an audited unhide); refused after ten seconds."""
    viewer, post = _post(post_id)
    back, token = thread_url(post.thread, _anchor=f"p{post.id}"), undo_offer.ticket()
    if token is None:
        return redirect(back)
    try:
        was_solution = hide_undo.undo_hide(undo_offer.secret_key(), viewer, post, token)
    except undo.Refused as exc:
        undo_offer.refused(exc)
    else:
        flash(_("Undone: the post is visible again.") + (
            " " + _("It was the accepted solution; hiding it dropped that, so accept it again if it should be.")
            if was_solution else ""), "success")
    return redirect(back)


@bp.post("/moderation/posts/<id:post_id>/unhide")
@login_required
def unhide_post(post_id: int):
    viewer, post = _post(post_id)
    form = ReasonForm()
    return _run(form, lambda: actions.unhide_post(viewer, post, form.reason.data or ""),
                (_("The post is visible again."), _("the post was not hidden.")),
                thread_url(post.thread, _anchor=f"p{post.id}"))


@bp.post("/moderation/posts/<id:post_id>/restore")
@login_required
def restore_post(post_id: int):
    viewer, post = _post(post_id)
    form = ReasonForm()
    return _run(form, lambda: actions.restore_post(viewer, post, form.reason.data or ""),
                (_("The post is restored."), _("the post was not deleted.")),
                thread_url(post.thread, _anchor=f"p{post.id}"))


TOGGLES = {
    "lock": (actions.set_locked, True, (_l("The thread is locked."), _l("the thread was already locked."))),
    "unlock": (actions.set_locked, False, (_l("The thread is unlocked."), _l("the thread was not locked."))),
    "pin": (actions.set_pinned, True, (_l("The thread is pinned."), _l("the thread was already pinned."))),
    "unpin": (actions.set_pinned, False, (_l("The thread is unpinned."), _l("the thread was not pinned."))),
}


@bp.post("/moderation/threads/<id:thread_id>/<any(lock, unlock, pin, unpin):toggle>")
@login_required
def toggle_thread(thread_id: int, toggle: str):
    viewer, thread = _thread(thread_id)
    service, value, outcome = TOGGLES[toggle]
    form = ReasonForm()
    return _run(form, lambda: service(viewer, thread, value, form.reason.data or ""), outcome, thread_url(thread))


@bp.post("/moderation/threads/<id:thread_id>/move")
@login_required
def move_thread(thread_id: int):
    viewer, thread = _thread(thread_id)
    form = MoveForm(prefix="move")
    form.category_id.choices = category_choices(thread)
    return _run(form, lambda: actions.move_thread(viewer, thread, form.category_id.data, form.reason.data or ""),
                (_("The thread is moved."), _("the thread already is in that category.")), thread_url(thread))


@bp.post("/moderation/threads/<id:thread_id>/merge")
@login_required
def merge_thread(thread_id: int):
    viewer, thread = _thread(thread_id)
    form = MergeForm(prefix="merge")
    if not form.validate_on_submit():
        _flash_errors(form.errors)
        return redirect(thread_url(thread))
    try:
        target = actions.merge_threads(viewer, thread, form.target_id.data, form.reason.data or "")
    except (Invalid, Conflict) as exc:  # Conflict: what the merge cannot carry (two open cases), with the reason
        _flash_errors(exc.errors or {"merge": [exc.detail]})
        return redirect(thread_url(thread))
    flash(_("The threads are merged: every post now lives here."), "success")
    return redirect(thread_url(target))


@bp.route("/moderation/threads/<id:thread_id>/split", methods=["GET", "POST"])
@login_required
def split_thread(thread_id: int):
    viewer, thread = _thread(thread_id)
    form = SplitForm()
    chosen = request.form.getlist("post_ids", type=int)
    if form.validate_on_submit():
        try:
            new = actions.split_thread(viewer, thread, chosen, form.title.data, form.reason.data or "")
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("The chosen replies are in a new thread."), "success")
            return redirect(thread_url(new))
    replies = reading.list_replies(viewer, thread, limit=500).items
    page = render_template("moderation/split.html", thread=thread, form=form, replies=replies, chosen=set(chosen))
    return page, 422 if form.errors else 200
