"""Accounts: registration, credentials, password reset, profiles, roles and API tokens.

An account's email address cannot be changed yet. Whoever adds that: nothing stored for mail needs rewriting.
A reply address (forum.mail.addresses) names the account id, never the address, and forum.mail.replies accepts
a reply only from the account's *current* address, so after a change the reply addresses in old notifications
keep working, from the new address only. Bounces are counted per address (MailAddressHealth): the old address
keeps its record, and the bounce banner goes with the change. A verification link carries a fingerprint of the
address (forum.accounts.verification), so a new address must be confirmed again before it is trusted.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload

from forum.accounts import preferences, sessions, signup_defences, verification
from forum.core import clock, database, text
from forum.core.errors import Conflict, ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import ApiToken, Role, TokenKind, User
from forum.services import audit_writer
from forum.services.permissions import Action, require

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,30}[A-Za-z0-9_]$")
MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = frozenset(
    {"password123", "1234567890", "qwertyuiop", "letmein123", "iloveyou12", "passw0rd12", "0123456789"}
)
TOKEN_USE_PRECISION = timedelta(minutes=5)
NO_PASSWORD = "!no-password"  # nosec B105  # not an Argon2 hash: verify() raises, so authenticate() answers None
_hasher = PasswordHasher()  # Argon2id: memory-hard, so stolen hashes are costly to crack
_dummy_hash = ""
# Test runs only: Argon2id with minimal cost, so hundreds of accounts don't take minutes to hash.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Choose the hasher (create_app passes the cheap one for TESTING). The dummy hash has its parameters (verifying
    costs the same) but no hashing makes it: hashing held 64 MiB for a moment in every process (issue 21)."""
    global _hasher, _dummy_hash
    _hasher = hasher
    salt, digest = (base64.b64encode(secrets.token_bytes(n)).decode().rstrip("=")
                    for n in (hasher.salt_len, hasher.hash_len))
    _dummy_hash = (f"$argon2{hasher.type.name.lower()}$v={ARGON2_VERSION}$m={hasher.memory_cost},"
                   f"t={hasher.time_cost},p={hasher.parallelism}${salt}${digest}")


_TIME_ZONES = frozenset(available_timezones())


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str
    display_name: str = ""


@dataclass(frozen=True)
class ProfileChange:
    display_name: str
    bio: str
    time_zone: str
    language: str | None = None  # "" follows the browser; None leaves it as it is (forum.accounts.preferences)
    theme: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalize_email(email: str) -> str | None:
    """The canonical, lower-cased address, or None when it is not a valid email."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _password_problems(password: str, username: str, email: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    if len(password) > 256:
        problems.append(_("Use at most %(num)d characters.", num=256))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.lower()) or lowered == email.lower():
        problems.append(_("This password is too easy to guess."))
    return problems


def _validate_registration(data: Registration) -> tuple[str, str]:
    errors = ErrorCollector()
    username = data.username.strip()
    if not USERNAME_PATTERN.match(username):
        errors.add("username", _("Use 3–32 letters, digits, '_', '.' or '-', starting and ending with a letter or "
                                 "digit."))
    email = normalize_email(data.email or "")
    for problem in [_("Enter a valid email address.")] if email is None else signup_defences.email_problems(email):
        errors.add("email", problem)
    for problem in _password_problems(data.password or "", username, data.email or ""):
        errors.add("password", problem)
    _check_display_name(errors, data.display_name)
    errors.raise_if_any()
    return username, email


def _check_display_name(errors: ErrorCollector, name: str) -> None:
    """At most 64 characters, and either empty (the username shows) or with something a reader can see.

    A name of only zero-width or other invisible characters would show as a blank author on every post.
    """
    if len(name.strip()) > 64:
        errors.add("display_name", _("Use at most %(num)d characters.", num=64))
    elif name.strip() and text.visible_length(name) == 0:
        errors.add("display_name", _("Use characters people can see, or leave it empty to show your username."))


def register_user(
    data: Registration, role: Role = Role.MEMBER, *, password_hash: str | None = None, verified: bool = False
) -> User:
    """Create a member account; usernames and emails are unique regardless of case.

    verified: the address is known to be the person's (an operator created the account, or the
    caller already proved it); otherwise the account only reads until the emailed link is followed.

    password_hash, when given, must be hash_password(data.password): bulk seeding reuses one
    hash because Argon2 is deliberately slow.
    """
    username, email = _validate_registration(data)
    password_hash = password_hash or hash_password(data.password)  # before any query: no lock held while hashing
    taken = ErrorCollector()
    owner = db.session.execute(select(User.staged_at).where(User.email == email)).first()
    if owner is not None and owner.staged_at is not None:
        raise signup_defences.StagedAccount(email)
    if db.session.scalar(select(User.id).where(User.username_key == username.lower())):
        taken.add("username", _("That username is taken."))
    if owner is not None:
        taken.add("email", _("An account with that email already exists."))
    if taken.errors:
        raise Conflict(next(iter(taken.errors.values()))[0], taken.errors)
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        password_hash=password_hash,
        role=role.value,
        display_name=data.display_name.strip(),
        bio="",
        time_zone="UTC",
        reputation=0,
        created_at=clock.now(),
        email_verified_at=clock.now() if verified else None,
    )
    db.session.add(user)
    verification.send_link_if_unconfirmed(user)  # in the same transaction: no new account without its link
    db.session.commit()
    return user


def add_passwordless_user(username: str, email: str, role: Role = Role.MEMBER, display_name: str = "") -> User:
    """Add (the caller commits) an account no one can sign in to with a password: Argon2 refuses its hash.

    It counts as verified: a provider that vouched for the email made it, or it is a service account.

    For people who sign in through an identity provider (they may set a password later through the
    reset link) and for service accounts, which only ever hold API tokens. Callers pick a free,
    valid username and email.
    """
    user = User(
        username=username, username_key=username.lower(), email=email, password_hash=NO_PASSWORD, role=role.value,
        display_name=display_name[:64], bio="", time_zone="UTC", reputation=0,
        created_at=clock.now(), email_verified_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None; unknown emails cost the same time as wrong passwords."""
    user = db.session.scalar(select(User).where(User.email == (normalize_email(email or "") or "")))
    stored_hash = user.password_hash if user is not None else (_dummy_hash or _hasher.hash("x"))
    db.session.commit()  # end the transaction: Argon2 is slow on purpose, never verify holding the write lock
    try:
        _hasher.verify(stored_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    user.last_seen_at = clock.now()
    db.session.commit()
    return user


def password_matches(user: User, password: str) -> bool:
    """Whether password is user's, to confirm a sensitive change: authenticate()'s cost and care (no lock held)."""
    return authenticate(user.email, password) is not None


def set_password(user: User, password: str) -> None:
    """Replace the password and end every other session, every reset link and API token.

    The session this request came with (if any) stays signed in: the person changing the password
    is the one who should keep going; a thief's copies end.
    """
    user_id = user.id
    problems = _password_problems(password or "", user.username, user.email)
    if problems:
        raise Invalid({"password": problems})
    db.session.commit()  # end the (read-only) transaction: hash without holding the write lock
    new_hash = hash_password(password)
    db.session.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
    sessions.end_others(user)
    # A stolen bearer token must not outlive the password change that was meant to lock the thief out.
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    db.session.commit()
    db.session.refresh(user)


def revoke_all_api_tokens(user: User) -> None:
    """Revoke every live token of the user, in the caller's transaction."""
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def cancel_scheduled_deletion(user: User) -> bool:
    """An interactive sign-in (or POST /tokens) within the grace period keeps the account; True if one was due.

    The caller commits. A conditional UPDATE: when the deletion job has just claimed the account, it stays erased.
    """
    if user.deletion_scheduled_at is None:
        return False
    kept = db.session.execute(
        update(User).where(User.id == user.id, User.anonymized_at.is_(None), User.deletion_scheduled_at.is_not(None))
        .values(deletion_scheduled_at=None, deletion_removes_unanswered=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(user, ["deletion_scheduled_at", "deletion_removes_unanswered", "anonymized_at"])
    if not kept:
        return False
    audit_writer.record(user, "user.deletion_cancelled", "user", user.id, "The owner signed in again.")
    return True


def load_session_user(session_key: str) -> User | None:
    """The user behind a session cookie's key, while that session is live (forum.accounts.sessions)."""
    return sessions.load(session_key)


def update_profile(actor: User, user: User, change: ProfileChange) -> User:
    require(actor, Action.USER_EDIT, user)
    errors = ErrorCollector()
    _check_display_name(errors, change.display_name)
    if len(change.bio) > 2000:
        errors.add("bio", _("Use at most 2,000 characters."))
    if change.time_zone not in _TIME_ZONES:
        errors.add("time_zone", _("Choose a time zone from the list."))
    preferences.check(errors, change.language, change.theme)
    errors.raise_if_any()
    user.display_name = change.display_name.strip()
    user.bio = change.bio.strip()
    user.time_zone = change.time_zone
    preferences.apply(user, change.language, change.theme)
    db.session.commit()
    return user


def set_role(actor: User, user: User, role: str) -> bool:
    """Change a user's role; admins only, and an admin cannot demote themselves by accident.

    Returns False when the user already had that role (nothing audited), so the page can say so.
    """
    require(actor, Action.USER_MANAGE, user)
    if role not in {r.value for r in Role}:
        raise Invalid({"role": [_("Choose one of: %(choices)s.", choices=", ".join(r.value for r in Role))]})
    if user.id == actor.id and role != Role.ADMIN.value:
        raise Conflict(_("You cannot remove your own admin role."), {"role": [_("Ask another admin to do this.")]})
    if role == user.role:
        return False
    audit_writer.record(actor, "user.role_change", "user", user.id, before={"role": user.role}, after={"role": role})
    user.role = role
    db.session.commit()
    return True


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def get_user_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username.lower()))
    if user is None:
        raise NotFound(_("No such user."))
    return user


def list_users(actor: User, prefix: str = "", limit: int = 100) -> list[User]:
    """The newest accounts, optionally only usernames starting with prefix; admins only."""
    require(actor, Action.USER_MANAGE)
    query = select(User).order_by(User.created_at.desc(), User.id.desc()).limit(limit)
    prefix = prefix.strip().lower()
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.username_key.like(escaped + "%", escape="\\"))
    return list(db.session.scalars(query))


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_api_token(
    user: User, name: str = "api", scope: str = "write", kind: TokenKind = TokenKind.PERSONAL
) -> tuple[ApiToken, str]:
    """Add a token to the session (the caller commits) and return it with its raw value, which is never stored."""
    raw = "hs_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:64], token_hash=_token_digest(raw), scope=scope, kind=kind.value,
                     created_at=clock.now())
    db.session.add(token)
    return token, raw


def create_api_token(user: User, name: str = "api", scope: str = "write", kind: TokenKind = TokenKind.PERSONAL) -> str:
    """Mint a bearer token; the raw value is returned once and only its digest is kept."""
    _token, raw = new_api_token(user, name, scope, kind)
    db.session.commit()
    return raw


def user_for_api_token(raw: str) -> tuple[User, ApiToken] | None:
    """The live token with this value and its user, noting that it was used; None for an erased account's.

    This runs before every bearer-token API call, so it is one SELECT (the token joined with its user)
    on most calls, outside SQLite's write lock (database.reading); _note_token_use: the rare call that writes.
    """
    with database.reading():
        token = db.session.scalar(_token_with_user(), {"digest": _token_digest(raw)})
    if token is None or token.user.anonymized_at is not None:
        return None
    _note_token_use(token)
    return token.user, token


@cache
def _token_with_user() -> Select:  # built once: composing it cost more than running it (issue 21)
    return select(ApiToken).options(joinedload(ApiToken.user, innerjoin=True)).where(
        ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))


def _note_token_use(token: ApiToken) -> None:
    """Keep "last used" to within TOKEN_USE_PRECISION (five minutes): a write on every call would queue
    all API reads behind it, so the token list's "last used" may lag the latest call by that much.

    The write is one UPDATE in its own short transaction (database.writing: a read transaction must not turn
    into a write). The commits keep the token and user loaded: expired, the request would read both again.
    """
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_PRECISION:
        return
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        with database.writing():
            token.last_used_at = now
            session.commit()
    finally:
        session.expire_on_commit = expire


def revoke_api_token(token: ApiToken) -> None:
    token.revoked_at = clock.now()
    db.session.commit()


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
