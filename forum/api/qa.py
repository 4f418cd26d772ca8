"""Q&A that resolves: accepted solutions, helpful votes, "me too", watching, feedback, needs-info.

Permission is checked before the body is read, so a caller who may not act learns nothing
from validation messages; the services check again (they are the rule), this only orders it.
"""

from __future__ import annotations

from typing import Any

from forum.core.errors import Conflict, Forbidden, Invalid, NotFound
from forum.core.i18n import _
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import id_field, json_body, signed_in_user
from forum.http.standing import open_while
from forum.models import Thread, ThreadKind, User
from forum.services import feedback, needs_info, qa, reading, subscriptions
from forum.services.permissions import Action, Restriction, require


def _thread(thread: Thread, caller: User) -> dict[str, Any]:
    return serializers.thread(thread, reading.question_post(thread), caller)


def _question_only(thread: Thread) -> None:
    if thread.kind != ThreadKind.QUESTION.value:
        raise Conflict(_("Only questions have solutions; this thread is a discussion."))


# --- accepted solution ---------------------------------------------------------------------------


@bp.put("/threads/<id:thread_id>/accepted")
def accept_solution(thread_id: int):
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    require(user, Action.THREAD_ACCEPT, thread)
    _question_only(thread)
    post_id = id_field(json_body(), "post_id")
    try:
        post = reading.get_post(user, post_id)
    except NotFound as exc:
        raise Invalid({"post_id": [_("Choose a visible reply in this thread.")]}) from exc
    if thread.accepted_post_id != post.id:  # PUT is idempotent: accepting the accepted reply changes nothing
        qa.accept_solution(user, thread, post)
    return _thread(thread, user)


@bp.delete("/threads/<id:thread_id>/accepted")
def unaccept_solution(thread_id: int):
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    require(user, Action.THREAD_ACCEPT, thread)
    _question_only(thread)
    qa.unaccept_solution(user, thread)  # DELETE is idempotent: without a solution it changes nothing
    return _thread(thread, user)


# --- "me too" and watching -----------------------------------------------------------------------


@bp.post("/threads/<id:thread_id>/me-too")
def add_me_too(thread_id: int):
    user = signed_in_user()
    return {"me_too_count": qa.add_me_too(user, reading.get_thread(user, thread_id))}


@bp.delete("/threads/<id:thread_id>/me-too")
def remove_me_too(thread_id: int):
    user = signed_in_user()
    return {"me_too_count": qa.remove_me_too(user, reading.get_thread(user, thread_id))}


@bp.post("/threads/<id:thread_id>/subscription")
def watch_thread(thread_id: int):
    user = signed_in_user()
    subscriptions.watch(user, reading.get_thread(user, thread_id))
    return "", 204


@bp.delete("/threads/<id:thread_id>/subscription")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def mute_thread(thread_id: int):
    """Stop hearing about the thread, for good: later automatic watches (replying) keep it muted.

    Open while suspended (watching is not): it only quiets the caller's own inbox.
    """
    user = signed_in_user()
    subscriptions.mute(user, reading.get_thread(user, thread_id))
    return "", 204


# --- "Did this resolve your issue?" --------------------------------------------------------------


@bp.post("/threads/<id:thread_id>/feedback")
def give_feedback(thread_id: int):
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    if thread.author_id != user.id:
        raise Forbidden(_("Only the person who asked can say whether it was resolved."))
    data = json_body()
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):  # the service would read 0 or [] as no comment
        raise Invalid({"comment": [_("The comment must be text.")]})
    row = feedback.give_feedback(
        user, thread, feedback.FeedbackInput(resolved=data.get("resolved"), rating=data.get("rating"),
                                             comment=comment or ""),
    )
    return serializers.feedback(row, feedback.offers_escalation(row)), 201


# --- needs more info -----------------------------------------------------------------------------


@bp.post("/threads/<id:thread_id>/needs-info")
def request_info(thread_id: int):
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    require(user, Action.THREAD_REQUEST_INFO, thread)
    note = json_body().get("note")
    return _thread(needs_info.request_info(user, thread, note), user)


@bp.delete("/threads/<id:thread_id>/needs-info")
def clear_info_request(thread_id: int):
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    needs_info.clear_info_request(user, thread)  # idempotent: a thread not waiting stays as it is
    return _thread(thread, user)


# --- helpful votes -------------------------------------------------------------------------------


def _votable_post(user: User, post_id: int):
    post = reading.get_post(user, post_id)
    if post.author_id == user.id:
        raise Forbidden(_("You can't vote for your own post."))
    return post


@bp.post("/posts/<id:post_id>/votes")
def vote_helpful(post_id: int):
    user = signed_in_user()
    return {"vote_count": qa.vote_helpful(user, _votable_post(user, post_id))}


@bp.delete("/posts/<id:post_id>/votes")
def withdraw_vote(post_id: int):
    user = signed_in_user()
    return {"vote_count": qa.withdraw_vote(user, _votable_post(user, post_id))}
