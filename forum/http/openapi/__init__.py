"""GET /openapi.json: the hand-written OpenAPI 3.1 description of every /api/v1 route.

Kept as plain data next to the views it describes; tests/api/test_openapi.py fails when a
route exists without an entry here (or the other way round), so the document cannot drift.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from forum.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from forum.http.api import bp
from forum.models import (
    CasePriority,
    CaseSource,
    CaseStatus,
    Correction,
    LedgerReason,
    MessageVisibility,
    NotificationKind,
    Role,
    ThreadKind,
    ThreadStatus,
)
from forum.models.cases import EscalationRating
from forum.services.notifications import EMAIL_FREQUENCIES

Schema = dict[str, Any]

EXAMPLE_PASSWORD = "correct horse battery staple"  # nosec B105  # an example in the documentation
ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, or a cookie-authenticated write without a valid X-CSRFToken header.",
    401: "Not authenticated: no credentials for a write, or a bad or revoked bearer token.",
    403: "Authenticated but not allowed (including writes with a read-only token).",
    404: "Not found, or not visible to the caller.",
    409: "Conflicts with existing data.",
    413: "The request body is too large.",
    415: "The body is not application/json.",
    422: "Validation failed; `errors` maps each field to its messages.",
    429: "Rate limited: try again after Retry-After seconds.",
}
WRITE_ERRORS = (400, 401, 403, 413, 415, 422)
RATE_LIMITED = (429,)  # for the writes domain.md limits: sign-in, registration, threads, replies, votes, flags
RETRY_AFTER = {"Retry-After": {"description": "Seconds until the limit resets.",
                               "schema": {"type": "integer", "minimum": 0}}}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(status: int, description: str, schema: Schema | None, errors: tuple[int, ...]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": description}
    if schema is not None:
        ok["content"] = _json(schema)
    answers = {str(status): ok}
    for code in sorted(set(errors)):
        answers[str(code)] = {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        if code == 429:
            answers[str(code)]["headers"] = RETRY_AFTER
    return answers


def operation(
    summary: str,
    ok: tuple[int, str, Schema | None],
    errors: tuple[int, ...] = (),
    *,
    body: Schema | None = None,
    params: list[Schema] | None = None,
    public: bool = False,
    body_required: bool = True,
    example: Any = None,
) -> dict[str, Any]:
    """One operation; public ones also work without credentials. An example body is what a client would send."""
    op: dict[str, Any] = {"summary": summary, "responses": _responses(*ok, errors)}
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": body_required, "content": _json(body)}
        if example is not None:
            op["requestBody"]["content"]["application/json"]["example"] = example
    op["security"] = [{}, {"bearer": []}, {"session": []}] if public else [{"bearer": []}, {"session": []}]
    return op


def path_id(name: str, what: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1},
    }


def query(name: str, description: str, schema: Schema) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


PAGE_PARAMS = [
    query("limit", "Items per page.",
          {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    query("cursor", "The opaque next_cursor of the previous page.", {"type": "string"}),
]


def obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def list_of(item: str) -> Schema:
    """The list envelope of item, kept in components as <item>List."""
    return ref(f"{item}List")


def envelope(item: str) -> Schema:
    return obj(
        {"items": {"type": "array", "items": ref(item)}, "next_cursor": {"type": ["string", "null"]}},
        ["items", "next_cursor"],
    )


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TAGS = {"type": "array", "items": STRING, "maxItems": 5}


def _account_paths() -> dict[str, Any]:
    credentials = obj({"email": STRING, "password": STRING, "name": STRING}, ["email", "password"])
    registration = obj(
        {"username": STRING, "email": {"type": "string", "format": "email"}, "password": STRING,
         "display_name": STRING},
        ["username", "email", "password"],
    )
    token = obj({"token": STRING, "user": ref("User")}, ["token", "user"])
    return {
        "/tokens": {
            "post": operation("Sign in: mint a bearer token", (201, "The token (shown once)", token),
                              (400, 401, 413, 415, 422, *RATE_LIMITED), body=credentials, public=True,
                              example={"email": "member@example.com", "password": EXAMPLE_PASSWORD,
                                       "name": "my laptop"}),
        },
        "/tokens/current": {
            "delete": operation("Revoke the bearer token of this request", (204, "Revoked", None), (401, 403)),
        },
        "/users": {
            "post": operation("Register an account", (201, "The new user", ref("User")),
                              (400, 409, 413, 415, 422, *RATE_LIMITED), body=registration, public=True,
                              example={"username": "newcomer", "email": "newcomer@example.com",
                                       "password": EXAMPLE_PASSWORD}),
        },
        "/users/{user_id}": {
            "get": operation("A public profile", (200, "The user", ref("User")), (404,),
                             params=[path_id("user_id", "user")], public=True),
        },
        "/users/{user_id}/reputation": {
            "get": operation("A user's reputation ledger, newest first: every row that moved the total",
                             (200, "A page of ledger rows", list_of("LedgerRow")), (404, 422),
                             params=[path_id("user_id", "user"), *PAGE_PARAMS], public=True),
        },
        "/me": {
            "get": operation("The caller's own account, with the unread notification count",
                             (200, "The caller", ref("Me")), (401,)),
            "patch": operation("Change the caller's profile and email preferences; fields left out are kept",
                               (200, "The caller", ref("Me")), WRITE_ERRORS, body=ref("MeChange")),
        },
    }


def _category_paths() -> dict[str, Any]:
    new_category = obj(
        {"slug": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 64},
         "name": {"type": "string", "maxLength": 80}, "description": STRING, "position": INTEGER},
        ["slug", "name"],
    )
    return {
        "/categories": {
            "get": operation("Every category, in display order", (200, "Categories", list_of("Category")),
                             public=True),
            "post": operation("Create a category (admin)", (201, "The category", ref("Category")),
                              (*WRITE_ERRORS, 409), body=new_category),
        },
    }


def _thread_list_params() -> list[Schema]:
    return [
        query("category", "A category id or slug.", STRING),
        query("tag", "Only threads with this tag.", STRING),
        query("status", "Only threads in this status.", {"enum": [s.value for s in ThreadStatus]}),
        query("filter", "unanswered, unsolved or solved questions.", {"enum": ["unanswered", "unsolved", "solved"]}),
        query("sort", "Newest first by creation (latest) or by last activity (active), or most helpful "
              "votes on the question first (votes).",
              {"enum": ["latest", "active", "votes"], "default": "active"}),
        *PAGE_PARAMS,
    ]


def _thread_paths() -> dict[str, Any]:
    new_thread = obj(
        {"category_id": INTEGER, "title": {"type": "string", "minLength": 8, "maxLength": 200},
         "body": {"type": "string", "description": "Markdown"}, "tags": TAGS,
         "kind": {"enum": [k.value for k in ThreadKind], "default": "question"}},
        ["category_id", "title", "body"],
    )
    change = obj({"title": STRING, "tags": TAGS, "category_id": INTEGER, "locked": BOOLEAN, "pinned": BOOLEAN})
    thread_id = path_id("thread_id", "thread")
    return {
        "/threads": {
            "get": operation("List threads", (200, "A page of threads", list_of("Thread")), (422,),
                             params=_thread_list_params(), public=True),
            "post": operation("Start a thread", (201, "The thread", ref("Thread")), (*WRITE_ERRORS, *RATE_LIMITED),
                              body=new_thread, example={"category_id": 1, "title": "Router drops the connection",
                                                        "body": "Every evening at 8.", "tags": ["router"]}),
        },
        "/threads/{thread_id}": {
            "get": operation("A thread with its first post", (200, "The thread", ref("Thread")), (404,),
                             params=[thread_id], public=True),
            "patch": operation(
                "Change a thread: authors set title and tags; moderators also category_id, locked, pinned",
                (200, "The thread", ref("Thread")), (*WRITE_ERRORS, 404), body=change, params=[thread_id],
            ),
        },
        "/threads/{thread_id}/posts": {
            "get": operation(
                "Replies, oldest first; or sort=votes: the accepted reply first, then by helpful votes",
                (200, "A page of posts", list_of("Post")), (404, 422),
                params=[thread_id, query("sort", "Reply order.", {"enum": ["oldest", "votes"], "default": "oldest"}),
                        *PAGE_PARAMS],
                public=True,
            ),
            "post": operation("Reply (403 when the thread is locked)", (201, "The reply", ref("Post")),
                              (*WRITE_ERRORS, 404, *RATE_LIMITED), body=obj({"body": STRING}, ["body"]),
                              params=[thread_id], example={"body": "Try channel 6; it fixed mine."}),
        },
    }


ACTION_ERRORS = (400, 401, 403, 404)  # bodyless writes: CSRF, sign-in, permission, visibility


def _qa_paths() -> dict[str, Any]:
    thread_id = path_id("thread_id", "thread")
    thread = (200, "The thread", ref("Thread"))
    feedback = obj(
        {"resolved": BOOLEAN, "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
         "comment": {"type": ["string", "null"], "maxLength": 2000}},
        ["resolved"],
    )
    return {
        "/threads/{thread_id}/accepted": {
            "put": operation(
                "Accept a reply as the solution, replacing any earlier one (asker or staff); 409 for discussions",
                thread, (*WRITE_ERRORS, 404, 409), body=obj({"post_id": INTEGER}, ["post_id"]), params=[thread_id],
            ),
            "delete": operation("Remove the accepted solution (asker or staff); the thread is answered or open again",
                                thread, (*ACTION_ERRORS, 409), params=[thread_id]),
        },
        "/threads/{thread_id}/me-too": {
            "post": operation("\"I have this question too\" (counted once per user; also watches the thread)",
                              (200, "The new count", ref("MeTooCount")), ACTION_ERRORS, params=[thread_id]),
            "delete": operation("Take back \"me too\"", (200, "The new count", ref("MeTooCount")), ACTION_ERRORS,
                                params=[thread_id]),
        },
        "/threads/{thread_id}/subscription": {
            "post": operation("Watch the thread: hear about its replies", (204, "Watching", None), ACTION_ERRORS,
                              params=[thread_id]),
            "delete": operation("Mute the thread, also against later automatic watches", (204, "Muted", None),
                                ACTION_ERRORS, params=[thread_id]),
        },
        "/threads/{thread_id}/feedback": {
            "post": operation("\"Did this resolve your issue?\" (asker only); a no offers escalation",
                              (201, "The recorded feedback", ref("Feedback")), (*WRITE_ERRORS, 404),
                              body=feedback, params=[thread_id]),
        },
        "/threads/{thread_id}/needs-info": {
            "post": operation(
                "Ask the asker for more information (advocates and staff); 409 unless an open or answered question",
                thread, (*WRITE_ERRORS, 404, 409), body=obj({"note": {"type": "string", "maxLength": 1000}}, ["note"]),
                params=[thread_id],
            ),
            "delete": operation("The information was given (asker or staff): back to open or answered",
                                thread, ACTION_ERRORS, params=[thread_id]),
        },
    }


def _notification_paths() -> dict[str, Any]:
    marked = obj({"marked": INTEGER, "unread": INTEGER}, ["marked", "unread"])
    return {
        "/notifications": {
            "get": operation("The caller's notifications, newest first",
                             (200, "A page of notifications", list_of("Notification")), (401, 422),
                             params=PAGE_PARAMS),
        },
        "/notifications/read": {
            "post": operation(
                "Mark the given notifications read (only the caller's own), or all of them when ids is left out",
                (200, "How many changed, and how many are still unread", marked), WRITE_ERRORS,
                body=obj({"ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 1000}}),
                body_required=False,
            ),
        },
    }


def _post_paths() -> dict[str, Any]:
    post_id = path_id("post_id", "post")
    votes = (200, "The post's helpful votes", ref("VoteCount"))
    return {
        "/posts/{post_id}/votes": {
            "post": operation("Vote the post helpful (not your own: 403); voting twice counts once", votes,
                              (*ACTION_ERRORS, *RATE_LIMITED), params=[post_id]),
            "delete": operation("Withdraw your helpful vote", votes, ACTION_ERRORS, params=[post_id]),
        },
        "/posts/{post_id}": {
            "patch": operation("Edit a post (author or moderator); the old body becomes a revision",
                               (200, "The post", ref("Post")), (*WRITE_ERRORS, 404),
                               body=obj({"body": STRING}, ["body"]), params=[post_id]),
            "delete": operation("Soft-delete a post (author or moderator)", (204, "Deleted", None),
                                (400, 401, 403, 404), params=[post_id]),
        },
        "/posts/{post_id}/revisions": {
            "get": operation("Earlier versions of a post, oldest first", (200, "Revisions", list_of("Revision")),
                             (404,), params=[post_id], public=True),
        },
    }


def _case_paths() -> dict[str, Any]:
    case_id, case = path_id("case_id", "case"), (200, "The case", ref("Case"))
    change = obj({"status": {"enum": [s.value for s in CaseStatus]},
                  "priority": {"enum": [p.value for p in CasePriority]},
                  "assignee_id": {"type": ["integer", "null"], "description": "An agent's id; null unassigns."},
                  "escalation_rating": RATING})
    message = obj({"body": STRING, "visibility": {"enum": [v.value for v in MessageVisibility], "default": "customer"}},
                  ["body"])
    resolution = obj({"resolution": {**STRING, "description": "Markdown"},
                      "publish_to_thread": {**BOOLEAN, "default": True}}, ["resolution"])
    filters = [query("status", "Only cases in this status.", {"enum": [s.value for s in CaseStatus]}),
               query("priority", "Only this priority.", {"enum": [p.value for p in CasePriority]}),
               query("assignee", "me, none, or a user id.",
                     {"anyOf": [{"enum": ["me", "none"]}, {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}]}),
               query("category", "A category id.", INTEGER),
               query("overdue", "Only cases past their first-response due time.", BOOLEAN), *PAGE_PARAMS]
    escalate = operation(
        "Ask support for help (asker), recommend it (advocates) or escalate (staff); 200 with the open case "
        "when there already is one", (201, "The new case", ref("Case")), (*WRITE_ERRORS, 404),
        body=obj({"reason": {"type": "string", "maxLength": 2000}}), params=[path_id("thread_id", "thread")],
        body_required=False)
    escalate["responses"]["200"] = {"description": "The thread's open case (nothing new was opened)",
                                    "content": _json(ref("Case"))}
    return {
        "/threads/{thread_id}/escalations": {"post": escalate},
        "/cases": {"get": operation("The agents' queue: open cases first, oldest due first (agents, admins)",
                                    (200, "A page of cases", list_of("Case")), (401, 403, 422), params=filters)},
        "/cases/{case_id}": {
            "get": operation("A case with the messages the caller may see (agents, or its customer)", case, (404,),
                             params=[case_id]),
            "patch": operation("Change status, priority, assignee or the escalation rating (agents)", case,
                               (*WRITE_ERRORS, 404, 409),
                               body=change, params=[case_id]),
        },
        "/cases/{case_id}/messages": {"post": operation(
            "Write in the private case conversation; internal notes are for agents only (403 for the customer)",
            (201, "The message", ref("CaseMessage")), (*WRITE_ERRORS, 404, 409), body=message, params=[case_id])},
        "/cases/{case_id}/resolution": {"post": operation(
            "Resolve the case; by default the resolution becomes the thread's accepted staff answer (agents)",
            case, (*WRITE_ERRORS, 404, 409), body=resolution, params=[case_id])},
    }


RATING: Schema = {"enum": [*(r.value for r in EscalationRating), None],
                  "description": "The agent's rating of the escalation, for tuning escalation rules; null clears it."}


def _case_schemas() -> dict[str, Schema]:
    nullable_user = {"anyOf": [ref("UserSummary"), {"type": "null"}]}
    message = obj({"id": INTEGER, "case_id": INTEGER, "author": nullable_user,
                   "visibility": {"enum": [v.value for v in MessageVisibility]}, "body": STRING, "body_html": STRING,
                   "created_at": TIME}, ["id", "case_id", "author", "visibility", "body", "body_html", "created_at"])
    case = obj(
        {"id": INTEGER, "thread_id": INTEGER, "public_reference": STRING, "customer": ref("UserSummary"),
         "status": {"enum": [s.value for s in CaseStatus]}, "priority": {"enum": [p.value for p in CasePriority]},
         "assignee": nullable_user, "reason": STRING, "source": {"enum": [s.value for s in CaseSource]},
         "external_ref": {"type": ["string", "null"]}, "first_response_due_at": TIME,
         "first_response_at": NULLABLE_TIME, "resolution": {"type": ["string", "null"]},
         "resolution_post_id": {"type": ["integer", "null"]}, "resolved_at": NULLABLE_TIME, "created_at": TIME,
         "updated_at": TIME, "escalation_rating": {**RATING, "description": "Agents only: " + RATING["description"]},
         "messages": {"type": "array", "items": ref("CaseMessage"),
                      "description": "Only on GET /cases/{case_id}; internal notes only for agents."}},
        ["id", "thread_id", "customer", "status", "priority", "assignee", "reason", "source", "external_ref",
         "first_response_due_at", "resolved_at", "created_at"],
    )
    return {"Case": case, "CaseMessage": message}


def _admin_paths() -> dict[str, Any]:
    return {
        "/settings": {
            "get": operation("Community settings (admin)", (200, "Every setting", ref("Settings")), (401, 403)),
            "patch": operation("Change some settings (admin); unknown keys or bad values are a 422",
                               (200, "Every setting", ref("Settings")), WRITE_ERRORS, body=ref("Settings"),
                               example={"moderation.hide_threshold": 4}),
        },
        "/openapi.json": {
            "get": operation("This document", (200, "OpenAPI 3.1", {"type": "object"}), public=True),
        },
    }


def _resource_schemas() -> dict[str, Schema]:
    summary = obj(
        {"id": INTEGER, "username": STRING, "display_name": STRING, "role": {"enum": [r.value for r in Role]},
         "reputation": INTEGER, "rank": STRING},
        ["id", "username", "display_name", "role", "reputation", "rank"],
    )
    post = obj(
        {"id": INTEGER, "thread_id": INTEGER, "author": ref("UserSummary"), "body": STRING, "body_html": STRING,
         "vote_count": INTEGER, "is_accepted": BOOLEAN, "is_staff": BOOLEAN,
         "hidden": {**BOOLEAN, "description": "Not visible to everyone: pending approval, hidden or deleted."},
         "visibility": {"enum": ["public", "pending", "hidden"]},
         "moderation_note": {**STRING, "description": "Why it waits or was hidden (its author and moderators)."},
         "deleted": BOOLEAN, "created_at": TIME, "edited_at": NULLABLE_TIME,
         "viewer": {**obj({"voted": BOOLEAN}), "description": "Signed-in callers, in reply lists and first_post."}},
        ["id", "thread_id", "author", "body", "body_html", "created_at"],
    )
    return {
        "UserSummary": summary,
        "User": {"allOf": [summary, obj({"badges": {"type": "array", "items": obj(
            {"code": STRING, "name": STRING, "tier": {"enum": ["bronze", "silver", "gold"]}, "granted_at": TIME},
            ["code", "name", "tier", "granted_at"])}, "created_at": TIME})]},
        "Me": {"allOf": [ref("User"), obj(
            {"email": STRING, "bio": STRING, "time_zone": STRING, "email_frequency": {"enum": list(EMAIL_FREQUENCIES)},
             "weekly_digest": BOOLEAN, "notifications_unread": INTEGER,
             "suspension": {"type": ["object", "null"], "description": "{until, reason} while suspended, else null"}},
            ["email", "email_frequency", "weekly_digest", "notifications_unread"],
        )]},
        "MeChange": obj(
            {"display_name": {"type": "string", "maxLength": 64}, "bio": {"type": "string", "maxLength": 2000},
             "time_zone": {"type": "string", "description": "An IANA time zone, e.g. Europe/Berlin."},
             "email_frequency": {"enum": list(EMAIL_FREQUENCIES)}, "weekly_digest": BOOLEAN},
        ),
        "Category": obj(
            {"id": INTEGER, "slug": STRING, "name": STRING, "description": STRING, "position": INTEGER,
             "thread_count": INTEGER},
            ["id", "slug", "name", "description", "thread_count"],
        ),
        "Thread": _thread_schema(),
        "Post": post,
        "Notification": obj(
            {"id": INTEGER, "kind": {"enum": [k.value for k in NotificationKind]},
             "thread_id": {"type": ["integer", "null"]}, "post_id": {"type": ["integer", "null"]},
             "actor": {"anyOf": [ref("UserSummary"), {"type": "null"}]}, "count": INTEGER, "message": STRING,
             "summary": {**STRING, "description": "One plain-text line."},
             "url": {"type": ["string", "null"], "description": "Site path of the thread (and post anchor)."},
             "created_at": TIME, "read_at": NULLABLE_TIME},
            ["id", "kind", "thread_id", "post_id", "actor", "count", "message", "summary", "url", "created_at",
             "read_at"],
        ),
        "Feedback": obj(
            {"id": INTEGER, "thread_id": INTEGER, "resolved": BOOLEAN, "rating": {"type": ["integer", "null"]},
             "comment": STRING, "created_at": TIME,
             "offers_escalation": {**BOOLEAN, "description": "True when the asker should be offered the support "
                                                             "team."}},
            ["id", "thread_id", "resolved", "rating", "comment", "created_at", "offers_escalation"],
        ),
        "LedgerRow": obj(
            {"id": INTEGER, "delta": {**INTEGER, "description": "Points; negative for a reversal."},
             "reason": {"enum": [r.value for r in LedgerReason]}, "post_id": {"type": ["integer", "null"]},
             "thread_id": {"type": ["integer", "null"]},
             "reverses_id": {"type": ["integer", "null"], "description": "The row this one reverses exactly."},
             "correction": {"enum": [None, *(c.value for c in Correction)],
                            "description": "Why a reversal was written, or restored for a re-award."},
             "created_at": TIME},
            ["delta", "reason", "post_id", "created_at"],
        ),
        "MeTooCount": obj({"me_too_count": INTEGER}, ["me_too_count"]),
        "VoteCount": obj({"vote_count": INTEGER}, ["vote_count"]),
        "Revision": obj({"id": INTEGER, "editor": ref("UserSummary"), "body": STRING, "created_at": TIME},
                        ["id", "editor", "body", "created_at"]),
        "Settings": {"type": "object", "description": "Flat {key: value}; keys as in domain.md.",
                     "additionalProperties": {"type": "number"}},
    }


def _thread_schema() -> Schema:
    return obj(
        {"id": INTEGER, "category_id": INTEGER, "title": STRING, "slug": STRING,
         "kind": {"enum": [k.value for k in ThreadKind]}, "status": {"enum": [s.value for s in ThreadStatus]},
         "solved_by": {"enum": [None, "community", "support"]}, "author": ref("UserSummary"), "tags": TAGS,
         "reply_count": INTEGER, "vote_count": INTEGER, "me_too_count": INTEGER,
         "accepted_post_id": {"type": ["integer", "null"]}, "solved_at": NULLABLE_TIME,
         "needs_info": {"anyOf": [obj({"note": STRING, "since": NULLABLE_TIME}, ["note", "since"]),
                                  {"type": "null"}],
                        "description": "What the asker was asked for, while the status is needs_info."},
         "case": {"anyOf": [obj({"id": INTEGER, "status": {"enum": [s.value for s in CaseStatus]},
                                 "public_reference": STRING}, ["id", "status", "public_reference"]),
                            {"type": "null"}], "description": "The open case, else the latest one; null if none."},
         "locked": BOOLEAN, "pinned": BOOLEAN, "created_at": TIME, "last_activity_at": TIME,
         "visibility": {"enum": ["pending", "hidden"], "description": "Only on threads not visible to everyone."},
         "merged_into_id": {"type": ["integer", "null"], "description": "Moderators only, in lists. A thread "
                            "merged into another is deleted and GET answers 404 (its posts live in the target)."},
         "first_post": {**ref("Post"), "description": "Only on a single thread, not in lists."},
         "viewer": {**obj({"voted": BOOLEAN, "me_too": BOOLEAN, "watching": BOOLEAN}, ["voted", "me_too", "watching"]),
                    "description": "Only on GET /threads/{thread_id} for signed-in callers."}},
        ["id", "category_id", "title", "kind", "status", "author", "tags", "reply_count", "locked", "pinned",
         "created_at", "last_activity_at"],
    )


def _problem_schema() -> Schema:
    return obj(
        {"type": {"type": "string", "format": "uri"}, "title": STRING, "status": INTEGER, "detail": STRING,
         "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STRING}}},
        ["type", "title", "status", "detail"],
    )


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, as a JSON-ready dict."""
    schemas = {**_resource_schemas(), **_case_schemas(), "Problem": _problem_schema()}
    schemas.update({f"{name}List": envelope(name)
                    for name in ("Category", "Thread", "Post", "Revision", "Notification", "LedgerRow", "Case")})
    paths = {**_account_paths(), **_category_paths(), **_thread_paths(), **_qa_paths(), **_post_paths(),
             **_notification_paths(), **_case_paths(), **_admin_paths()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Horseshoe API",
            "version": "1",
            "description": "Peer-support community. Errors, including unexpected 500s, are RFC 9457 "
                           "application/problem+json.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /tokens."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The site's own pages; writes also need the X-CSRFToken header."},
            },
        },
    }


NOT_MODIFIED = {"description": "Not modified: the request's If-None-Match header named the current ETag "
                               "(every 200 read carries one). No body.",
                "headers": {"ETag": {"description": "The current entity tag.", "schema": {"type": "string"}}}}


def with_cross_cutting_answers(paths: dict[str, Any]) -> dict[str, Any]:
    """Answers every route can give, said once here rather than in each module.

    Any request with a bad or revoked bearer token is a 401, public reads included (forum/api/requests.py);
    every GET answers with an ETag and honours If-None-Match with a 304 (forum/api/conditional.py). The
    header is described in the 304 answer rather than as a parameter, so parameter lists stay each route's own.
    """
    unauthenticated = _responses(200, "", None, (401,))["401"]
    for operations in paths.values():
        for method, op in operations.items():
            op["responses"].setdefault("401", unauthenticated)
            if method == "get":
                op["responses"].setdefault("304", NOT_MODIFIED)
    return paths


@bp.get("/openapi.json")
def show_openapi():
    """Serve the document; other packages may add paths under app.extensions["openapi_paths"]."""
    spec = document()
    spec["paths"].update(current_app.extensions.get("openapi_paths", {}))
    with_cross_cutting_answers(spec["paths"])
    return spec
