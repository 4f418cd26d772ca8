"""What members write before they publish it: drafts saved while typing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class Draft(db.Model):
    """A member's unpublished text under one key: a new question in a category, a reply to a thread, an edit
    of a post (forum.writing.drafts names the keys). Saved every few seconds while typing, restored on
    return, deleted when the text is published."""

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_draft_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
