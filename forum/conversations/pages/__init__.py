"""/messages: the inbox, a conversation with its reply form, starting one, flagging, and a staff "open a case".

Plain forms, no JavaScript needed. A conversation the caller does not take part in is a 404 page.
Before sending what looks like personal data the page asks once (as the ask and reply pages do); the
next submit sends it. Opening a conversation marks it read: the one write a GET here does
(tests/test_reads_never_write.py lists it). No page here may be stored by a cache (never_stored).
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import SelectChoice

from forum.accounts import personal_data
from forum.conversations import flagging, messaging, starting, support
from forum.conversations.pages import forms, moderation
from forum.conversations.pages.cache import never_stored
from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _
from forum.core.pagination import DEFAULT_LIMIT
from forum.http.auth import acting_user
from forum.http.forms import errors_in_one_line, show_errors
from forum.models import User
from forum.services.permissions import Action, can

bp = Blueprint("conversations", __name__)
bp.after_request(never_stored)


@bp.get("/messages")
@login_required
def index():
    cursor = request.args.get("cursor") or None
    page = messaging.list_conversations(acting_user(), DEFAULT_LIMIT, cursor)
    return render_template("conversations/index.html", page=page, cursor=cursor,
                           may_start=can(acting_user(), Action.CONVERSATION_START))


def _warned(form, *texts: str | None) -> bool:
    """Show the personal-data warning once: True when the form is to be shown again with it."""
    if form.confirmed.data == "1":
        return False
    findings = [finding for text in texts for finding in personal_data.find(text)]
    form.personal_data_findings = personal_data.summary(findings)
    if findings:
        form.confirmed.data = "1"
    return bool(findings)


@bp.route("/messages/new", methods=["GET", "POST"])
@login_required
def new():
    viewer = acting_user()
    form = forms.NewConversationForm(to=request.args.get("to", ""))
    starting.check_may_start(viewer)  # the sandbox or the limit says why before anything is typed
    if form.is_submitted() and form.validate() and not _warned(form, form.title.data, form.body.data):
        try:
            user_ids = starting.ids_for_usernames(form.to.data)
            conversation = starting.start_conversation(
                viewer, starting.NewConversation(user_ids, form.title.data, form.body.data))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Your message was sent."), "success")
            return redirect(url_for("conversations.show", conversation_id=conversation.id))
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("conversations/new.html", form=form), status


def _render(conversation_id: int, form: forms.MessageForm | None = None, status: int = 200, *, read: bool = False):
    """The conversation page; only a plain visit (read) marks it read, never a form shown again."""
    viewer = acting_user()
    if read:
        conversation, messages = messaging.read_conversation(viewer, conversation_id)
    else:
        conversation = messaging.get_conversation(viewer, conversation_id)
        messages = messaging.messages_of(conversation)
    case_form = None
    if support.offers_case(viewer, conversation):
        case_form = forms.OpenCaseForm(formdata=None)
        threads = support.case_threads(support.member_of(conversation))
        case_form.thread_id.choices = [SelectChoice(thread.id, thread.title) for thread in threads]
    return render_template(
        "conversations/show.html", conversation=conversation, messages=messages,
        form=form or forms.MessageForm(formdata=None), flag_form=forms.FlagForm(formdata=None),
        flagged=flagging.flagged_message_ids(viewer, conversation), case_form=case_form,
        may_reply=can(viewer, Action.CONVERSATION_REPLY, conversation), member=support.member_of(conversation),
    ), status


@bp.get("/messages/<id:conversation_id>")
@login_required
def show(conversation_id: int):
    return _render(conversation_id, read=True)


@bp.post("/messages/<id:conversation_id>")
@login_required
def reply(conversation_id: int):
    form = forms.MessageForm()
    if not form.validate():
        return _render(conversation_id, form, 422)
    if _warned(form, form.body.data):
        return _render(conversation_id, form)
    try:
        message = messaging.reply(acting_user(), conversation_id, form.body.data)
    except Invalid as exc:
        show_errors(form, exc)
        return _render(conversation_id, form, 422)
    return redirect(url_for("conversations.show", conversation_id=conversation_id, _anchor=f"m{message.id}"))


@bp.post("/messages/<id:conversation_id>/<id:message_id>/flag")
@login_required
def flag(conversation_id: int, message_id: int):
    form = forms.FlagForm()
    if not form.validate():
        flash(errors_in_one_line(form), "error")
    else:
        try:
            flagging.flag_message(acting_user(), message_id, form.reason.data, form.note.data or "",
                                  conversation_id=conversation_id)
        except Conflict as exc:
            flash(exc.detail, "info")
        else:
            flash(_("Thank you: a moderator will look at this message, and may read this conversation to do so."),
                  "success")
    return redirect(url_for("conversations.show", conversation_id=conversation_id, _anchor=f"m{message_id}"))


@bp.post("/messages/<id:conversation_id>/case")
@login_required
def open_case(conversation_id: int):
    form = forms.OpenCaseForm()
    form.thread_id.choices = []
    if not form.validate():
        flash(errors_in_one_line(form), "error")
        return redirect(url_for("conversations.show", conversation_id=conversation_id))
    try:
        case = support.open_case(acting_user(), conversation_id, form.thread_id.data)
    except Invalid as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
        return redirect(url_for("conversations.show", conversation_id=conversation_id))
    flash(_("Case %(reference)s is open, with this conversation as its first message.",
            reference=case.public_reference), "success")
    return redirect(url_for("desk.case", case_id=case.id))


@bp.app_context_processor
def inject_helpers() -> dict:
    """For the review queue's section of flagged messages; runs a query only when that template calls it."""
    return {"conversation_flags": lambda: flagging.open_flags(acting_user()),
            "may_message": lambda user: _may_message(user)}


def _may_message(user: User) -> bool:
    viewer = acting_user()
    return viewer is not None and viewer.id != user.id and can(viewer, Action.CONVERSATION_START)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    moderation.init_app(app)
