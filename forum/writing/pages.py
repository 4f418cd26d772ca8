"""The editor's page side: drafts restored into the Ask and Edit forms, the no-JS "Discard draft" button,
and the member's own drafts listed on their profile.

The forms are filled from a draft on the server, when the page is opened, so a restored draft shows
without JavaScript too (drafts.js saves them while typing, and restores reply drafts on thread pages,
whose statement budget leaves no room for another query).
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import current_user, login_required

from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.urls import thread_url
from forum.models import Draft, Post, User
from forum.writing import drafts

bp = Blueprint("drafts", __name__)


def continue_url(key: str) -> str:
    """Where the member goes on writing the draft under key."""
    parsed = drafts.parse_key(key)
    if parsed.kind == "question":
        return url_for("threads.new", category=parsed.target_id)
    if parsed.kind == "reply":
        return url_for("threads.show", thread_id=parsed.target_id, _anchor="draft")  # drafts.js refills the box
    return url_for("threads.edit_post", post_id=parsed.target_id)


def entry_url(entry: drafts.DraftEntry) -> str:
    """continue_url, with the thread's slug when it is known (the profile's list of drafts)."""
    if entry.thread is not None:
        return thread_url(entry.thread, _anchor="draft")
    return continue_url(entry.draft.key)


def restore_question(user: User, form, category_id: int | None) -> Draft | None:
    """Fill the Ask form from the member's draft for that category (or their latest question draft)."""
    if category_id is not None:
        draft = drafts.find_draft(user, drafts.question_key(category_id))
    else:
        draft = drafts.latest_question_draft(user)
    if draft is not None:
        form.title.data = draft.title
        form.body.data = draft.body
        form.category_id.data = drafts.parse_key(draft.key).target_id
    return draft


def restore_edit(user: User, post: Post, form) -> Draft | None:
    """Fill the Edit form from the member's unsaved changes to the post, when they differ from it."""
    draft = drafts.find_draft(user, drafts.edit_key(post.id))
    if draft is None or draft.body == post.body:
        return None
    form.body.data = draft.body
    return draft


@bp.post("/drafts/<key>/discard")
@login_required
def discard(key: str):
    """The "Discard draft" button: works without JavaScript; goes back to the form (or the profile)."""
    user = acting_user()
    report(drafts.delete_draft(user, key), _("Your draft is discarded."), _("there was no draft to discard."))
    if request.form.get("back") == "profile":
        return redirect(url_for("users.show", username=user.username, _anchor="drafts"))
    return redirect(continue_url(key))


def own_drafts() -> list[drafts.DraftEntry]:
    """The signed-in member's drafts (the profile page asks only when showing the member their own)."""
    if not current_user.is_authenticated:
        return []
    return drafts.list_drafts(acting_user())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(own_drafts, "own_drafts")
    app.add_template_global(entry_url, "draft_entry_url")
    app.add_template_global(drafts.edit_key, "edit_draft_key")
    app.add_template_global(drafts.reply_key, "reply_draft_key")
    app.add_template_global(drafts.MAX_BODY_BYTES, "max_body_bytes")  # the counter's limit, as posting's
