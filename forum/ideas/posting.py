"""Posting an idea: a thread in an ideas category with its Idea row, watched by its author.

Built on forum.services.posting.stage_thread, so an idea gets the same checks as a question (title, body,
tags, content checks that may hold it for review). It is announced to the category's and tags' followers
like a question, but fires no thread.created: integrators hear of ideas through idea.status_changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forum.core import clock
from forum.core.extensions import db
from forum.models import Idea, IdeaStatus, User
from forum.services import moderation_state, notifications, posting
from forum.services.permissions import Action, require


@dataclass(frozen=True)
class NewIdea:
    category_id: int | None
    title: str
    body: str
    tags: list[str] = field(default_factory=list)


def post_idea(actor: User, data: NewIdea) -> Idea:
    """Post an idea with status new; a held one waits unseen for a moderator like a held question."""
    require(actor, Action.IDEA_CREATE)
    thread, question, review = posting.stage_thread(
        actor, posting.NewThread(data.category_id, data.title, data.body, list(data.tags)), idea=True,
    )
    idea = Idea(thread=thread, status=IdeaStatus.NEW.value, status_note="", vote_count=0, created_at=clock.now())
    db.session.add(idea)
    if review.held:
        moderation_state.hold_new_post(question, review.hold_reasons)
    else:
        notifications.on_new_thread(thread, question, actor)
    db.session.commit()
    return idea
