"""The flag form on each post: a small disclosure that posts a reason and an optional note."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm
from forum.http.urls import post_location
from forum.models import Post
from forum.services import reading
from forum.services.permissions import Action, can, require
from moderation.services import flags

bp = Blueprint("moderation_flags", __name__)

REASON_CHOICES = [
    SelectChoice("spam", _l("Spam or advertising")),
    SelectChoice("offensive", _l("Rude or offensive")),
    SelectChoice("off_topic", _l("Off topic")),
    SelectChoice("needs_staff", _l("Needs a staff member (private data, safety, a problem only staff can fix)")),
    SelectChoice("other", _l("Something else (say what below)")),
]


class FlagForm(FlaskForm):
    reason = RadioField(_l("Why should a moderator look at this?"), choices=REASON_CHOICES,
                        validators=[InputRequired(_l("Choose a reason."))])
    note = TextAreaField(_l("Note for moderators (optional)"), validators=[Length(max=flags.MAX_NOTE)])


@bp.record_once
def _register_flag_panel_globals(state) -> None:
    """What the per-post flag panel writes (the fields FlagForm reads): constants, so template globals,
    which the post blocks rendered outside a page's context see too (forum.web.post_blocks)."""
    state.app.jinja_env.globals.update(
        flag_reasons=[(choice.value, choice.label) for choice in REASON_CHOICES],
        flag_reason_legend=FlagForm.reason.args[0], flag_note_label=FlagForm.note.args[0],
        flag_note_max=flags.MAX_NOTE,
    )


@bp.post("/p/<id:post_id>/flag")
@login_required
def create(post_id: int):
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    require(viewer, Action.POST_FLAG, post)  # refused before the form is read: a refusal, not "choose a reason"
    form = FlagForm(prefix=f"flag-{post.id}")
    if not form.validate_on_submit():
        flash(" ".join(str(message) for errors in form.errors.values() for message in errors), "error")
        return _back(viewer, post)
    try:
        flags.flag_post(viewer, post, flags.NewFlag(form.reason.data, form.note.data or ""))
    except (Invalid, Conflict) as exc:
        flash(" ".join(str(m) for ms in exc.errors.values() for m in ms) if exc.errors else exc.detail, "error")
    else:
        flash(_("Thank you: moderators will look at this post."), "success")
    return _back(viewer, post)


def _back(viewer, post: Post):
    """To the post, or home when the flag hid a question the flagger may no longer see."""
    if can(viewer, Action.THREAD_VIEW, post.thread):
        return redirect(post_location(post))
    return redirect(url_for("home.index"))
