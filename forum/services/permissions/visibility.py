"""What a viewer may read, as query filters: the one definition lists, pages, the API and search share."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from forum.models import Post, Thread, User, Visibility
from forum.services.permissions.standing import is_moderator, signed_in


def _public_or_own(model: type[Thread] | type[Post], viewer: User | None):
    public = model.visibility == Visibility.PUBLIC.value
    return or_(public, model.author_id == viewer.id) if signed_in(viewer) else public


def visible_threads(viewer: User | None) -> Select:
    """Threads the viewer may read: public ones, the viewer's own pending or hidden ones; moderators all."""
    query = select(Thread)
    if not is_moderator(viewer):
        query = query.where(Thread.deleted_at.is_(None), _public_or_own(Thread, viewer))
    return query


def visible_posts(viewer: User | None) -> Select:
    """Posts the viewer may read, in threads the viewer may read (pending/hidden: author and moderators)."""
    query = select(Post).join(Thread, Post.thread_id == Thread.id)
    if not is_moderator(viewer):
        query = query.where(
            Post.deleted_at.is_(None), Thread.deleted_at.is_(None),
            _public_or_own(Post, viewer), _public_or_own(Thread, viewer),
        )
    return query
