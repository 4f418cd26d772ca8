"""The OpenAPI component schemas: the resources the forum's routes take and answer with."""

from __future__ import annotations

from forum.http.openapi.builder import (
    BOOLEAN,
    INTEGER,
    NULLABLE_TIME,
    STRING,
    TAGS,
    TIME,
    Schema,
    envelope,
    obj,
    ref,
)
from forum.models import (
    ArticleStatus,
    CasePriority,
    CaseSource,
    CaseStatus,
    Correction,
    IdeaStatus,
    LedgerReason,
    MessageVisibility,
    NotificationKind,
    RevisionField,
    Role,
    ThreadKind,
    ThreadStatus,
)
from forum.models.cases import EscalationRating
from forum.services import community_settings
from forum.services.notifications import EMAIL_FREQUENCIES

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


def _user_schemas() -> dict[str, Schema]:
    """UserSummary, User, Me and MeChange."""
    summary = obj(
        {"id": INTEGER, "username": STRING, "display_name": STRING, "role": {"enum": [r.value for r in Role]},
         "reputation": INTEGER, "rank": STRING,
         "avatar_url": {**STRING, "description": "The member's picture (64 px), never null: the uploaded one, or a "
                                                 "generated default with their initials."}},
        ["id", "username", "display_name", "role", "reputation", "rank", "avatar_url"],
    )
    return {
        "UserSummary": summary,
        "User": {"allOf": [summary, obj({"badges": {"type": "array", "items": obj(
            {"code": STRING, "name": STRING, "tier": {"enum": ["bronze", "silver", "gold"]}, "granted_at": TIME},
            ["code", "name", "tier", "granted_at"])},
            "solution_count": {**INTEGER, "description": "Their replies accepted as the solution (standing)."},
            "top_badge": {"type": ["string", "null"],
                          "description": "The code of their best badge (highest tier, then the rarest), or null."},
            "created_at": TIME})]},
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
    }


def _post_schema() -> Schema:
    return obj(
        {"id": INTEGER, "thread_id": INTEGER, "author": ref("UserSummary"), "body": STRING, "body_html": STRING,
         "vote_count": INTEGER, "is_accepted": BOOLEAN, "is_staff": BOOLEAN,
         "hidden": {**BOOLEAN, "description": "Not visible to everyone: pending approval, hidden or deleted."},
         "visibility": {"enum": ["public", "pending", "hidden"]},
         "moderation_note": {**STRING, "description": "Why it waits or was hidden (its author and moderators)."},
         "deleted": BOOLEAN, "created_at": TIME, "edited_at": NULLABLE_TIME,
         "viewer": {**obj({"voted": BOOLEAN}), "description": "Signed-in callers, in reply lists and first_post."}},
        ["id", "thread_id", "author", "body", "body_html", "created_at"],
    )


def _thread_schemas() -> dict[str, Schema]:
    """Category, Thread and Post."""
    return {
        "Category": obj(
            {"id": INTEGER, "slug": STRING, "name": STRING, "description": STRING, "position": INTEGER,
             "kind": {"enum": ["threads", "ideas"], "description": "An ideas category holds ideas, served under "
                                                                    "/ideas and left out of /threads."},
             "thread_count": INTEGER},
            ["id", "slug", "name", "description", "thread_count"],
        ),
        "Thread": _thread_schema(),
        "Post": _post_schema(),
    }


def _activity_schemas() -> dict[str, Schema]:
    """Notification, Feedback and LedgerRow."""
    return {
        "Notification": obj(
            {"id": INTEGER, "kind": {"enum": [k.value for k in NotificationKind]},
             "thread_id": {"type": ["integer", "null"]}, "post_id": {"type": ["integer", "null"]},
             "conversation_id": {"type": ["integer", "null"], "description": "The private conversation, for a "
                                                                             "message notification."},
             "article_id": {"type": ["integer", "null"], "description": "The knowledge-base article, for an "
                                                                        "article notification."},
             "actor": {"anyOf": [ref("UserSummary"), {"type": "null"}]}, "count": INTEGER, "message": STRING,
             "summary": {**STRING, "description": "One plain-text line."},
             "url": {"type": ["string", "null"],
                     "description": "Site path of the thread (and post anchor), of the conversation, or of the "
                                    "article."},
             "created_at": TIME, "read_at": NULLABLE_TIME},
            ["id", "kind", "thread_id", "post_id", "conversation_id", "article_id", "actor", "count", "message",
             "summary", "url", "created_at", "read_at"],
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
    }


def _small_schemas() -> dict[str, Schema]:
    """The vote and me-too counts, Revision and Settings."""
    return {
        "MeTooCount": obj({"me_too_count": INTEGER}, ["me_too_count"]),
        "VoteCount": obj({"vote_count": INTEGER}, ["vote_count"]),
        "Revision": obj({"id": INTEGER, "field": {"enum": [f.value for f in RevisionField]},
                         "editor": ref("UserSummary"),
                         "body": {"type": "string", "description": "The field's previous value (tags joined by "
                                                                   "\", \", the category by name)"},
                         "reason": {"type": ["string", "null"]}, "created_at": TIME},
                        ["id", "field", "editor", "body", "reason", "created_at"]),
        **_settings_schemas(),
    }


def _setting_schema(spec: community_settings.AnySetting) -> Schema:
    """One setting's value: a number in its range, a real JSON boolean, a string or an array of strings.

    Lists are lenient beyond this: the server trims, lowercases (where the setting says so) and
    drops repeated items before it checks them.
    """
    schema: Schema = {"description": spec.description, "default": spec.default}
    if spec.shape in ("integer", "number"):
        bounds = {"minimum": spec.minimum, "maximum": spec.maximum}
        return {**schema, "type": spec.shape, **{k: v for k, v in bounds.items() if v is not None}}
    if spec.shape == "boolean":
        return {**schema, **BOOLEAN}
    if spec.shape == "string":
        text = {"type": "string", "maxLength": spec.max_length, "enum": list(spec.choices) or None,
                "pattern": f"^(?:{spec.pattern})$" if spec.pattern else None}
        return {**schema, **{k: v for k, v in text.items() if v is not None}}
    item = {"type": "string", "maxLength": spec.item_max_length, "enum": list(spec.allowed) or None,
            "pattern": f"^(?:{spec.item_pattern})$" if spec.item_pattern else None}
    return {**schema, "default": list(spec.default), "type": "array", "maxItems": spec.max_items,
            "items": {k: v for k, v in item.items() if v is not None}}


def _settings_schemas() -> dict[str, Schema]:
    """Every setting as it is answered (all keys) and as a PATCH changes some (any keys, no others)."""
    properties = {key: _setting_schema(spec) for key, spec in community_settings.REGISTRY.items()}
    return {
        "Settings": {"type": "object", "description": "Flat {key: value}; keys as in domain.md.",
                     "properties": properties, "required": list(properties), "additionalProperties": False},
        "SettingsChanges": {"type": "object", "properties": properties, "additionalProperties": False,
                            "description": "Some settings to change, {key: value}; an unknown key or a bad value "
                                           "is a 422 naming the key, and then nothing is stored. Booleans are "
                                           "JSON true or false (never 0 or 1); lists are arrays of strings."},
    }


def _resource_schemas() -> dict[str, Schema]:
    """Every resource schema but the case ones, in the order the document lists them."""
    return {**_user_schemas(), **_thread_schemas(), **_activity_schemas(), **_small_schemas()}


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
         "duplicate_of": {"type": ["integer", "null"], "description": "The thread that answers this one, when a "
                          "moderator marked it as a duplicate (it is then closed); null otherwise."},
         "merged_into_id": {"type": ["integer", "null"], "description": "Moderators only, in lists. A thread "
                            "merged into another is deleted and GET answers 404 (its posts live in the target)."},
         "idea": {**obj({"status": {"enum": [s.value for s in IdeaStatus]}, "vote_count": INTEGER},
                        ["status", "vote_count"]),
                  "description": "Only on an idea's thread (its kind is then discussion): see /ideas/{idea_id}."},
         "first_post": {**ref("Post"), "description": "Only on a single thread, not in lists."},
         "viewer": {**obj({"voted": BOOLEAN, "me_too": BOOLEAN, "watching": BOOLEAN}, ["voted", "me_too", "watching"]),
                    "description": "Only on GET /threads/{thread_id} for signed-in callers."}},
        ["id", "category_id", "title", "kind", "status", "author", "tags", "reply_count", "locked", "pinned",
         "created_at", "last_activity_at"],
    )


def _problem_schema() -> Schema:
    return obj(
        {"type": {"type": "string", "format": "uri"}, "title": STRING, "status": INTEGER, "detail": STRING,
         "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STRING}},
         "request_id": {**STRING, "description": "The request's id, as in its X-Request-ID response header and "
                                                 "the server's log: quote it when reporting a problem."},
         "warnings": {"type": "array", "items": ref("WriteWarning"),
                      "description": "Only on the 409 of a write sent with check_only: what was found."}},
        ["type", "title", "status", "detail"],
    )


def _write_warning_schema() -> Schema:
    """One finding of the write checks (forum.services.write_checks), as POST /threads and friends report it."""
    finding = obj({"kind": {"enum": ["email", "card", "phone", "address"]}, "label": STRING,
                   "masked": {**STRING, "description": "Enough to recognise it, never the whole value."}},
                  ["kind", "label", "masked"])
    similar = obj({"id": INTEGER, "title": STRING, "url": STRING, "kind": {"enum": ["thread", "article"]}},
                  ["id", "title", "url"])
    return obj(
        {"type": {"enum": ["personal_data", "similar_questions"]}, "detail": STRING,
         "findings": {"type": "array", "items": finding, "description": "personal_data: what looks personal."},
         "threads": {"type": "array", "items": similar,
                     "description": "similar_questions: solved threads and published articles."}},
        ["type", "detail"],
    )


def _article_schema() -> Schema:
    """The API article object (forum.http.serializers.article): the knowledge API's and search's."""
    nullable_int = {"type": ["integer", "null"]}
    summary = ref("UserSummary")
    return obj({
        "id": INTEGER, "title": STRING, "slug": STRING,
        "url": {**STRING, "description": "The article's page on this site, /kb/{id}/{slug} (site-relative)."},
        "body": {**STRING, "description": "Markdown source."}, "body_html": {**STRING, "description": "Sanitized."},
        "status": {"enum": [status.value for status in ArticleStatus],
                   "description": "Drafts and articles in review are seen only by their author and staff; archived "
                                  "ones stay reachable by id."},
        "category_id": INTEGER, "tags": TAGS, "author": summary,
        "owner": {"anyOf": [summary, {"type": "null"}],
                  "description": "Who keeps it current (reminded when it passes its review interval)."},
        "source_thread_id": nullable_int, "source_case_id": nullable_int,
        "helpful_count": INTEGER, "not_helpful_count": INTEGER, "view_count": INTEGER,
        "deflection_count": {**INTEGER, "description": "Questions it kept from being asked (opened from the ask "
                                                        "page, no question followed within the window)."},
        "version_count": {**INTEGER, "description": "Every save is a version, from 1."},
        "created_at": TIME, "updated_at": TIME, "published_at": NULLABLE_TIME,
        "reviewed_at": {**NULLABLE_TIME, "description": "Last confirmed current; publishing counts."},
        "archived_at": NULLABLE_TIME,
    }, ["id", "title", "body", "body_html", "status", "category_id", "tags", "author", "source_thread_id",
        "source_case_id", "helpful_count", "not_helpful_count", "updated_at", "reviewed_at"])


def _idea_schema() -> Schema:
    """The API idea object (forum.http.serializers.idea): the ideas API's and search's."""
    return obj({
        "id": {**INTEGER, "description": "The idea's thread id: GET /threads/{id}/posts lists its replies."},
        "title": STRING, "body": {**STRING, "description": "Markdown source."},
        "body_html": {**STRING, "description": "Sanitized."}, "tags": TAGS,
        "status": {"enum": [status.value for status in IdeaStatus]},
        "vote_count": {**INTEGER, "description": "Every vote it received, including those given back when it closed."},
        "author": ref("UserSummary"),
        "status_note": {**STRING, "description": "Staff's public note on the latest status."},
        "duplicate_of": {"type": ["integer", "null"], "description": "The idea it was merged into (status duplicate)."},
        "category_id": INTEGER, "reply_count": INTEGER, "created_at": TIME, "status_changed_at": NULLABLE_TIME,
        "url": {**STRING, "description": "The idea's page on this site, /t/{id}/{slug} (site-relative)."},
        "voted": {**BOOLEAN, "description": "Whether the signed-in caller voted for it (signed-in callers only)."},
    }, ["id", "title", "body_html", "tags", "status", "vote_count", "author", "status_note", "duplicate_of"])


def component_schemas() -> dict[str, Schema]:
    """Every schema under components, the <item>List envelopes included."""
    schemas = {**_resource_schemas(), **_case_schemas(), "Problem": _problem_schema(),
               "WriteWarning": _write_warning_schema(), "Article": _article_schema(),
               "Idea": _idea_schema()}
    schemas.update({f"{name}List": envelope(name)
                    for name in ("Category", "Thread", "Post", "Revision", "Notification", "LedgerRow", "Case")})
    return schemas
