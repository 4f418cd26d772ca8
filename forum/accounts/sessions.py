"""Server-side sessions: each signed-in browser is a row, and the cookie carries only its random key.

Flask's own session is a signed cookie that cannot be taken back once issued (reliability.md), so the
cookie holds a random key and this table decides whether it still means anyone. That is what lets a
member see their browsers and sign one out, sign out here without signing out everywhere, and end every
other session when the password or the second factor changes. A new key is made at every sign-in.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload

from forum.core import clock, database
from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.mail import bounces
from forum.models import Notification, User, UserSession

# "Last seen" is kept to within a few minutes: a write on every page view would queue reads behind it.
LAST_SEEN_PRECISION = timedelta(minutes=5)
# A session nobody used for this long is over, whatever the cookie says.
IDLE_LIMIT = timedelta(days=30)
KEY_PREFIX = "s1."


@dataclass(frozen=True)
class Browser:
    """Where a session signed in from, as the request showed it."""

    ip_address: str | None = None
    user_agent: str = ""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, browser: Browser) -> str:
    """Open a session for user (the caller commits) and attach its new key, which Flask-Login stores."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    row = UserSession(
        user_id=user.id, key_hash=_digest(key), created_at=now, last_seen_at=now,
        ip_address=(browser.ip_address or None), user_agent=(browser.user_agent or "")[:255],
    )
    db.session.add(row)
    db.session.flush()
    user.session_key = key
    user.current_session_id = row.id
    return key


@cache
def _load_statement() -> Select:
    """One statement for session, user, the header's unread count and the bounce banner, built once with the
    key's digest as a parameter: it runs on every signed-in request, and building it each time cost more than
    running it (issue 21)."""
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == UserSession.user_id, Notification.read_at.is_(None))
        .correlate(UserSession).scalar_subquery()
    )
    stopped_after = bounces.suppressed_bounces(UserSession.user_id)
    return (
        select(UserSession, unread, stopped_after).options(joinedload(UserSession.user))
        .where(UserSession.key_hash == bindparam("key_hash"))
    )


def load(key: str) -> User | None:
    """The user whose live session has this key, with the key attached; None when ended, idle or unknown,
    or when the account was erased (a session that slipped past the erasure must not sign anyone in).

    The same statement reads what every page's header and banners need: the unread count, and the bounces
    that stopped mail to the account's address (forum.mail.bounces; NULL when mail to it goes out)."""
    if not key.startswith(KEY_PREFIX):
        return None
    found = db.session.execute(_load_statement(), {"key_hash": _digest(key)}).one_or_none()
    row, unread_count, bounced = found or (None, 0, None)
    now = clock.now()
    if row is None or row.ended_at is not None or now - row.last_seen_at > IDLE_LIMIT:
        return None
    user = row.user
    if user.anonymized_at is not None:
        return None
    _note_use(row, now)
    user.session_key = key
    user.current_session_id = row.id
    user.unread_notifications_at_load = unread_count
    user.mail_bounces_at_load = bounced or 0  # 0: mail to the address goes out
    return user


def _note_use(row: UserSession, now: datetime) -> None:
    if now - row.last_seen_at >= LAST_SEEN_PRECISION:
        with database.writing():  # mostly inside a GET, whose read transaction must not turn into a write
            row.last_seen_at = now
            db.session.commit()


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still sign them in, most recently used first."""
    cutoff = clock.now() - IDLE_LIMIT
    query = (
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.last_seen_at > cutoff)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return list(db.session.scalars(query))


def end(user: User, session_id: int) -> None:
    """Sign out one of the user's own sessions; anyone else's looks like no session at all."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        raise NotFound(_("No such session (it may have ended already)."))
    row.ended_at = clock.now()
    db.session.commit()


def end_current(user: User) -> None:
    """Sign out the session this request came with (the others stay signed in)."""
    session_id = getattr(user, "current_session_id", None)
    if session_id is not None:
        db.session.execute(
            update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        db.session.commit()


def end_others(user: User) -> int:
    """End every session of the user but the current one (in the caller's transaction); how many ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    current = getattr(user, "current_session_id", None)
    if current is not None:
        query = query.where(UserSession.id != current)
    return db.session.execute(query.values(ended_at=clock.now())).rowcount or 0


def end_all(user_id: int) -> None:
    """End every session of the user, this one included (in the caller's transaction)."""
    db.session.execute(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


def network_of(ip_address: str | None) -> str:
    """How a session's address is shown: its /24 (IPv4) or /48 (IPv6), never the whole address."""
    if not ip_address:
        return _("unknown")
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return _("unknown")
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def sign_out_others(user: User) -> int:
    """The member's "sign out all other sessions": every other browser is signed out at its next request."""
    ended = end_others(user)
    db.session.commit()
    return ended


def forget_old_addresses(older_than: datetime) -> int:
    """Drop the IP address of sessions that signed in before older_than (privacy retention); how many.

    The address is the one the browser signed in from, so its age is the session's: a session kept
    alive for months by daily use loses its address on schedule too (the page then shows "unknown").
    """
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.created_at < older_than, UserSession.ip_address.is_not(None))
        .values(ip_address=None)
    )
    db.session.commit()
    return result.rowcount or 0


def forget_addresses_of(user_id: int) -> None:
    """Drop every stored IP address of one account's sessions (anonymisation; in the caller's transaction)."""
    db.session.execute(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.ip_address.is_not(None))
        .values(ip_address=None)
    )
