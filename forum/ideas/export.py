"""A member's ideas and idea votes in their data export (forum.accounts.export_archive lists SECTIONS).

ideas.json: every idea the member posted, in whatever state, with its status and staff's note (the
texts themselves are in posts/, as for any thread). idea_votes.json: every vote they cast that still
exists, when, and when it was given back; an idea's title only while the member may still read it, as
for the threads they follow (settings.json), so the export never reveals what they can no longer open.
Both stream their rows in batches, one statement each.
"""

from __future__ import annotations

import zipfile
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager

from forum.accounts.export_format import BATCH, Section, streamed, timestamp, write_json_array
from forum.core.extensions import db
from forum.models import IDEA_KIND, Idea, IdeaVote, Thread, User
from forum.services.permissions import visible_threads


def write_ideas(archive: zipfile.ZipFile, user: User) -> None:
    """The member's own ideas, oldest first, with the state of each."""
    ideas = streamed(
        select(Idea).join(Thread, Thread.id == Idea.thread_id).options(contains_eager(Idea.thread))
        .where(Thread.author_id == user.id, Thread.kind == IDEA_KIND)
        .order_by(Thread.created_at, Thread.id)
    )
    write_json_array(archive, "ideas.json", (_idea(idea) for idea in ideas))


def _idea(idea: Idea) -> dict[str, Any]:
    thread = idea.thread
    return {
        "id": idea.thread_id, "title": thread.title, "url": f"/t/{idea.thread_id}", "status": idea.status,
        "status_note": idea.status_note, "vote_count": idea.vote_count, "duplicate_of": idea.duplicate_of_id,
        "category_id": thread.category_id, "deleted": thread.deleted_at is not None,
        "created_at": timestamp(thread.created_at), "status_changed_at": timestamp(idea.status_changed_at),
    }


def write_idea_votes(archive: zipfile.ZipFile, user: User) -> None:
    """The member's idea votes, oldest first: open ones still count against their budget, released ones not."""
    readable = select(visible_threads(user).with_only_columns(Thread.id).subquery().c.id)
    rows = db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.created_at, IdeaVote.released_at, IdeaVote.moved_from_id,
               case((Thread.id.in_(readable), Thread.title), else_=None))
        .join(Thread, Thread.id == IdeaVote.idea_id)
        .where(IdeaVote.user_id == user.id)
        .order_by(IdeaVote.created_at, IdeaVote.idea_id)
        .execution_options(yield_per=BATCH)
    )
    write_json_array(archive, "idea_votes.json", (
        {"idea_id": idea_id, "title": title, "created_at": timestamp(created_at),
         "released_at": timestamp(released_at), "moved_from_id": moved_from_id}
        for idea_id, created_at, released_at, moved_from_id, title in rows
    ))


SECTIONS: list[tuple[str, Section]] = [
    ("ideas", write_ideas),
    ("idea_votes", write_idea_votes),
]
