"""What one member has done on one thread — helpful votes, "me too", watch or mute, and which of the shown
posts' authors they ignore — in one statement.

The thread page shows each of these beside the posts; asked one by one they were four of the page's
statements (issue 21: at most six per page, whatever the community's size).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import CompoundSelect, Integer, bindparam, case, literal, select, union_all

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


@cache
def _marks_statement() -> CompoundSelect:
    """marks_on()'s statement, built once with the member, thread and ids as parameters (the id lists expand
    when it runs): every signed-in thread page reads it, and building and keying it cost more than running it."""
    user_id, thread_id = bindparam("user_id", type_=Integer), bindparam("thread_id", type_=Integer)
    votes = select(literal("vote").label("kind"), Vote.post_id.label("value")).where(
        Vote.user_id == user_id, Vote.post_id.in_(bindparam("post_ids", expanding=True))
    )
    me_too = select(literal("me_too"), MeToo.thread_id).where(MeToo.user_id == user_id, MeToo.thread_id == thread_id)
    watch = select(case((Subscription.muted.is_(True), literal("muted")), else_=literal("watching")),
                   Subscription.thread_id).where(Subscription.user_id == user_id, Subscription.thread_id == thread_id)
    ignored = select(literal("ignored"), Block.blocked_id).where(
        Block.blocker_id == user_id, Block.blocked_id.in_(bindparam("author_ids", expanding=True)), block_in_force()
    )
    return union_all(votes, me_too, watch, ignored)


def marks_on(
    user: User | None, thread: Thread, post_ids: list[int], author_ids: list[int] | None = None
) -> ThreadMarks:
    """The member's marks on thread and on these of its posts, and which of author_ids they ignore (nobody's
    for a signed-out visitor)."""
    if user is None:
        return NONE
    rows = db.session.execute(_marks_statement(), {
        "user_id": user.id, "thread_id": thread.id, "post_ids": post_ids or [0], "author_ids": author_ids or [0],
    }).all()
    kinds = [kind for kind, _value in rows]
    return ThreadMarks(
        voted=frozenset(value for kind, value in rows if kind == "vote"),
        said_me_too="me_too" in kinds,
        watch="muted" if "muted" in kinds else "watching" if "watching" in kinds else None,
        ignored=frozenset(value for kind, value in rows if kind == "ignored"),
    )
