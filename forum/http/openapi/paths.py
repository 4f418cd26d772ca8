"""The forum's own OpenAPI path entries: accounts, categories, threads, Q&A, posts, notifications, cases, admin."""

from __future__ import annotations

from typing import Any

from forum.http.openapi.builder import (
    ACTION_ERRORS,
    BOOLEAN,
    INTEGER,
    PAGE_PARAMS,
    RATE_LIMITED,
    STRING,
    TAGS,
    WRITE_ERRORS,
    Schema,
    json_content,
    list_of,
    obj,
    operation,
    path_id,
    query,
    ref,
)
from forum.http.openapi.schemas import RATING
from forum.models import CasePriority, CaseStatus, MessageVisibility, ThreadKind, ThreadStatus

EXAMPLE_PASSWORD = "correct horse battery staple"  # nosec B105  # an example in the documentation


REASON = {"type": "string", "maxLength": 1000,
          "description": "Why a moderator changed someone else's post: required of them, shown to the author and "
                         "kept in the audit log."}
CHECK_ONLY = {"type": "boolean", "default": False,
              "description": "Ask first: nothing is stored; 409 with the findings, or 200 {warnings: []}."}


def _warned(name: str) -> Schema:
    """A stored resource with the write checks' warnings[] (personal data, similar solved questions)."""
    return {"allOf": [ref(name), obj({"warnings": {"type": "array", "items": ref("WriteWarning")}}, ["warnings"])]}


def _checked(op: dict[str, Any]) -> dict[str, Any]:
    """Document check_only's answers on a write: 200 {warnings: []} when nothing was found, else 409."""
    clear = obj({"warnings": {"type": "array", "maxItems": 0}}, ["warnings"])
    answers = op["responses"]
    if "200" in answers:
        answers["200"]["content"] = json_content({"anyOf": [answers["200"]["content"]["application/json"]["schema"],
                                                             clear]})
        answers["200"]["description"] += "; with check_only and nothing found: {warnings: []}"
    else:
        answers["200"] = {"description": "check_only: nothing found and nothing stored", "content": json_content(clear)}
    answers["409"] = {"description": "check_only: the findings (problem+json with warnings[]); nothing was stored.",
                      "content": {"application/problem+json": {"schema": ref("Problem")}}}
    return op


def _account_paths() -> dict[str, Any]:
    # otp: the current code (or a recovery code) of an account with two-factor sign-in (401 otp-required without).
    credentials = obj({"email": STRING, "password": STRING, "otp": STRING, "name": STRING}, ["email", "password"])
    registration = obj(
        {"username": STRING, "email": {"type": "string", "format": "email"}, "password": STRING,
         "display_name": STRING},
        ["username", "email", "password"],
    )
    # scope: "read" for a suspended or unconfirmed account (api.md v1.1), else "write".
    token = obj({"token": STRING, "scope": {"type": "string", "enum": ["read", "write"]}, "user": ref("User")},
                ["token", "scope", "user"])
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
         "name": {"type": "string", "maxLength": 80}, "description": STRING, "position": INTEGER,
         "kind": {"enum": ["threads", "ideas"], "default": "threads"}},
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
         "kind": {"enum": [k.value for k in ThreadKind], "default": "question"}, "check_only": CHECK_ONLY},
        ["category_id", "title", "body"],
    )
    change = obj({"title": STRING, "tags": TAGS, "category_id": INTEGER, "locked": BOOLEAN, "pinned": BOOLEAN,
                  "reason": {**REASON, "description": "Why (optional): kept in the audit log and on the title, "
                                                      "tag and category revisions."}})
    thread_id = path_id("thread_id", "thread")
    return {
        "/threads": {
            "get": operation("List threads", (200, "A page of threads", list_of("Thread")), (422,),
                             params=_thread_list_params(), public=True),
            "post": _checked(operation(
                "Start a thread; warnings[] says what the write checks found (personal data, similar solved "
                "questions)", (201, "The thread", _warned("Thread")), (*WRITE_ERRORS, *RATE_LIMITED),
                body=new_thread, example={"category_id": 1, "title": "Router drops the connection",
                                          "body": "Every evening at 8.", "tags": ["router"]})),
        },
        "/threads/{thread_id}": {
            "get": operation("A thread with its first post", (200, "The thread", ref("Thread")), (404,),
                             params=[thread_id], public=True),
            "patch": operation(
                "Change a thread: authors set title and tags; moderators also category_id, locked, pinned. "
                "Title, tag and category changes become revisions of the question post",
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
            "post": _checked(operation(
                "Reply (403 when the thread is locked); warnings[] names personal data found in it",
                (201, "The reply", _warned("Post")), (*WRITE_ERRORS, 404, *RATE_LIMITED),
                body=obj({"body": STRING, "check_only": CHECK_ONLY}, ["body"]), params=[thread_id],
                example={"body": "Try channel 6; it fixed mine."})),
        },
    }


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
    marked = obj({"changed": INTEGER, "marked": INTEGER, "unread": INTEGER}, ["changed", "marked", "unread"])
    return {
        "/notifications": {
            "get": operation("The caller's notifications, newest first",
                             (200, "A page of notifications", list_of("Notification")), (401, 422),
                             params=PAGE_PARAMS),
        },
        "/notifications/read": {
            "post": operation(
                "Mark the given notifications read (only the caller's own: any other id is a 404), or all of them "
                "when ids is left out; marking read ones again is a 200 with changed 0",
                (200, "How many changed (marked is the same number), and how many are still unread", marked),
                (*WRITE_ERRORS, 404),
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
            "patch": _checked(operation(
                "Edit a post (author or moderator); the old body becomes a revision; warnings[] names personal data "
                "in it and, for a question, solved questions like it. A moderator editing someone else's post "
                "must give a reason (422 without one)", (200, "The post", _warned("Post")),
                (*WRITE_ERRORS, 404), body=obj({"body": STRING, "reason": REASON, "check_only": CHECK_ONLY}, ["body"]),
                params=[post_id])),
            "delete": operation("Soft-delete a post (author, or moderator with a reason: 422 without one); the body "
                                "may be left out", (204, "Deleted", None), (400, 401, 403, 404, 415, 422),
                                body=obj({"reason": REASON}), body_required=False, params=[post_id]),
        },
        "/posts/{post_id}/revisions": {
            "get": operation("Earlier versions of a post, oldest first: body edits and, for a question, its "
                             "thread's title, tag and category changes", (200, "Revisions", list_of("Revision")),
                             (404,), params=[post_id], public=True),
        },
    }


def _case_paths() -> dict[str, Any]:
    case_id, case = path_id("case_id", "case"), (200, "The case", ref("Case"))
    change = obj({"status": {"enum": [s.value for s in CaseStatus]},
                  "priority": {"enum": [p.value for p in CasePriority]},
                  "assignee_id": {"type": ["integer", "null"], "description": "An agent's id; null unassigns."},
                  "escalation_rating": RATING})
    message = obj({"body": STRING, "visibility": {"enum": [v.value for v in MessageVisibility], "default": "customer"},
                   "upload_ids": {"type": "array", "items": {"type": "integer"}, "description":
                                  "Your uploads (POST /uploads) to attach; they take the message's visibility."}},
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
                                    "content": json_content(ref("Case"))}
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


def _admin_paths() -> dict[str, Any]:
    return {
        "/settings": {
            "get": operation("Community settings (admin)", (200, "Every setting", ref("Settings")), (401, 403)),
            "patch": operation("Change some settings (admin); unknown keys or bad values are a 422",
                               (200, "Every setting", ref("Settings")), WRITE_ERRORS, body=ref("SettingsChanges"),
                               example={"moderation.hide_threshold": 4, "uploads.enabled": True,
                                        "uploads.allowed_file_types": ["pdf", "txt", "log", "csv"]}),
        },
        "/openapi.json": {
            "get": operation("This document", (200, "OpenAPI 3.1", {"type": "object"}), public=True),
        },
    }


def forum_paths() -> dict[str, Any]:
    """Every path of the forum's own routes; other packages add theirs under app.extensions["openapi_paths"]."""
    return {**_account_paths(), **_category_paths(), **_thread_paths(), **_qa_paths(), **_post_paths(),
            **_notification_paths(), **_case_paths(), **_admin_paths()}
