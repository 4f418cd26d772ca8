"""Password reset by email: a signed link that expires, and dies once the password changes.

The link carries the account id and a fingerprint of the current password hash, so it works once:
setting the new password changes the hash and with it every link sent before.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from forum.accounts import members
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.mail.sending import absolute_url, queue_email
from forum.models import User

RESET_SALT = "password-reset"


def reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=RESET_SALT)


def password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == (members.normalize_email(email or "") or "")))
    if user is None:
        return
    token = reset_serializer().dumps({"uid": user.id, "pw": password_fingerprint(user)})
    max_age_min = current_app.config["HORSESHOE"].password_reset_max_age_s // 60
    queue_email(
        user.email,
        _l("Reset your Horseshoe password"),
        "password_reset",
        essential=True,  # asked for by the member: sent even where notifications bounce
        user=user,
        link=absolute_url(f"/auth/reset/{token}"),
        minutes=max_age_min,
    )
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    """The user a reset token was made for; it expires, and dies once the password changes."""
    max_age = current_app.config["HORSESHOE"].password_reset_max_age_s
    try:
        data = reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Invalid({"token": [_("This reset link has expired. Ask for a new one.")]}) from exc
    except BadSignature as exc:
        raise Invalid({"token": [_("This reset link is not valid.")]}) from exc
    user = db.session.get(User, data.get("uid", 0)) if isinstance(data, dict) else None
    if user is None or data.get("pw") != password_fingerprint(user):
        raise Invalid({"token": [_("This reset link was already used. Ask for a new one.")]})
    return user


def reset_password(token: str, password: str) -> User:
    """Set the password; a staged account (forum.mail.staging) is claimed by it: the link reached its address."""
    user = user_for_reset_token(token)
    members.set_password(user, password)
    if user.staged_at is not None:
        user.staged_at = None
        user.email_verified_at = user.email_verified_at or clock.now()
        db.session.commit()
    return user
