"""What a viewer may read, as query filters: the one definition lists, pages, the API and search share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, bindparam, or_, select

from forum.models import Post, Thread, User, Visibility
from forum.services.permissions.standing import is_moderator, signed_in


def _public_or_own(model: type[Thread] | type[Post], viewer_id: Any):
    public = model.visibility == Visibility.PUBLIC.value
    return public if viewer_id is None else or_(public, model.author_id == viewer_id)


def _viewer_id(viewer: User | None) -> int | None:
    return viewer.id if signed_in(viewer) else None


def bound_viewer(member: bool):
    """The viewer's id as the bound parameter :viewer_id (None for a signed-out kind of viewer): what a statement
    built once per kind of viewer (visible_threads_as, visible_posts_as) is given; viewer_params supplies it."""
    return bindparam("viewer_id", type_=Integer) if member else None


def viewer_params(viewer: User | None, **params) -> dict:
    """params, with :viewer_id when the viewer is signed in (for statements built with bound_viewer)."""
    return {"viewer_id": viewer.id, **params} if signed_in(viewer) else params


def visible_threads(viewer: User | None) -> Select:
    """Threads the viewer may read: public ones, the viewer's own pending or hidden ones; moderators all."""
    return visible_threads_as(is_moderator(viewer), _viewer_id(viewer))


def visible_threads_as(moderator: bool, viewer_id: Any) -> Select:
    """visible_threads() for a viewer given as "moderator or not" and an id (None when signed out), which may be
    a bound parameter (as visible_posts_as)."""
    query = select(Thread)
    if not moderator:
        query = query.where(Thread.deleted_at.is_(None), _public_or_own(Thread, viewer_id))
    return query


def visible_posts(viewer: User | None) -> Select:
    """Posts the viewer may read, in threads the viewer may read (pending/hidden: author and moderators)."""
    return visible_posts_as(is_moderator(viewer), _viewer_id(viewer))


def visible_posts_as(moderator: bool, viewer_id: Any) -> Select:
    """visible_posts() for a viewer given as "moderator or not" and an id (None when signed out), which may be
    a bound parameter: a hot page's statement is then built once per kind of viewer and run with the id."""
    query = select(Post).join(Thread, Post.thread_id == Thread.id)
    if not moderator:
        query = query.where(
            Post.deleted_at.is_(None), Thread.deleted_at.is_(None),
            _public_or_own(Post, viewer_id), _public_or_own(Thread, viewer_id),
        )
    return query
