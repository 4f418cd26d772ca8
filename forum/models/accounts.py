"""People and their credentials: users, roles and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.types import UTCDateTime

SERVICE_EMAIL_DOMAIN = "service.invalid"  # RFC 2606: never deliverable, so no mail reaches a bot


class Role(StrEnum):
    """Roles in ascending order of power; staff are moderator, agent and admin."""

    MEMBER = "member"
    ADVOCATE = "advocate"
    MODERATOR = "moderator"
    AGENT = "agent"
    ADMIN = "admin"

    @property
    def level(self) -> int:
        return _ROLE_LEVELS[self]

    @property
    def is_staff(self) -> bool:
        return _ROLE_LEVELS[self] >= _ROLE_LEVELS[Role.MODERATOR]


# Asked for every post a page shows (badges, permission checks): a lookup, not a scan of the members.
_ROLE_LEVELS = {role: position for position, role in enumerate(Role)}


class User(UserMixin, db.Model):
    """A community member; email and username are unique regardless of case."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    # IANA zone the member reads times in (their pages and emails); signed-out pages localise in the browser.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # "en", "de" or "es" (forum.core.i18n.LANGUAGES); None follows the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # "auto" follows the system's light or dark preference; "light" and "dark" fix one.
    theme: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    reputation: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the owner followed the emailed link (or a provider vouched); until then the account only reads.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Two-factor sign-in (TOTP): the base32 secret once enrolment starts, enabled once a code confirmed it.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last time step a code was accepted for: the same code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Self-service deletion: anonymised at this moment unless the owner signs in before it.
    deletion_scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # The owner asked that posts nobody replied to are removed, not only put under the anonymous name.
    deletion_removes_unanswered: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Email for notifications: "immediately", "daily" (one digest) or "off".
    email_frequency: Mapped[str] = mapped_column(String(16), default="immediately", server_default="immediately")
    # Digests are opt-in for accounts made since issue 20; the migration kept older accounts' choice.
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    last_daily_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_weekly_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Silenced until this moment (reads and signs in, but may not post, vote or flag), and why.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Identity removed on request (right to be forgotten); posts stay under a placeholder name.
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The uploaded picture (its renditions avatar-32/64/128 are the sizes shown); None: a generated default.
    # use_alter: user and upload point at each other, so this key is added once both tables exist.
    avatar_upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("upload.id", ondelete="SET NULL", use_alter=True, name="fk_user_avatar_upload_id"),
        nullable=True, index=True,
    )

    # Recognition shown beside the name on every post, kept as running totals so a thread page reads them
    # with its authors (no query per post): accepted solutions (moved with the REPLY_ACCEPTED ledger rows,
    # checked by `reputation recompute`) and the code of the member's best badge (highest tier, then rarest).
    solution_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    top_badge: Mapped[str | None] = mapped_column(String(48), nullable=True)
    # Made for someone who wrote in by email (forum.mail.questions): no password yet; claimed (and cleared)
    # when its owner sets one through the emailed link.
    staged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        return self.role_enum.is_staff

    @property
    def name(self) -> str:
        """The name shown on pages: the display name when set, else the username."""
        return self.display_name or self.username

    @property
    def is_service_account(self) -> bool:
        """Bots that only hold service tokens: no mailbox, no password, so no verification and no 2FA."""
        return self.email.endswith("@" + SERVICE_EMAIL_DOMAIN)

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        """The random key of the server-side session this user object was signed in with.

        forum.accounts.sessions attaches it (at sign-in, or when a request's cookie names a live
        session); Flask-Login stores it in the cookie, so nothing in the cookie names the user.
        """
        key = getattr(self, "session_key", None)
        if key is None:
            raise RuntimeError("sign users in through forum.accounts.sessions.start")
        return key

    def __eq__(self, other: object) -> bool:
        """The same account (Flask-Login's own comparison would ask both for a session key)."""
        return isinstance(other, User) and self.id is not None and self.id == other.id

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        """Equal users hash alike (by id); one not yet flushed has no id and hashes as itself."""
        return hash(("user", self.id)) if self.id is not None else object.__hash__(self)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class TokenKind(StrEnum):
    """personal: a person minted it for themselves; service: an admin minted it for a non-human account."""

    PERSONAL = "personal"
    SERVICE = "service"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored, so a database leak reveals no token.

    scope "read" may only call safe methods; "write" may do whatever its user may do.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="api")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(16), default="write")
    kind: Mapped[str] = mapped_column(String(16), default=TokenKind.PERSONAL.value, server_default="personal")
    # Minted by POST /tokens for a suspended account: read-only, yet it reaches the few routes a suspended
    # account may still use (export, its own case, appeal). A "read" token chosen by its owner never writes.
    limited: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(back_populates="tokens")


class SignInFailure(db.Model):
    """Failed sign-ins for one email address in the current window (forum.accounts.sign_in_guard).

    Keyed by a digest of the normalised address, whether or not an account has it, so the table
    neither stores the addresses people typed nor tells which of them are members.
    """

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Old windows are swept by this index (a new window's first failure deletes long-expired rows).
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UserSession(db.Model):
    """One signed-in browser: the cookie holds a random key, only its SHA-256 digest is stored here.

    Ending a session (sign out, "sign out everywhere else", a password change) sets ended_at; the
    next request carrying its key is treated as signed out.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Dropped after the admin's retention period (privacy.ip_retention_days).
    ip_address: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time two-factor recovery code; only its digest is kept, and used_at spends it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DataExport(db.Model):
    """A member's own-data archive: built by a job (progress 0..100), downloadable by them until expires_at."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | ready | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # The archive's file name under the data directory's exports folder (random: not guessable).
    file_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
