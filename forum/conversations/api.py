"""/api/v1/conversations: the caller's private conversations, starting one, reading one, writing in one, flagging.

Only participants see a conversation: anyone else gets a 404, moderators included (they read a
flagged one through the flag, on the moderation pages). Starting and writing run the personal-data
check like POST /threads: the answer carries warnings[], and "check_only": true asks first.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.blueprints import BlueprintSetupState

from forum.conversations import flagging, messaging, starting
from forum.core.i18n import N_, _, _l
from forum.http import openapi
from forum.http.api import bp
from forum.http.api_requests import field, id_list, json_body, page_params, signed_in_user
from forum.http.problems import problem
from forum.http.serializers import timestamp, user_summary
from forum.models import Conversation, ConversationMessage, User
from forum.services.permissions import Action, require
from forum.services.write_checks import Findings

PERSONAL_DATA_DETAIL = _l("This looks like personal data. Conversations are private to their participants, but "
                          "think twice before sharing it; account matters belong in a support case.")


def message_json(message: ConversationMessage) -> dict[str, Any]:
    hidden = message.hidden_at is not None
    return {"id": message.id, "conversation_id": message.conversation_id, "author": user_summary(message.author),
            "body": "" if hidden else message.body, "body_html": "" if hidden else message.body_html,
            "hidden": hidden, "created_at": timestamp(message.created_at)}


def conversation_json(conversation: Conversation, viewer: User, messages: list | None = None) -> dict[str, Any]:
    data = {
        "id": conversation.id, "title": conversation.title, "staff_started": conversation.staff_started,
        "started_by": user_summary(conversation.started_by) if conversation.started_by else None,
        "participants": [user_summary(p.user) for p in conversation.participants if p.left_at is None],
        "unread": messaging.is_unread(conversation, viewer),
        "created_at": timestamp(conversation.created_at), "last_message_at": timestamp(conversation.last_message_at),
    }
    if messages is not None:
        data["messages"] = [message_json(message) for message in messages]
    return data


def warnings(findings: Findings) -> list[dict[str, Any]]:
    if not findings.personal_data:
        return []
    found = [{"kind": f.kind.value, "label": f.label, "masked": f.masked} for f in findings.personal_data]
    return [{"type": "personal_data", "detail": str(PERSONAL_DATA_DETAIL), "findings": found}]


def check_answer(findings: Findings):
    """check_only: 409 with the findings, or 200 {warnings: []}; nothing is stored either way."""
    found = warnings(findings)
    if not found:
        return {"warnings": []}, 200
    return problem(409, N_("Review before posting"), _("Nothing was stored: the text has findings (personal data)."),
                   extra={"warnings": found})


@bp.get("/conversations")
def list_conversations():
    user = signed_in_user()
    limit, cursor = page_params()
    found = messaging.list_conversations(user, limit, cursor)
    return {"items": [conversation_json(row.conversation, user) for row in found.items],
            "next_cursor": found.next_cursor}


@bp.post("/conversations")
def start_conversation():
    user = signed_in_user()
    data = json_body()
    check_only = field(data, "check_only", bool, required=False, default=False)
    new = starting.NewConversation(user_ids=id_list(data, "user_ids", max_items=50) or [],
                                   title=field(data, "title", str), body=field(data, "body", str))
    findings = starting.findings_for(new.title, new.body)
    if check_only:
        starting.check_may_start(user)
        return check_answer(findings)
    try:
        conversation = starting.start_conversation(user, new)
    except starting.DailyLimitReached as exc:
        return problem(429, exc.title, exc.detail, Retry_After="3600")
    payload = conversation_json(conversation, user, messaging.messages_of(conversation))
    return {**payload, "warnings": warnings(findings)}, 201, {"Location": f"/api/v1/conversations/{conversation.id}"}


@bp.get("/conversations/<id:conversation_id>")
def show_conversation(conversation_id: int):
    """Read one conversation (participants only); reading it marks it read for the caller."""
    user = signed_in_user()
    conversation, messages = messaging.read_conversation(user, conversation_id)
    return conversation_json(conversation, user, messages)


@bp.post("/conversations/<id:conversation_id>/messages")
def post_conversation_message(conversation_id: int):
    user = signed_in_user()
    data = json_body()
    check_only = field(data, "check_only", bool, required=False, default=False)
    body = field(data, "body", str)
    findings = starting.findings_for(body)
    if check_only:
        require(user, Action.CONVERSATION_REPLY, messaging.get_conversation(user, conversation_id))
        return check_answer(findings)
    message = messaging.reply(user, conversation_id, body)
    return {**message_json(message), "warnings": warnings(findings)}, 201


@bp.post("/conversations/<id:conversation_id>/messages/<id:message_id>/flags")
def flag_conversation_message(conversation_id: int, message_id: int):
    user = signed_in_user()
    data = json_body()
    flag = flagging.flag_message(user, message_id, field(data, "reason", str),
                                 field(data, "note", str, required=False, default=""), conversation_id=conversation_id)
    return {"id": flag.id, "message_id": flag.message_id, "reason": flag.reason,
            "created_at": timestamp(flag.created_at)}, 201


def _schemas() -> tuple[dict, dict]:
    o = openapi
    summary = o.ref("UserSummary")
    message = o.obj({"id": o.INTEGER, "conversation_id": o.INTEGER, "author": summary, "body": o.STRING,
                     "body_html": o.STRING, "hidden": {**o.BOOLEAN, "description": "Hidden by a moderator acting "
                                                       "on a flag: body and body_html are then empty."},
                     "created_at": o.TIME},
                    ["id", "conversation_id", "author", "body", "body_html", "hidden", "created_at"])
    conversation = o.obj({
        "id": o.INTEGER, "title": o.STRING, "staff_started": o.BOOLEAN,
        "started_by": {"anyOf": [summary, {"type": "null"}]}, "participants": {"type": "array", "items": summary},
        "unread": {**o.BOOLEAN, "description": "A message came after the caller last read it."},
        "created_at": o.TIME, "last_message_at": o.TIME,
        "messages": {"type": "array", "items": message, "description": "Oldest first; on single conversations."},
    }, ["id", "title", "staff_started", "started_by", "participants", "unread", "created_at", "last_message_at"])
    return conversation, message


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    conversation, message = _schemas()
    warned = {"warnings": {"type": "array", "items": o.ref("WriteWarning")}}
    check_only = {"type": "boolean", "default": False,
                  "description": "Ask first: nothing is stored; 409 with the findings, or 200 {warnings: []}."}
    page = o.obj({"items": {"type": "array", "items": conversation}, "next_cursor": {"type": ["string", "null"]}},
                 ["items", "next_cursor"])
    conversation_id = o.path_id("conversation_id", "conversation")
    listing = o.operation("The caller's conversations, latest activity first", (200, "A page", page),
                          (401, 422), params=o.PAGE_PARAMS)
    start = o.operation(
        "Start a private conversation with 1 to conversations.max_participants - 1 others (new accounts and "
        "those ignored by someone named are refused; staff are exempt from the sandbox and the daily limit)",
        (201, "The conversation with its first message", {"allOf": [conversation, o.obj(warned)]}),
        (*o.WRITE_ERRORS, 409, 429),
        body=o.obj({"user_ids": {"type": "array", "items": {"type": "integer", "minimum": 1}}, "title": o.STRING,
                    "body": o.STRING, "check_only": check_only}, ["user_ids", "title", "body"]))
    show = o.operation("One conversation (participants only; reading marks it read)", (200, "It", conversation),
                       (401, 404), params=[conversation_id])
    write = o.operation("Write in a conversation (active participants)",
                        (201, "The message", {"allOf": [message, o.obj(warned)]}), (*o.WRITE_ERRORS, 404, 409, 429),
                        body=o.obj({"body": o.STRING, "check_only": check_only}, ["body"]), params=[conversation_id])
    flag = o.operation(
        "Flag another participant's message: it goes to the moderators, who may then read the conversation",
        (201, "The flag", o.obj({"id": o.INTEGER, "message_id": o.INTEGER, "reason": o.STRING, "created_at": o.TIME})),
        (*o.WRITE_ERRORS, 404, 409),
        body=o.obj({"reason": {"enum": list(flagging.REASONS)}, "note": o.STRING}, ["reason"]),
        params=[conversation_id, o.path_id("message_id", "message")])
    return {
        "/conversations": {"get": listing, "post": start},
        "/conversations/{conversation_id}": {"get": show},
        "/conversations/{conversation_id}/messages": {"post": write},
        "/conversations/{conversation_id}/messages/{message_id}/flags": {"post": flag},
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())


def init_app(app: Flask) -> None:
    """The routes join the API blueprint on import."""
