"""Threads: the filtered list, starting and changing a thread, and its replies."""

from __future__ import annotations

from typing import Any

from flask import request

from forum.core import database
from forum.core.errors import NotFound
from forum.core.i18n import _
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import (
    category_filter,
    field,
    id_field,
    json_body,
    page_params,
    signed_in_user,
    viewer,
)
from forum.http.write_warnings import check_answer, wants_check_only, with_warnings
from forum.models import Thread, ThreadKind, User
from forum.services import posting, qa, reading, subscriptions, write_checks
from forum.services.permissions import Action, require


def _thread(thread: Thread, caller: User | None) -> dict[str, Any]:
    return serializers.thread(thread, reading.question_post(thread), caller)


def _thread_query() -> reading.ThreadQuery:
    args = request.args
    return reading.ThreadQuery(
        category_id=category_filter(args.get("category")),
        tag=args.get("tag") or None,
        status=args.get("status") or None,
        filter=args.get("filter") or None,
        sort=args.get("sort") or "active",
    )


@bp.get("/threads")
def list_threads():
    caller = viewer()
    limit, cursor = page_params()
    found = reading.list_threads(caller, _thread_query(), limit, cursor)
    return serializers.page(found, lambda thread: serializers.thread(thread, viewer=caller))


@bp.post("/threads")
def start_thread():
    """Ask; the answer carries warnings[] (write_checks), or with check_only only the findings, nothing stored."""
    user = signed_in_user()
    data = json_body()
    check_only = wants_check_only(data)
    new = posting.NewThread(
        category_id=id_field(data, "category_id"),
        title=field(data, "title", str),
        body=field(data, "body", str),
        tags=field(data, "tags", list, required=False, default=[]),
        kind=field(data, "kind", str, required=False, default=ThreadKind.QUESTION.value),
    )
    findings = write_checks.for_new_thread(user, new.title, new.body)
    if check_only:
        require(user, Action.THREAD_CREATE)
        return check_answer(findings)
    return with_warnings(_thread(posting.start_thread(user, new), user), findings), 201


@bp.get("/threads/<id:thread_id>")
def show_thread(thread_id: int):
    """The thread; signed-in callers also get what they did on it (three small queries)."""
    caller = viewer()
    thread = reading.get_thread(caller, thread_id)
    if thread.merged_into_id is not None:  # only moderators get here (it is deleted): its posts live there
        raise NotFound(_("This thread was merged into thread %(id)s.", id=thread.merged_into_id))
    question = reading.question_post(thread)
    state = None
    if caller is not None:
        state = {
            "voted": question.id in qa.voted_post_ids(caller, [question.id]),
            "me_too": qa.has_me_too(caller, thread),
            "watching": subscriptions.is_watching(caller, thread),
        }
    return serializers.thread(thread, question, caller, viewer_state=state)


@bp.patch("/threads/<id:thread_id>")
def update_thread(thread_id: int):
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    data = json_body()
    check_only = wants_check_only(data)
    change = posting.ThreadChange(
        title=field(data, "title", str, required=False),
        tags=field(data, "tags", list, required=False),
        category_id=id_field(data, "category_id", required=False),
        locked=field(data, "locked", bool, required=False),
        pinned=field(data, "pinned", bool, required=False),
        reason=field(data, "reason", str, required=False, default=""),
    )
    findings = write_checks.for_title_edit(user, thread, change.title)
    if check_only:
        require(user, Action.THREAD_EDIT, thread)
        return check_answer(findings)
    return with_warnings(_thread(posting.update_thread(user, thread, change), user), findings)


@bp.get("/threads/<id:thread_id>/posts")
def list_replies(thread_id: int):
    caller = viewer()
    thread = reading.get_thread(caller, thread_id)
    limit, cursor = page_params()
    found = reading.list_replies(caller, thread, limit, cursor, sort=request.args.get("sort") or "oldest")
    voted = qa.voted_post_ids(caller, [post.id for post in found.items])  # one query for the page
    return serializers.page(found, lambda post: serializers.post(
        post, caller, thread=thread, voted=post.id in voted if caller is not None else None))


@bp.post("/threads/<id:thread_id>/posts")
def reply_to_thread(thread_id: int):
    """Reply: everything up to the checks' verdict reads outside SQLite's write lock (database.reading),
    so concurrent replies queue only for the writes, not for each other's spam and permission checks."""
    user = signed_in_user()
    with database.reading():
        thread = reading.get_thread(user, thread_id)
        data = json_body()
        check_only = wants_check_only(data)
        body = field(data, "body", str)
        findings = write_checks.for_reply(body)
        if check_only:
            require(user, Action.THREAD_REPLY, thread)
            return check_answer(findings)
        review = posting.check_reply(user, thread, body)
    post = posting.publish_reply(user, thread, review, keep_loaded=True)  # the answer reads no rows back
    return with_warnings(serializers.post(post, user, thread=thread), findings), 201
