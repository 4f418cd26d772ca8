"""Anonymise an account on request (the right to be forgotten): identity goes, posts stay.

Answers stay useful to the next customer, so posts, votes and the reputation ledger are
kept, under a placeholder name. Everything that identifies or reaches the person goes:
names, email, bio, credentials, sessions, tokens, subscriptions, notifications and stored
emails. The audit entry records that it happened, never who the person was.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select, update

from forum.core import clock
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.models import ApiToken, Notification, OutboundEmail, Subscription, User, UserIdentity
from forum.services import audit_writer
from forum.services.permissions import Action, require

PLACEHOLDER_NAME = "Former member"


def _free_username(user: User) -> str:
    """deleted-user-<id>, or with a random suffix should someone have registered that name."""
    name = f"deleted-user-{user.id}"
    while db.session.scalar(select(User.id).where(User.username_key == name.lower(), User.id != user.id)):
        name = f"deleted-user-{user.id}-{secrets.token_hex(3)}"
    return name


def _forget_identity(user: User) -> None:
    username = _free_username(user)
    user.username, user.username_key = username, username.lower()
    user.email = f"{username}@anonymized.invalid"  # .invalid never resolves (RFC 2606), and stays unique
    user.display_name, user.bio, user.time_zone = PLACEHOLDER_NAME, "", "UTC"
    user.avatar_upload_id = None  # their photo is theirs too: unreferenced now, the orphan sweep deletes it
    user.password_hash = "!anonymized:" + secrets.token_hex(16)  # no Argon2 hash: no password matches
    user.email_frequency, user.weekly_digest = "off", False
    user.last_seen_at = None


def _cut_access(user: User, old_email: str) -> None:
    """Sign out everywhere, revoke tokens, and drop subscriptions, notifications and stored emails."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    db.session.execute(delete(Subscription).where(Subscription.user_id == user.id))
    db.session.execute(delete(UserIdentity).where(UserIdentity.user_id == user.id))  # no more provider sign-ins
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.to_address == old_email))


def anonymize_user(actor: User, user: User, reason: str = "") -> User:
    """Remove user's identity for good (admins only, never themselves); their posts stay."""
    require(actor, Action.USER_ANONYMIZE, user)
    if user.anonymized_at is not None:
        raise Conflict("This account is already anonymised.")
    old_email = user.email
    _forget_identity(user)
    _cut_access(user, old_email)
    user.anonymized_at = clock.now()
    audit_writer.record(actor, "user.anonymize", "user", user.id, (reason or "").strip()[:1000],
                 before={"anonymized_at": None}, after={"anonymized_at": user.anonymized_at})
    db.session.commit()
    return user
