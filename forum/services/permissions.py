"""Who may do what: one vocabulary of actions shared by services, views and templates.

can() answers for templates and views; require() raises Forbidden, or NotFound for
things the caller may not even see, so a refusal never leaks that something exists.
visible_threads()/visible_posts() are *the* definition of what a viewer may read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select

from forum.models import Post, Role, Thread, User
from forum.services.errors import Forbidden, NotAuthenticated, NotFound


class Action(StrEnum):
    THREAD_VIEW = "thread:view"
    THREAD_CREATE = "thread:create"
    THREAD_REPLY = "thread:reply"
    THREAD_EDIT = "thread:edit"
    THREAD_MODERATE = "thread:moderate"
    POST_EDIT = "post:edit"
    POST_DELETE = "post:delete"
    POST_HISTORY = "post:history"
    POST_VOTE = "post:vote"
    THREAD_ACCEPT = "thread:accept"
    THREAD_ME_TOO = "thread:me-too"
    THREAD_REQUEST_INFO = "thread:request-info"
    THREAD_CLEAR_INFO = "thread:clear-info"
    CATEGORY_MANAGE = "category:manage"
    USER_EDIT = "user:edit"
    USER_MANAGE = "user:manage"
    SETTINGS_MANAGE = "settings:manage"
    ADMIN_VIEW = "admin:view"


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _role(user: User | None) -> Role | None:
    return user.role_enum if _signed_in(user) else None


def is_moderator(user: User | None) -> bool:
    """Moderator and above (moderator, agent, admin) may moderate content."""
    role = _role(user)
    return role is not None and role.level >= Role.MODERATOR.level


def is_staff(user: User | None) -> bool:
    """Staff (moderator, agent, admin) may act on any customer's question."""
    role = _role(user)
    return role is not None and role.is_staff


def is_admin(user: User | None) -> bool:
    return _role(user) is Role.ADMIN


def _owns(user: User | None, target: Any) -> bool:
    return _signed_in(user) and getattr(target, "author_id", None) == user.id


def _can_view_thread(user: User | None, thread: Thread) -> bool:
    return thread.deleted_at is None or is_moderator(user)


def _can_view_post(user: User | None, post: Post) -> bool:
    return _can_view_thread(user, post.thread) and (not post.is_deleted or is_moderator(user))


def _is_live(post: Post) -> bool:
    return not post.is_deleted and post.thread.deleted_at is None


def _can_reply(user: User | None, thread: Thread) -> bool:
    if not _signed_in(user) or thread.deleted_at is not None:
        return False
    return not thread.locked or is_moderator(user)


def _can_edit_post(user: User | None, post: Post) -> bool:
    if post.is_deleted:
        return is_moderator(user)
    if is_moderator(user):
        return True
    return _owns(user, post) and not post.thread.locked


def _can_delete_post(user: User | None, post: Post) -> bool:
    return not post.is_deleted and (is_moderator(user) or _owns(user, post))


_RULES = {
    Action.THREAD_VIEW: _can_view_thread,
    Action.THREAD_CREATE: lambda user, _target: _signed_in(user),
    Action.THREAD_REPLY: _can_reply,
    Action.THREAD_EDIT: lambda user, thread: is_moderator(user) or (_owns(user, thread) and not thread.locked),
    Action.THREAD_MODERATE: lambda user, _target: is_moderator(user),
    Action.POST_EDIT: _can_edit_post,
    Action.POST_DELETE: _can_delete_post,
    # Old versions may hold what the author removed on purpose (an account number): author and moderators only.
    Action.POST_HISTORY: lambda user, post: _can_view_post(user, post) and (is_moderator(user) or _owns(user, post)),
    Action.POST_VOTE: lambda user, post: _signed_in(user) and _is_live(post),
    Action.THREAD_ACCEPT: lambda user, thread: _can_view_thread(user, thread)
    and (is_staff(user) or _owns(user, thread)),
    Action.THREAD_ME_TOO: lambda user, thread: _signed_in(user) and _can_view_thread(user, thread),
    Action.THREAD_REQUEST_INFO: lambda user, thread: _can_view_thread(user, thread)
    and (is_staff(user) or _role(user) is Role.ADVOCATE),
    Action.THREAD_CLEAR_INFO: lambda user, thread: _can_view_thread(user, thread)
    and (is_staff(user) or _owns(user, thread)),
    Action.CATEGORY_MANAGE: lambda user, _target: is_admin(user),
    Action.USER_EDIT: lambda user, target: is_admin(user) or (_signed_in(user) and user.id == target.id),
    Action.USER_MANAGE: lambda user, _target: is_admin(user),
    Action.SETTINGS_MANAGE: lambda user, _target: is_admin(user),
    Action.ADMIN_VIEW: lambda user, _target: is_admin(user),
}

# Actions whose refusal must look like absence (the caller may not know the target exists).
_HIDDEN_WHEN_REFUSED = {Action.THREAD_VIEW, Action.POST_HISTORY}


def can(user: User | None, action: Action | str, target: Any = None) -> bool:
    """Whether user may perform action on target; pure, safe to call from templates."""
    return bool(_RULES[Action(action)](user, target))


def require(user: User | None, action: Action | str, target: Any = None) -> None:
    """Raise unless user may perform action: 401 anonymous, 404 invisible, 403 otherwise."""
    if can(user, action, target):
        return
    action = Action(action)
    if action in _HIDDEN_WHEN_REFUSED:
        raise NotFound("That page does not exist or is not visible to you.")
    if not _signed_in(user):
        raise NotAuthenticated("Please sign in first.")
    raise Forbidden("You are not allowed to do that.")


def visible_threads(viewer: User | None) -> Select:
    """Threads the viewer may read: deleted ones only for moderators."""
    query = select(Thread)
    if not is_moderator(viewer):
        query = query.where(Thread.deleted_at.is_(None))
    return query


def visible_posts(viewer: User | None) -> Select:
    """Posts the viewer may read, in threads the viewer may read."""
    query = select(Post).join(Thread, Post.thread_id == Thread.id)
    if not is_moderator(viewer):
        query = query.where(Post.deleted_at.is_(None), Thread.deleted_at.is_(None))
    return query
