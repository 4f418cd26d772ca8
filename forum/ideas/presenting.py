"""What the ideas pages show beyond the lists (HTTP-free): the ideas categories, and the idea panel of an
idea's thread page (its status, staff's note, the history of changes, the viewer's vote and budget).

The panel is a fixed handful of statements whatever the thread holds, so the thread page of an idea costs
the same as any other thread page plus this constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from forum.core.extensions import db
from forum.ideas import voting
from forum.models import IDEA_KIND, Category, CategoryKind, Idea, IdeaStatusChange, Thread, User
from forum.services import reading
from forum.services.permissions import Action, can

HISTORY_SHOWN = 20


def ideas_categories() -> list[Category]:
    """The categories ideas are posted in, in the site's order (the board's filter, the new idea form)."""
    return list(db.session.scalars(
        select(Category).where(Category.kind == CategoryKind.IDEAS.value).order_by(Category.position, Category.name)
    ))


def ideas_category(slug: str | None) -> Category | None:
    """The ideas category with this slug; None for no slug, an unknown one or a category of questions."""
    if not slug or "\x00" in slug:
        return None
    return db.session.scalar(
        select(Category).where(Category.slug == slug[:100], Category.kind == CategoryKind.IDEAS.value)
    )


def is_ideas_category(category: Any) -> bool:
    """Whether the category (a Category or listings' CategoryHeading) holds ideas: its /c/ page then sends
    visitors to the board. A heading without kind costs one statement to look it up."""
    kind = getattr(category, "kind", None)
    if kind is None:
        kind = db.session.scalar(select(Category.kind).where(Category.id == category.id))
    return kind == CategoryKind.IDEAS.value


@dataclass(frozen=True)
class IdeaPanel:
    """Everything the idea panel of a thread page shows to this viewer."""

    idea: Idea
    history: list[IdeaStatusChange]
    duplicate_of: Thread | None  # the idea it was merged into, when the viewer may see it
    voted: bool
    votes_left: int | None  # None for visitors who are not signed in
    may_vote: bool  # the vote button: signed in, active, not the author, the idea still open
    may_manage: bool  # the staff status form


def idea_panel(viewer: User | None, thread: Thread) -> IdeaPanel | None:
    """The panel for an idea's thread page; None for questions and discussions (and a missing idea row)."""
    if thread.kind != IDEA_KIND:
        return None
    idea = db.session.scalar(select(Idea).where(Idea.thread_id == thread.id))
    if idea is None:
        return None
    signed_in = viewer is not None and viewer.is_authenticated
    history = list(db.session.scalars(
        select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.thread_id)
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc()).limit(HISTORY_SHOWN)
    ))
    duplicate_of = None
    if idea.duplicate_of_id is not None:
        duplicate_of = reading.visible_threads_by_id(viewer, [idea.duplicate_of_id]).get(idea.duplicate_of_id)
    return IdeaPanel(
        idea=idea, history=history, duplicate_of=duplicate_of,
        voted=signed_in and idea.thread_id in voting.voted_idea_ids(viewer, [idea.thread_id]),
        votes_left=voting.votes_left(viewer) if signed_in else None,
        may_vote=signed_in and idea.is_open and can(viewer, Action.IDEA_VOTE, idea),
        may_manage=can(viewer, Action.IDEA_MANAGE, idea),
    )
