"""Ignoring another member (Discourse's "ignore", the API's blocks): a member stops hearing from someone.

An ignored member's posts collapse for the one who ignores them; their mentions, quotes, replies and
private messages notify nobody who ignores them; they cannot start a conversation with that person.
Staff notices (moderation, cases, account) still reach everyone, and staff cannot be ignored: ignoring
them is refused, and a row kept from before someone became staff counts for nothing (block_in_force).
The rest of the app asks the questions below instead of reading Block rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import Block, User
from forum.models.relations import block_in_force, ignore_in_force
from forum.services.permissions import Action, is_active, require

NOT_YOURSELF = N_("You cannot ignore yourself.")  # translated where raised
NOT_STAFF = N_("Staff cannot be ignored: their notices about your account must reach you.")
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Ignored:
    """One member the caller ignores, and since when (the list page and GET /me/blocks)."""

    user: User
    since: datetime


def ignores(blocker_id: int | None, blocked_id: int | None) -> bool:
    """Whether blocker ignores blocked."""
    if blocker_id is None or blocked_id is None:
        return False
    return bool(db.session.scalar(select(ignore_in_force(blocker_id, blocked_id))))


def ignored_ids(user_id: int | None) -> frozenset[int]:
    """Everyone this member ignores."""
    if user_id is None:
        return frozenset()
    return frozenset(db.session.scalars(select(Block.blocked_id).where(Block.blocker_id == user_id,
                                                                       block_in_force())))


def not_ignoring(actor_id: int | None, user_ids: Iterable[int]) -> list[int]:
    """Those of user_ids who do not ignore actor (whom actor's mention, reply or message may notify)."""
    wanted = list(dict.fromkeys(user_ids))
    if actor_id is None or not wanted:
        return wanted
    ignoring = set(db.session.scalars(select(User.id).where(User.id.in_(wanted), ignore_in_force(User.id, actor_id))))
    return [user_id for user_id in wanted if user_id not in ignoring]


def ignored_by(user: User) -> list[Ignored]:
    """Whom user ignores, the most recent first."""
    rows = db.session.execute(
        select(User, Block.created_at).join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == user.id, block_in_force()).order_by(Block.created_at.desc(), Block.id.desc())
    )
    return [Ignored(member, since) for member, since in rows]


def _check(user: User, target: User) -> None:
    """Ignoring oneself is a mistake in the request (422); an account that may not take part is refused (403)."""
    if is_active(user) and target.id == user.id:
        raise Invalid({"user_id": [_(NOT_YOURSELF)]})
    require(user, Action.USER_BLOCK, target)


def ignore(user: User, target: User) -> bool:
    """Start ignoring target; True when this is new. Staff cannot be ignored (their notices must arrive)."""
    _check(user, target)
    if target.is_staff:
        raise Invalid({"user_id": [_(NOT_STAFF)]})
    # Insert-or-ignore on the pair's unique constraint: a second PUT, even a concurrent one, changes nothing.
    statement = _INSERTS[db.session.get_bind().dialect.name](Block.__table__).values(
        blocker_id=user.id, blocked_id=target.id, created_at=clock.now()
    ).on_conflict_do_nothing(index_elements=[Block.__table__.c.blocker_id, Block.__table__.c.blocked_id])
    # RETURNING says whether a row went in (psycopg answers rowcount -1 to an insert that returns).
    added = db.session.execute(statement.returning(Block.__table__.c.id)).first() is not None
    db.session.commit()
    return added


def unignore(user: User, target: User) -> bool:
    """Stop ignoring target; True when there was something to undo (also a row kept from before target
    became staff, which counted for nothing but is tidied away)."""
    _check(user, target)
    removed = db.session.execute(
        delete(Block).where(Block.blocker_id == user.id, Block.blocked_id == target.id)
    ).rowcount
    db.session.commit()
    return bool(removed)


def forget_all(user_id: int) -> None:
    """Erasure: every Block the member made or was the subject of goes (the caller commits)."""
    db.session.execute(delete(Block).where(or_(Block.blocker_id == user_id, Block.blocked_id == user_id)))
