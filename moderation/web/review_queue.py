"""/moderation/queue: the review queue page (posts, then suspended members' appeals), its decisions, and the
item count in the staff menu."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import TextAreaField
from wtforms.validators import Length

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.core.pagination import clamp_limit
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm
from forum.services.permissions import Action, can, require
from moderation.services import appeals, flags, review_queue
from moderation.web.appeals import AppealDecisionForm

bp = Blueprint("moderation_queue", __name__)

# The buttons of each item, in focus order; the first item's also get access keys (Alt+Shift+key).
BUTTONS = [("approve", _l("Approve"), "a"), ("hide", _l("Hide"), "h"), ("delete", _l("Delete"), "d"),
           ("dismiss", _l("Dismiss"), "x")]
# What the notice after a decision calls it ("Done: approve.").
DONE = {"approve": _l("approve"), "hide": _l("hide"), "delete": _l("delete"), "dismiss": _l("dismiss")}


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note (optional; the author sees it when a post is hidden or deleted)"),
                         validators=[Length(max=review_queue.MAX_NOTE)])


def review_count() -> int:
    """Open items and appeals waiting for the signed-in reviewer: at most once a request (appeals: moderators)."""
    if "review_count" not in g:
        viewer = acting_user()
        g.review_count = review_queue.open_count(viewer) + appeals.open_count(viewer)
    return g.review_count


@bp.app_context_processor
def inject_review_count() -> dict[str, Any]:
    return {"review_count": review_count}


@bp.get("/moderation/queue")
@login_required
def index():
    viewer = acting_user()
    found = review_queue.list_open(viewer, clamp_limit(request.args.get("limit")), request.args.get("cursor") or None)
    post_ids = [item.post_id for item in found.items]
    by_post = flags.flags_on(post_ids, viewer)
    flaggers = sorted({flag.user_id for found_flags in by_post.values() for flag in found_flags})
    return render_template(
        "moderation/queue.html",
        items=found.items,
        next_cursor=found.next_cursor,
        flags_by_post=by_post,
        accuracy=flags.accuracy(flaggers),
        histories=review_queue.author_histories([item.post.author_id for item in found.items]),
        scores={post_id: flags.score(post_id) for post_id in post_ids},
        buttons=BUTTONS,
        form=DecisionForm(formdata=None),
        may_suspend=lambda user: can(viewer, Action.USER_SUSPEND, user),
        appeals=appeals.list_open(viewer),
        appeal_form=AppealDecisionForm(formdata=None),
    )


@bp.post("/moderation/queue/<id:item_id>")
@login_required
def decide(item_id: int):
    viewer = acting_user()
    require(viewer, Action.MODERATION_REVIEW)
    form = DecisionForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit():
        flash(" ".join(str(m) for ms in form.errors.values() for m in ms) or _("Please try again."), "error")
        return redirect(url_for("moderation_queue.index", _anchor=f"item-{item_id}"))
    post = review_queue.get_item(viewer, item_id).post
    before = review_queue.post_state(post)
    try:
        review_queue.resolve_item(viewer, item_id, review_queue.Decision(action, form.note.data or ""))
    except (Invalid, Conflict) as exc:
        flash(" ".join(str(m) for ms in exc.errors.values() for m in ms) if exc.errors else exc.detail, "error")
        if isinstance(exc, Conflict):  # refused, not mistyped: say why with the queue as it is now
            return index(), 409
        return redirect(url_for("moderation_queue.index", _anchor=f"item-{item_id}"))
    _tell_outcome(action, before, review_queue.post_state(post))
    return redirect(url_for("moderation_queue.index", _anchor="queue-heading"))


def _tell_outcome(action: str, before: dict, after: dict) -> None:
    """Done, or (approving or hiding a post that already was so) that only the item closed."""
    if action == "dismiss" or after != before:
        flash(_("Done: %(action)s. The next item is at the top.", action=DONE.get(action, action)), "success")
    elif after["visibility"] == "public":
        flash(_("The item is closed. The post already was public: it stays as it is."), "info")
    elif after["visibility"] == "hidden":
        flash(_("The item is closed. The post already was hidden: it stays as it is."), "info")
    else:
        flash(_("The item is closed. The post already was %(visibility)s: it stays as it is.",
                visibility=after["visibility"]), "info")
