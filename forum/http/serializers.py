"""Resource shapes of api.md: plain dicts built from models, never from request input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import g, has_app_context

from forum import cases, uploads
from forum.core.pagination import Page
from forum.http import urls
from forum.models import (
    IDEA_KIND,
    Article,
    Case,
    CaseMessage,
    Category,
    Feedback,
    Idea,
    MessageVisibility,
    Notification,
    Post,
    PostRevision,
    Thread,
    ThreadKind,
    ThreadStatus,
    User,
)
from forum.recognition import badges, ranks
from forum.services import notifications, reading
from forum.services.permissions import is_agent, is_moderator, is_suspended

_LOOK_UP = object()  # thread(case=...) left out: find the thread's case (prefetched for pages)


def timestamp(moment: datetime | None) -> str | None:
    """RFC 3339 UTC with a Z, as the contract fixes."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def user_summary(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.name,
        "role": user.role,
        "reputation": user.reputation,
        "rank": ranks.rank_for(user.reputation),
        "avatar_url": uploads.avatar_url(user),  # from the row alone: no query per user
    }


def user(user: User, held: list[badges.Held] | None = None) -> dict[str, Any]:
    """A public profile; lists pass each user's badges from one badges.badges_of() query (no N+1)."""
    held = badges.badges_of([user.id])[user.id] if held is None else held
    return {**user_summary(user), "badges": [badge(h) for h in held], "solution_count": user.solution_count,
            "top_badge": user.top_badge, "created_at": timestamp(user.created_at)}


def badge(held: badges.Held) -> dict[str, Any]:
    return {"code": held.badge.code, "name": held.badge.name, "tier": held.badge.tier.value,
            "granted_at": timestamp(held.granted_at)}


def me(account: User, notifications_unread: int) -> dict[str, Any]:
    """The caller's own account: the public profile plus private fields and preferences."""
    return {
        **user(account),
        "email": account.email,
        "bio": account.bio,
        "time_zone": account.time_zone,
        "email_frequency": account.email_frequency,
        "weekly_digest": account.weekly_digest,
        "notifications_unread": notifications_unread,
        # Why and until when the caller may only read (null when not suspended).
        "suspension": {"until": timestamp(account.suspended_until), "reason": account.suspension_reason}
        if is_suspended(account) else None,
    }


def category(category: Category, thread_count: int) -> dict[str, Any]:
    return {
        "id": category.id,
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "position": category.position,
        "kind": category.kind,  # "threads" or "ideas" (an ideas category's threads are served under /ideas)
        "thread_count": thread_count,
    }


def post(post: Post, viewer: User | None = None, *, thread: Thread | None = None,
         voted: bool | None = None) -> dict[str, Any]:
    """A post; pass its thread when the caller has it (lists), so is_accepted needs no query.

    voted (whether the signed-in caller found it helpful) is added as viewer.voted when known.
    """
    accepted_post_id = (thread if thread is not None else post.thread).accepted_post_id
    data = {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": user_summary(post.author),
        "body": post.body,
        "body_html": post.body_html,
        "vote_count": post.vote_count,
        "is_accepted": accepted_post_id is not None and post.id == accepted_post_id,
        "is_staff": post.author.is_staff,
        # Not shown to everyone: waiting for approval, hidden by flags or a moderator, or deleted.
        "hidden": not post.is_public,
        "visibility": post.visibility,
        "deleted": post.is_deleted,
        "created_at": timestamp(post.created_at),
        "edited_at": timestamp(post.edited_at),
    }
    if post.moderation_note and (is_moderator(viewer) or (viewer is not None and viewer.id == post.author_id)):
        data["moderation_note"] = post.moderation_note  # why it waits or was hidden: its author and moderators
    if voted is not None:
        data["viewer"] = {"voted": voted}
    return data


def thread(
    thread: Thread, first_post: Post | None = None, viewer: User | None = None,
    viewer_state: dict[str, bool] | None = None, case: Case | None | object = _LOOK_UP,
) -> dict[str, Any]:
    """A thread; first_post only on single-thread answers, viewer_state ({voted, me_too, watching}) too.

    case: the thread's case when the caller has it; page() prefetches a whole page's cases in one query.
    """
    data = {
        "id": thread.id,
        "category_id": thread.category_id,
        "title": thread.title,
        "slug": thread.slug,
        # An idea answers as a discussion (the API's kinds are question|discussion) with its idea object below.
        "kind": ThreadKind.DISCUSSION.value if thread.kind == IDEA_KIND else thread.kind,
        "status": thread.status,
        "solved_by": thread.solved_by,
        "solved_at": timestamp(thread.solved_at),
        "author": user_summary(thread.author),
        "tags": [tag.name for tag in thread.tags],
        "reply_count": thread.reply_count,
        "vote_count": thread.vote_count,
        "me_too_count": thread.me_too_count,
        "accepted_post_id": thread.accepted_post_id,
        "needs_info": needs_info(thread),
        "case": case_link(_thread_case(thread) if case is _LOOK_UP else case),
        "locked": thread.locked,
        "pinned": thread.pinned,
        "duplicate_of": thread.duplicate_of_id,  # a moderator marked it: answered in that thread (issue 26)
        "created_at": timestamp(thread.created_at),
        "last_activity_at": timestamp(thread.last_activity_at),
    }
    if first_post is not None:
        voted = viewer_state.get("voted") if viewer_state is not None else None
        data["first_post"] = post(first_post, viewer, thread=thread, voted=voted)
    if viewer_state is not None:
        data["viewer"] = viewer_state
    if is_moderator(viewer):
        data["deleted"] = thread.deleted_at is not None
        data["merged_into_id"] = thread.merged_into_id
    if thread.visibility != "public":
        data["visibility"] = thread.visibility  # only its author and moderators see such a thread
    if thread.kind == IDEA_KIND and thread.idea is not None:
        data["idea"] = {"status": thread.idea.status, "vote_count": thread.idea.vote_count}
    return data


def _thread_case(thread: Thread) -> Case | None:
    prefetched = g.get("thread_cases", {}) if has_app_context() else {}
    if thread.id in prefetched:
        return prefetched[thread.id]
    return cases.cases_for_threads([thread.id]).get(thread.id)


def prefetch_thread_cases(threads: list[Thread]) -> None:
    """Load the cases of a list of threads in one query, for thread() to use (no query per thread)."""
    found = cases.cases_for_threads([t.id for t in threads])
    g.setdefault("thread_cases", {}).update({t.id: found.get(t.id) for t in threads})


def case_link(case: Case | None) -> dict[str, Any] | None:
    """The thread's public line about its case: number and status only."""
    if case is None:
        return None
    return {"id": case.id, "status": case.status, "public_reference": case.public_reference}


def case(case: Case, viewer: User | None, messages: list[CaseMessage] | None = None) -> dict[str, Any]:
    """A case for an agent or its customer; messages (when given) never include internal notes for customers."""
    data = {
        "id": case.id,
        "thread_id": case.thread_id,
        "public_reference": case.public_reference,
        "customer": user_summary(case.customer),
        "status": case.status,
        "priority": case.priority,
        "assignee": user_summary(case.assignee) if case.assignee is not None else None,
        "reason": case.reason,
        "source": case.source,
        "external_ref": case.external_ref,
        "first_response_due_at": timestamp(case.first_response_due_at),
        "first_response_at": timestamp(case.first_response_at),
        "resolution": case.resolution,
        "resolution_post_id": case.resolution_post_id,
        "resolved_at": timestamp(case.resolved_at),
        "created_at": timestamp(case.created_at),
        "updated_at": timestamp(case.updated_at),
    }
    staff = is_agent(viewer)
    if staff:  # an internal judgement: never shown to the customer
        data["escalation_rating"] = case.escalation_rating
    if messages is not None:
        data["messages"] = [case_message(m) for m in messages
                            if staff or m.visibility == MessageVisibility.CUSTOMER.value]
    return data


def case_message(message: CaseMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "case_id": message.case_id,
        "author": user_summary(message.author) if message.author is not None else None,
        "visibility": message.visibility,
        "body": message.body,
        "body_html": message.body_html,
        "created_at": timestamp(message.created_at),
    }


def needs_info(thread: Thread) -> dict[str, Any] | None:
    """What the asker was asked for while the question waits in needs_info, else null."""
    if thread.status != ThreadStatus.NEEDS_INFO.value:
        return None
    return {"note": thread.needs_info_note or "", "since": timestamp(thread.needs_info_since)}


def feedback(row: Feedback, offers_escalation: bool) -> dict[str, Any]:
    return {
        "id": row.id,
        "thread_id": row.thread_id,
        "resolved": row.resolved,
        "rating": row.rating,
        "comment": row.comment,
        "created_at": timestamp(row.created_at),
        "offers_escalation": offers_escalation,
    }


def article(article: Article) -> dict[str, Any]:
    """The API article object: api.md's fields plus url, slug, owner, published_at and the counters (the
    knowledge API and search answer with it). Lists load author, owner and tags with the page."""
    return {
        "id": article.id, "title": article.title, "slug": article.slug, "url": article.path,
        "body": article.body, "body_html": article.body_html, "status": article.status,
        "category_id": article.category_id, "tags": [tag.name for tag in article.tags],
        "author": user_summary(article.author),
        "owner": user_summary(article.owner) if article.owner is not None else None,
        "source_thread_id": article.source_thread_id, "source_case_id": article.source_case_id,
        "helpful_count": article.helpful_count, "not_helpful_count": article.not_helpful_count,
        "view_count": article.view_count, "deflection_count": article.deflection_count,
        "version_count": article.version_count,
        "created_at": timestamp(article.created_at), "updated_at": timestamp(article.updated_at),
        "published_at": timestamp(article.published_at), "reviewed_at": timestamp(article.reviewed_at),
        "archived_at": timestamp(article.archived_at),
    }


def idea(idea: Idea, question: Post | None = None, voted: bool | None = None) -> dict[str, Any]:
    """The API idea object (the ideas API and search answer with it): its thread's title, tags, author and
    replies, its question post's body, and the idea's status, votes and staff note. Lists pass each question
    post, loaded with the page (forum.ideas.listing), else one query finds it. voted: the signed-in caller's."""
    thread = idea.thread
    question = question if question is not None else reading.question_post(thread)
    data = {
        "id": idea.thread_id, "title": thread.title, "body": question.body, "body_html": question.body_html,
        "tags": [tag.name for tag in thread.tags], "status": idea.status, "vote_count": idea.vote_count,
        "author": user_summary(thread.author), "status_note": idea.status_note,
        "duplicate_of": idea.duplicate_of_id, "category_id": thread.category_id, "reply_count": thread.reply_count,
        "created_at": timestamp(idea.created_at), "status_changed_at": timestamp(idea.status_changed_at),
        "url": urls.thread_path(thread),
    }
    if voted is not None:
        data["voted"] = voted
    return data


def notification(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "thread_id": row.thread_id,
        "post_id": row.post_id,
        "actor": user_summary(row.actor) if row.actor is not None else None,
        "count": row.count,
        "message": row.message,
        "summary": notifications.describe(row),
        "conversation_id": row.conversation_id,
        "article_id": row.article_id,
        "url": notifications.path_for(row) if notifications.has_link(row) else None,
        "created_at": timestamp(row.created_at),
        "read_at": timestamp(row.read_at),
    }


def revision(revision: PostRevision) -> dict[str, Any]:
    """One change in a post's history: field says what changed (body, or a question's title, tags or category)
    and body holds that field's previous value as text; reason is the moderator's (or editor's) why, or null."""
    return {
        "id": revision.id,
        "field": revision.field,
        "editor": user_summary(revision.editor),
        "body": revision.body,
        "reason": revision.reason,
        "created_at": timestamp(revision.created_at),
    }


def items(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    """The list envelope for lists that fit on one page."""
    return {"items": rendered, "next_cursor": None}


def page(items_page: Page, render) -> dict[str, Any]:
    """A cursor page; a page of threads gets its cases in one query first."""
    if items_page.items and isinstance(items_page.items[0], Thread) and has_app_context():
        prefetch_thread_cases(list(items_page.items))
    return {"items": [render(item) for item in items_page.items], "next_cursor": items_page.next_cursor}
