"""Duplicates on the pages (issue 26, item 5): the thread page's "Mark as duplicate" and /moderation/duplicates.

The form takes the target as a thread number or its address (a moderator pastes the link of the
thread that answers it). /moderation/duplicates lists the newest open questions, each with the
earlier threads the similar engine finds alike enough (search.duplicates, threshold from the
setting search.duplicate_threshold), and a one-click "Mark as duplicate" per pair. Every route
refuses non-moderators before reading the form; moderation.services.duplicates audits and commits.
"""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm
from forum.http.routing import MAX_ID
from forum.http.urls import thread_url
from forum.models import Thread, User
from forum.services import community_settings, reading
from forum.services.permissions import Action, require
from moderation.services import duplicates
from search import duplicates as look_alikes

bp = Blueprint("moderation_duplicates", __name__)

THREAD_NUMBER = re.compile(r"^\s*#?(\d{1,12})\s*$")
THREAD_ADDRESS = re.compile(r"/t/(\d{1,12})(?:[/?#]|$)")
FROM_LIST = "list"  # the possible-duplicates page posts back=list to come back to it


class DuplicateForm(FlaskForm):
    target = StringField(_l("Answered in thread (number or address)"),
                         validators=[InputRequired(_l("Give the number or address of the thread that answers it.")),
                                     Length(max=500)])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=duplicates.MAX_REASON)],
                           description=_l("Kept in the audit log; the asker is told where the answer is."))


class UnmarkForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=duplicates.MAX_REASON)])


def target_id(raw: str) -> int | None:
    """The thread a moderator named: "42", "#42", or an address with /t/42 in it; None for anything else."""
    match = THREAD_NUMBER.match(raw or "") or THREAD_ADDRESS.search(raw or "")
    number = int(match.group(1)) if match else 0
    return number if 1 <= number <= MAX_ID else None


def _moderator() -> User:
    viewer = acting_user()
    require(viewer, Action.THREAD_MODERATE)
    return viewer


def _flash_errors(errors: dict) -> None:
    flash(" ".join(str(m) for ms in errors.values() for m in ms) or _("Please try again."), "error")


def _back(thread: Thread) -> str:
    if request.form.get("back") == FROM_LIST:
        return url_for("moderation_duplicates.index", page=request.form.get("page", type=int) or None)
    return thread_url(thread)


@bp.post("/moderation/threads/<id:thread_id>/duplicate")
@login_required
def mark(thread_id: int):
    """Close the thread as a duplicate of the named one; back where the moderator came from."""
    viewer = _moderator()
    thread = reading.get_thread(viewer, thread_id)
    form = DuplicateForm(prefix="duplicate")
    if not form.validate_on_submit():
        _flash_errors(form.errors)
        return redirect(_back(thread))
    target = target_id(form.target.data)
    try:
        if target is None:
            raise Invalid({"target": [_("Give a thread number, such as 42, or the thread's address.")]})
        duplicates.mark_duplicate(viewer, thread, target, form.reason.data or "")
    except (Invalid, Conflict) as exc:
        _flash_errors(exc.errors or {"duplicate": [exc.detail]})
        return redirect(_back(thread))
    flash(_("“%(title)s” is closed as a duplicate; its asker and followers were pointed to the answer.",
            title=thread.title), "success")
    return redirect(_back(thread))


@bp.post("/moderation/threads/<id:thread_id>/duplicate/unmark")
@login_required
def unmark(thread_id: int):
    """Take back a mistaken mark: the thread reopens as it was."""
    viewer = _moderator()
    thread = reading.get_thread(viewer, thread_id)
    form = UnmarkForm(prefix="unmark")
    if not form.validate_on_submit():
        _flash_errors(form.errors)
    else:
        report(duplicates.unmark_duplicate(viewer, thread, form.reason.data or ""),
               _("The thread is no longer marked as a duplicate and is open again."), _("it was not marked."))
    return redirect(thread_url(thread))


@bp.get("/moderation/duplicates")
@login_required
def index():
    """The newest open questions that look like earlier threads, with one-click marking."""
    viewer = _moderator()
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= 1000 else 1
    questions, more = duplicates.recent_questions(page)
    threshold = community_settings.get_setting("search.duplicate_threshold")
    found = look_alikes.possible_duplicates(viewer, questions, threshold)
    return render_template(
        "moderation/duplicates.html", rows=[(thread, found[thread.id]) for thread, _text in questions
                                            if thread.id in found],
        checked=len(questions), page=page, more=more, threshold=threshold, days=duplicates.RECENT_DAYS,
        default_reason=_(duplicates.DEFAULT_REASON),
    )
