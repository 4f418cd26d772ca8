"""Resource shapes of api.md: plain dicts built from models, never from request input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forum.models import Category, Feedback, Notification, Post, PostRevision, Thread, ThreadStatus, User
from forum.services import notifications, ranks
from forum.services.pagination import Page
from forum.services.permissions import is_moderator


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
    }


def user(user: User) -> dict[str, Any]:
    return {**user_summary(user), "badges": [], "created_at": timestamp(user.created_at)}


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
    }


def category(category: Category, thread_count: int) -> dict[str, Any]:
    return {
        "id": category.id,
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "position": category.position,
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
        "hidden": post.is_deleted,
        "deleted": post.is_deleted,
        "created_at": timestamp(post.created_at),
        "edited_at": timestamp(post.edited_at),
    }
    if voted is not None:
        data["viewer"] = {"voted": voted}
    return data


def thread(
    thread: Thread, first_post: Post | None = None, viewer: User | None = None,
    viewer_state: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """A thread; first_post only on single-thread answers, viewer_state ({voted, me_too, watching}) too."""
    data = {
        "id": thread.id,
        "category_id": thread.category_id,
        "title": thread.title,
        "slug": thread.slug,
        "kind": thread.kind,
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
        "case": None,
        "locked": thread.locked,
        "pinned": thread.pinned,
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
    return data


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
        "url": notifications.thread_path(row.thread, row.post) if row.thread is not None else None,
        "created_at": timestamp(row.created_at),
        "read_at": timestamp(row.read_at),
    }


def revision(revision: PostRevision) -> dict[str, Any]:
    return {
        "id": revision.id,
        "editor": user_summary(revision.editor),
        "body": revision.body,
        "created_at": timestamp(revision.created_at),
    }


def items(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    """The list envelope for lists that fit on one page."""
    return {"items": rendered, "next_cursor": None}


def page(items_page: Page, render) -> dict[str, Any]:
    return {"items": [render(item) for item in items_page.items], "next_cursor": items_page.next_cursor}
