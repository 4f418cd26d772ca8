"""Staged accounts: the account someone gets by writing to a category's address before signing up.

When the admin allows it (setting mail.staged_accounts) and the sender's domain is not on the sign-up
blocklist (accounts.blocked_email_domains, the same check sign-up uses), mail from an unknown address
makes an account for it, so the question has an author to answer and notify. The account has no
password (forum.accounts.members.NO_PASSWORD: nobody can sign in to it) and is marked `staged_at`.
It is not verified by being made: the From line of an email is easy to forge, so the address counts
as proven only when the receiving server vouched for it (DKIM or DMARC pass) or when its owner
follows the emailed confirmation link (forum.mail.questions).

Its owner claims it through "forgot password": the reset link goes to the address, and setting a
password clears `staged_at` (forum.accounts.password_reset). Signing up with a staged account's
address sends that link instead of answering "taken" (forum.accounts.members.StagedAccount).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.accounts import directory, members, signup_defences
from forum.core import clock, text
from forum.core.extensions import db
from forum.models import User
from forum.services.community_settings import cached_setting


def member_for(address: str) -> User | None:
    """The account whose email is this address (emails are stored lower-cased and normalised)."""
    address = (address or "").strip().lower()
    if not address:
        return None
    candidates = {address, members.normalize_email(address) or address}
    return db.session.scalar(select(User).where(User.email.in_(candidates)))


def may_stage(address: str) -> bool:
    """Whether mail from this unknown address may make an account: the setting is on, the domain not blocked."""
    if not cached_setting("mail.staged_accounts"):
        return False
    email = members.normalize_email(address or "")
    return email is not None and signup_defences.blocked_domain(email) is None


def stage_account(address: str, from_name: str, *, verified: bool) -> User:
    """Make (the caller commits) a staged account for address, which may_stage allowed.

    verified: the receiving mail server vouched for the address, so it counts as proven at once.
    Two messages from one new address handled at the same moment: the second finds the first's account.
    """
    email = members.normalize_email(address) or address.lower()
    try:
        with db.session.begin_nested():
            user = members.add_passwordless_user(directory.free_username(email), email,
                                                 display_name=display_name(from_name))
            user.staged_at = clock.now()
            user.email_verified_at = clock.now() if verified else None
            db.session.flush()
    except IntegrityError:
        user = member_for(email)
        if user is None:
            raise
    return user


def mark_verified(user: User) -> None:
    """The owner of a staged account proved the address (a vouched-for message, or the followed link)."""
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()


def display_name(from_name: str) -> str:
    """The From line's name as the display name, when it is one a reader can see and not an address."""
    name = " ".join((from_name or "").split())[:64].strip()
    if not name or "@" in name or not text.visible_length(name):
        return ""
    return name
