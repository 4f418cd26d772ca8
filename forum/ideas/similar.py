"""Similar ideas while a member types one, so they vote for it instead of posting it again.

forum never imports search, so search hands its finder in from its init_app (forum.hooks
provide_similar_ideas). The provider ranks idea ids; the ideas themselves are read back here through
visible_ideas, so a hidden or deleted idea is never offered whatever the index still holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask import Flask, current_app
from sqlalchemy.orm import joinedload

from forum.core.extensions import db
from forum.ideas.queries import visible_ideas
from forum.models import Idea, IdeaStatus, Thread, User

log = logging.getLogger(__name__)

EXTENSION = "horseshoe.similar_ideas"
MIN_TITLE_CHARS = 8  # the shortest title posting accepts
MAX_LIMIT = 10

# (viewer, title, limit) → idea (thread) ids, best first.
Provider = Callable[[User | None, str, int], Sequence[int]]


def register(app: Flask, provider: Provider) -> None:
    app.extensions[EXTENSION] = provider


def similar_ideas(viewer: User | None, title: str, limit: int = 5) -> list[Idea]:
    """Ideas (not duplicates) whose text matches a draft title, best first; [] without a provider or for a short
    title. A provider that fails is logged and suggests nothing: posting must never depend on it."""
    provider = current_app.extensions.get(EXTENSION)
    title = (title or "").strip()
    if provider is None or len(title) < MIN_TITLE_CHARS:
        return []
    limit = max(1, min(int(limit), MAX_LIMIT))
    try:
        ranked = list(provider(viewer, title, limit * 2))
    except Exception:  # a broken index must not break the idea form
        log.exception("similar ideas provider failed")
        return []
    if not ranked:
        return []
    query = (visible_ideas(viewer).where(Idea.thread_id.in_(ranked), Idea.status != IdeaStatus.DUPLICATE.value)
             .options(joinedload(Idea.thread).joinedload(Thread.category)))
    found = {idea.thread_id: idea for idea in db.session.scalars(query)}
    return [found[idea_id] for idea_id in ranked if idea_id in found][:limit]
