"""What one member has done on one thread — helpful votes, "me too", watch or mute, and which of the shown
posts' authors they ignore — in one statement.

The thread page shows each of these beside the posts; asked one by one they were four of the page's
statements (issue 21: at most six per page, whatever the community's size).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, literal, select, union_all

from forum.core.extensions import db
from forum.models import Block, MeToo, Subscription, Thread, User, Vote
from forum.models.relations import block_in_force


@dataclass(frozen=True)
class ThreadMarks:
    """voted: the shown posts the member found helpful; watch: "watching", "muted" or None (no row);
    ignored: those of the shown posts' authors the member ignores (forum.accounts.blocks)."""

    voted: frozenset[int] = frozenset()
    said_me_too: bool = False
    watch: str | None = None
    ignored: frozenset[int] = frozenset()


NONE = ThreadMarks()


def marks_on(
    user: User | None, thread: Thread, post_ids: list[int], author_ids: list[int] | None = None
) -> ThreadMarks:
    """The member's marks on thread and on these of its posts, and which of author_ids they ignore (nobody's
    for a signed-out visitor)."""
    if user is None:
        return NONE
    votes = select(literal("vote").label("kind"), Vote.post_id.label("value")).where(
        Vote.user_id == user.id, Vote.post_id.in_(post_ids or [0])
    )
    me_too = select(literal("me_too"), MeToo.thread_id).where(MeToo.user_id == user.id, MeToo.thread_id == thread.id)
    watch = select(case((Subscription.muted.is_(True), literal("muted")), else_=literal("watching")),
                   Subscription.thread_id).where(Subscription.user_id == user.id, Subscription.thread_id == thread.id)
    ignored = select(literal("ignored"), Block.blocked_id).where(
        Block.blocker_id == user.id, Block.blocked_id.in_(author_ids or [0]), block_in_force()
    )
    rows = db.session.execute(union_all(votes, me_too, watch, ignored)).all()
    kinds = [kind for kind, _value in rows]
    return ThreadMarks(
        voted=frozenset(value for kind, value in rows if kind == "vote"),
        said_me_too="me_too" in kinds,
        watch="muted" if "muted" in kinds else "watching" if "watching" in kinds else None,
        ignored=frozenset(value for kind, value in rows if kind == "ignored"),
    )
