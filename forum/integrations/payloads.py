"""The `data` of each outbound event, built from the rows when the event happens.

Only public facts go to generic webhooks: public threads, ideas and posts, published articles, case state
and customer-visible case activity - never internal notes, and no case message bodies (the case
conversation is private between the customer and support). The helpdesk connector, which
*is* the case system, also gets customer-visible message bodies and the customer's email.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from forum.core.extensions import db
from forum.http import urls
from forum.models import (
    Article,
    ArticleStatus,
    Case,
    CaseMessage,
    Idea,
    MessageVisibility,
    Post,
    Thread,
    User,
    Visibility,
)

Data = dict[str, Any]


def timestamp(moment: datetime | None) -> str | None:
    """RFC 3339 UTC with a Z, as api.md fixes for every timestamp."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def user_summary(user: User | None) -> Data | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "display_name": user.name, "role": user.role}


def thread_data(thread: Thread) -> Data:
    return {
        "id": thread.id, "category_id": thread.category_id, "title": thread.title, "slug": thread.slug,
        "kind": thread.kind, "status": thread.status, "solved_by": thread.solved_by,
        "author": user_summary(thread.author), "tags": [tag.name for tag in thread.tags],
        "accepted_post_id": thread.accepted_post_id, "reply_count": thread.reply_count,
        "path": urls.thread_path(thread), "created_at": timestamp(thread.created_at),
    }


def post_data(post: Post) -> Data:
    return {
        "id": post.id, "thread_id": post.thread_id, "author": user_summary(post.author), "body": post.body,
        "body_html": post.body_html, "is_question": post.is_question, "is_staff": post.author.is_staff,
        "created_at": timestamp(post.created_at),
    }


def case_data(case: Case) -> Data:
    """The case as api.md's case resource (no messages, no escalation rating: staff-internal)."""
    return {
        "id": case.id, "thread_id": case.thread_id, "public_reference": case.public_reference,
        "customer": user_summary(case.customer), "status": case.status, "priority": case.priority,
        "assignee": user_summary(case.assignee), "reason": case.reason, "source": case.source,
        "external_ref": case.external_ref, "first_response_due_at": timestamp(case.first_response_due_at),
        "resolution": case.resolution, "resolved_at": timestamp(case.resolved_at),
        "created_at": timestamp(case.created_at),
    }


def message_data(message: CaseMessage, *, with_body: bool) -> Data:
    data = {"id": message.id, "author": user_summary(message.author), "visibility": message.visibility,
            "created_at": timestamp(message.created_at)}
    if with_body:
        data["body"] = message.body
    return data


def _is_public(thread: Thread | None) -> bool:
    """Generic subscribers get what a signed-out visitor could read: never a held, hidden or deleted thread."""
    return thread is not None and thread.deleted_at is None and thread.visibility == Visibility.PUBLIC.value


def article_data(article: Article) -> Data:
    """The article as the API's article object (forum.http.serializers.article), with the webhooks' user
    summaries and its site-relative path."""
    path = article.path
    return {
        "id": article.id, "title": article.title, "slug": article.slug, "url": path, "path": path,
        "body": article.body, "body_html": article.body_html,
        "status": article.status, "category_id": article.category_id, "tags": [tag.name for tag in article.tags],
        "author": user_summary(article.author), "owner": user_summary(article.owner),
        "source_thread_id": article.source_thread_id, "source_case_id": article.source_case_id,
        "helpful_count": article.helpful_count, "not_helpful_count": article.not_helpful_count,
        "view_count": article.view_count, "deflection_count": article.deflection_count,
        "version_count": article.version_count, "created_at": timestamp(article.created_at),
        "updated_at": timestamp(article.updated_at), "published_at": timestamp(article.published_at),
        "reviewed_at": timestamp(article.reviewed_at), "archived_at": timestamp(article.archived_at),
    }


def _thread_event(fields: Data) -> Data | None:
    thread = db.session.get(Thread, fields["thread_id"])
    return {"thread": thread_data(thread)} if _is_public(thread) else None


def _post_event(fields: Data) -> Data | None:
    post = db.session.get(Post, fields["post_id"])
    if post is None or not post.is_public or not _is_public(post.thread):
        return None
    return {"post": post_data(post), "thread": thread_data(post.thread)}


def _post_hidden(fields: Data) -> Data | None:
    """Only what was public leaves public view; the hidden post's body is not repeated."""
    post = db.session.get(Post, fields["post_id"])
    if post is None or not fields.get("was_public", True):
        return None
    return {"post": {"id": post.id, "thread_id": post.thread_id, "is_question": post.is_question}}


def _escalated(fields: Data) -> Data | None:
    case = db.session.get(Case, fields["case_id"])
    if case is None or not _is_public(case.thread):
        return None
    return {"thread": thread_data(case.thread), "case": case_data(case)}


def _case_event(fields: Data, *, for_helpdesk: bool = False) -> Data | None:
    """case.updated / case.resolved; internal notes publish nothing at all."""
    case = db.session.get(Case, fields["case_id"])
    message = fields.get("message")
    if case is None or (message is not None and message.visibility != MessageVisibility.CUSTOMER.value):
        return None
    if not for_helpdesk and not _is_public(case.thread):
        return None
    data: Data = {"case": case_data(case), "change": fields.get("change", "status")}
    if message is not None:
        db.session.flush()  # the message id
        data["message"] = message_data(message, with_body=for_helpdesk)
    return data


def _article_published(fields: Data) -> Data | None:
    """Only a published article goes out: what a signed-out reader could open (never a draft or one in review)."""
    article = db.session.get(Article, fields["article_id"])
    if article is None or article.status != ArticleStatus.PUBLISHED.value:
        return None
    return {"article": article_data(article)}


def idea_data(idea: Idea) -> Data:
    """The idea as the API's idea object names its fields (no body: thread.created sends none either), with
    the webhooks' user summary and its site-relative path (an idea's page is its thread's)."""
    thread = idea.thread
    path = urls.thread_path(thread)
    return {
        "id": idea.thread_id, "title": thread.title, "slug": thread.slug, "url": path, "path": path,
        "status": idea.status, "status_note": idea.status_note, "vote_count": idea.vote_count,
        "duplicate_of": idea.duplicate_of_id, "category_id": thread.category_id,
        "tags": [tag.name for tag in thread.tags], "author": user_summary(thread.author),
        "reply_count": thread.reply_count, "created_at": timestamp(thread.created_at),
        "status_changed_at": timestamp(idea.status_changed_at),
    }


def _idea_status_changed(fields: Data) -> Data | None:
    """Only an idea a signed-out visitor could read goes out; the target of a merge is named by id alone,
    and only while it is public too."""
    idea = db.session.get(Idea, fields["idea_id"])
    if idea is None or not _is_public(idea.thread):
        return None
    target = db.session.get(Idea, idea.duplicate_of_id) if idea.duplicate_of_id is not None else None
    duplicate_of = idea_data(target) if target is not None and _is_public(target.thread) else None
    data = idea_data(idea)
    data["duplicate_of"] = duplicate_of["id"] if duplicate_of is not None else None
    return {"idea": data, "from_status": fields.get("from_status"), "to_status": fields.get("to_status"),
            "status_note": idea.status_note, "duplicate_of": duplicate_of}


def _user_deleted(fields: Data) -> Data | None:
    """A member's account was erased: the id alone, so receivers can forget whatever they keep about them."""
    user = db.session.get(User, fields["user_id"])
    if user is None or user.anonymized_at is None:
        return None
    return {"user_id": user.id, "deleted_at": timestamp(user.anonymized_at)}


BUILDERS = {
    "thread.created": _thread_event,
    "thread.solved": _thread_event,
    "post.created": _post_event,
    "post.hidden": _post_hidden,
    "thread.escalated": _escalated,
    "case.updated": _case_event,
    "case.resolved": _case_event,
    "article.published": _article_published,
    "idea.status_changed": _idea_status_changed,
    "user.deleted": _user_deleted,
}
EVENT_TYPES = tuple(BUILDERS)


def build(event_type: str, fields: Data) -> Data | None:
    """The event's data for generic webhooks; None when nothing should be sent."""
    builder = BUILDERS.get(event_type)
    return builder(fields) if builder is not None else None


def helpdesk_case(case: Case) -> Data:
    """What a helpdesk needs to open a ticket: the case, the public question, and who to answer."""
    question = db.session.scalars(
        select(Post).where(Post.thread_id == case.thread_id, Post.is_question.is_(True))
    ).first()
    data = {"case": case_data(case), "thread": thread_data(case.thread),
            "question": post_data(question) if question is not None else None}
    data["case"]["customer"] = {**data["case"]["customer"], "email": case.customer.email}
    return data


def helpdesk_update(fields: Data) -> Data | None:
    data = _case_event(fields, for_helpdesk=True)
    if data is not None:
        case = db.session.get(Case, fields["case_id"])
        data["case"]["customer"] = {**data["case"]["customer"], "email": case.customer.email}
    return data
