"""The moderators' side of private conversations: reading a flagged one (audited) and deciding on a message.

The review queue page lists open flags on messages (templates/conversations/_queue_flags.html, included
there); each links here. Without a flag on the conversation this page is a 404 for a moderator too, and
every view of it is written to the audit log (flagging.moderated_view), which is why this GET writes.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_login import login_required

from forum.conversations import flagging
from forum.conversations.pages import forms
from forum.conversations.pages.cache import never_stored
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.forms import errors_in_one_line

bp = Blueprint("conversation_moderation", __name__)
bp.after_request(never_stored)  # a flagged conversation is no less private to the moderator reading it


@bp.get("/moderation/conversations/<id:conversation_id>")
@login_required
def show(conversation_id: int):
    conversation, messages, flags = flagging.moderated_view(acting_user(), conversation_id)
    by_message: dict[int, list] = {}
    for flag in flags:
        by_message.setdefault(flag.message_id, []).append(flag)
    return render_template("conversations/moderate.html", conversation=conversation, messages=messages,
                           flags_by_message=by_message, form=forms.DecisionForm(formdata=None))


@bp.post("/moderation/conversation-messages/<id:message_id>")
@login_required
def decide(message_id: int):
    form = forms.DecisionForm()
    if not form.validate():
        flash(errors_in_one_line(form), "error")
        return redirect(url_for("moderation_queue.index"))
    action = form.action.data
    try:
        message = flagging.decide(acting_user(), message_id, action, form.note.data or "")
    except Invalid as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
        return redirect(url_for("moderation_queue.index"))
    flash(_("The message is hidden.") if action == "hide" else _("The flags are dismissed."), "success")
    return redirect(url_for("conversation_moderation.show", conversation_id=message.conversation_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
