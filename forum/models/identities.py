"""Sign-in through an identity provider (OpenID Connect): linked identities and spent nonces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class UserIdentity(db.Model):
    """One provider account (issuer + subject) linked to one Horseshoe user.

    The subject, not the email, is the lasting key: an email address can change hands at the
    provider, the subject never does.
    """

    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # The email the provider reported at the last sign-in (for staff looking at a link; never a key).
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SpentNonce(db.Model):
    """The digest of an ID token nonce that already signed someone in: a replayed token is refused.

    Rows older than a day are pruned; an ID token that old has long expired anyway.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
