"""How one member stands towards another: ignoring (blocking) them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, UniqueConstraint, exists, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.extensions import db
from forum.models.accounts import Role, User
from forum.models.types import UTCDateTime

STAFF_ROLES = tuple(role.value for role in Role if role.is_staff)


class Block(db.Model):
    """blocker ignores blocked: blocked's posts collapse for blocker, and blocked's mentions, replies and
    messages do not notify blocker; blocked cannot start a conversation with blocker. Staff notices
    still reach blocker (forum.accounts.blocks)."""

    __table_args__ = (
        UniqueConstraint("blocker_id", "blocked_id", name="uq_block_pair"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def block_in_force() -> ColumnElement[bool]:
    """The WHERE term that keeps only the Blocks that count: staff cannot be ignored, so a row kept from
    before its blocked member became staff silences nothing (their notices and posts reach everyone)."""
    return Block.blocked_id.not_in(select(User.id).where(User.role.in_(STAFF_ROLES)))


def ignore_in_force(blocker_id: ColumnElement[int] | int, blocked_id: ColumnElement[int] | int) -> ColumnElement[bool]:
    """The one definition of "blocker ignores blocked" (a Block in force), for any query that must leave
    ignored members' notices out: the notification INSERT and forum.accounts.blocks.not_ignoring."""
    return exists().where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id, block_in_force())
