"""What a viewer may read of the ideas board: ideas are threads, so thread visibility decides.

Every reader of ideas (board, roadmap, API, search, feeds) starts from visible_ideas or get_idea, so an
idea held for review or deleted is never shown to someone who could not open its thread.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import IDEA_KIND, Idea, IdeaStatus, Thread, User
from forum.services.permissions import Action, can, visible_threads

IDEA_STATUSES = tuple(status.value for status in IdeaStatus)
OPEN_STATUSES = tuple(status.value for status in IdeaStatus if status.is_open)


def visible_ideas(viewer: User | None) -> Select:
    """(Thread, Idea) rows of the ideas the viewer may read."""
    threads = visible_threads(viewer).where(Thread.kind == IDEA_KIND).subquery()
    return select(Idea).join(Thread, Thread.id == Idea.thread_id).where(Thread.id.in_(select(threads.c.id)))


def get_idea(viewer: User | None, idea_id: int) -> Idea:
    """The idea with this (thread) id, or NotFound when there is none or the viewer may not read it."""
    idea = db.session.scalar(
        select(Idea).where(Idea.thread_id == idea_id).options(joinedload(Idea.thread).joinedload(Thread.author))
    )
    if idea is None or idea.thread.kind != IDEA_KIND or not can(viewer, Action.THREAD_VIEW, idea.thread):
        raise NotFound(_("That idea does not exist or is not visible to you."))
    return idea


def idea_of(thread: Thread) -> Idea | None:
    """The idea row of an idea thread (None for questions and discussions)."""
    return thread.idea if thread.kind == IDEA_KIND else None
