"""Resource shapes of api.md: plain dicts built from models, never from request input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forum.models import Category, Post, PostRevision, Thread, User
from forum.services import ranks
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


def category(category: Category, thread_count: int) -> dict[str, Any]:
    return {
        "id": category.id,
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "position": category.position,
        "thread_count": thread_count,
    }


def post(post: Post, viewer: User | None = None) -> dict[str, Any]:
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": user_summary(post.author),
        "body": post.body,
        "body_html": post.body_html,
        "vote_count": 0,
        "is_accepted": False,
        "is_staff": post.author.is_staff,
        "hidden": post.is_deleted,
        "deleted": post.is_deleted,
        "created_at": timestamp(post.created_at),
        "edited_at": timestamp(post.edited_at),
    }


def thread(thread: Thread, first_post: Post | None = None, viewer: User | None = None) -> dict[str, Any]:
    data = {
        "id": thread.id,
        "category_id": thread.category_id,
        "title": thread.title,
        "slug": thread.slug,
        "kind": thread.kind,
        "status": thread.status,
        "solved_by": None,
        "author": user_summary(thread.author),
        "tags": [tag.name for tag in thread.tags],
        "reply_count": thread.reply_count,
        "vote_count": 0,
        "me_too_count": 0,
        "accepted_post_id": None,
        "case": None,
        "locked": thread.locked,
        "pinned": thread.pinned,
        "created_at": timestamp(thread.created_at),
        "last_activity_at": timestamp(thread.last_activity_at),
    }
    if first_post is not None:
        data["first_post"] = post(first_post, viewer)
    if is_moderator(viewer):
        data["deleted"] = thread.deleted_at is not None
    return data


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
