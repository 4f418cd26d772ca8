"""Email verification: the signed link emailed at sign-up, confirming it, and asking for another.

Until its address is confirmed an account only reads (forum.services.permissions.restriction), so the
link is what turns a sign-up into a member. It is signed, not stored: it names the account and a
fingerprint of the address it was sent to, so changing the address kills every older link, and it
lasts 24 hours. Asking again is limited by counting the verification emails already queued to the
address (their rows in OutboundEmail), so no column remembers when the last one went out.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from forum.core import clock, i18n
from forum.core.errors import Conflict, DomainError, Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _, _l, ngettext
from forum.mail.sending import absolute_url, queue_email
from forum.models import OutboundEmail, User

SALT = "email-verification"
LINK_MAX_AGE = timedelta(hours=24)
SUBJECT = N_("Confirm your email address for Horseshoe")  # sent in the reader's language (see _subjects)
RESEND_INTERVAL_S = 60  # at most one link a minute...
LINKS_PER_DAY = 5  # ...and five a day (the sign-up's own link included)
LINK_PATH = "/auth/verify/"

EXPIRED = N_("This confirmation link has expired: links last 24 hours. Sign in and ask for a new one.")
NOT_VALID = N_("This confirmation link is not valid. Check that the whole link was copied, or ask for a new one.")
OTHER_ADDRESS = N_("This link was sent to an address that is no longer on the account. "
                   "Use the link in the latest email, or sign in and ask for a new one.")


class AlreadyConfirmed(Conflict):
    """Asking for a link for an address that is confirmed already: nothing to send."""

    title = N_("Already confirmed")


class TooSoon(DomainError):
    """Another link was asked for too soon after the last (a minute), or too often today."""

    status = 429
    title = N_("Too many requests")

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class _ClockSigner(TimestampSigner):
    """Timestamps from the services' clock, so a link's age follows forum.core.clock (and tests can move it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT, signer=_ClockSigner)


def _address_fingerprint(email: str) -> str:
    """Binds a link to the address without writing the address into the URL (links end up in logs)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "em": _address_fingerprint(user.email)})


def link_for(user: User) -> str:
    return absolute_url(LINK_PATH + make_token(user))


def send_link(user: User) -> OutboundEmail:
    """Queue the email with a fresh link to the account's current address; the caller commits."""
    db.session.flush()  # a new account needs its id for the link
    hours = int(LINK_MAX_AGE.total_seconds() // 3600)
    return queue_email(user.email, _l(SUBJECT), "verify_email", essential=True, user=user, link=link_for(user),
                       hours=hours)


def send_link_if_unconfirmed(user: User) -> None:
    """At sign-up: mail the link unless the address is known good already (an operator made the account)."""
    if user.email_verified_at is None:
        send_link(user)


def user_for_token(token: str) -> User:
    """The account a link confirms; Invalid (422) when it expired, was tampered with or names an old address."""
    try:
        data = _serializer().loads(token, max_age=int(LINK_MAX_AGE.total_seconds()))
    except SignatureExpired as exc:
        raise Invalid({"token": [_(EXPIRED)]}) from exc
    except BadSignature as exc:
        raise Invalid({"token": [_(NOT_VALID)]}) from exc
    user_id = data.get("uid") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise Invalid({"token": [_(NOT_VALID)]})
    if data.get("em") != _address_fingerprint(user.email):
        raise Invalid({"token": [_(OTHER_ADDRESS)]})
    return user


def confirm(token: str) -> User:
    """Mark the address the link was sent to as confirmed; following a link again changes nothing."""
    user = user_for_token(token)
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    db.session.commit()
    return user


def resend(user: User) -> OutboundEmail:
    """Email a new link, unless the address is confirmed already or links were asked for too often."""
    if user.email_verified_at is not None:
        raise AlreadyConfirmed(_("Your email address %(email)s is already confirmed: there is nothing to do.",
                                 email=user.email))
    _refuse_if_too_soon(user)
    email = send_link(user)
    db.session.commit()
    return email


def _recent_links(user: User, now: datetime) -> list[datetime]:
    """When verification emails went to the address in the last day, newest first."""
    return list(db.session.scalars(
        select(OutboundEmail.created_at)
        .where(OutboundEmail.to_address == user.email, OutboundEmail.subject.in_(_subjects()),
               OutboundEmail.created_at > now - timedelta(days=1))
        .order_by(OutboundEmail.created_at.desc())
    ))


def _subjects() -> list[str]:
    """SUBJECT as queue_email stored it in each language: a link counts whichever language it went out in."""
    subjects = []
    for language in i18n.LANGUAGES:
        with i18n.reading_as(language):
            subjects.append(" ".join(_(SUBJECT).split())[:200])
    return subjects


def _refuse_if_too_soon(user: User) -> None:
    now = clock.now()
    sent = _recent_links(user, now)
    if sent and (now - sent[0]).total_seconds() < RESEND_INTERVAL_S:
        wait = math.ceil(RESEND_INTERVAL_S - (now - sent[0]).total_seconds())
        raise TooSoon(_("We sent you a link moments ago; it can take a minute to arrive. "
                        "You can ask for another in %(wait)s.", wait=_duration(wait)), wait)
    if len(sent) >= LINKS_PER_DAY:
        wait = math.ceil((sent[LINKS_PER_DAY - 1] + timedelta(days=1) - now).total_seconds())
        raise TooSoon(_("We have sent %(num)d links in the last day, the most we send. Please look for "
                        "them in your inbox and spam folder, or ask again in %(wait)s.", num=LINKS_PER_DAY,
                        wait=_duration(wait)), wait)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    if seconds < 2 * 3600:
        return ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    return ngettext("about %(num)d hour", "about %(num)d hours", math.ceil(seconds / 3600))
