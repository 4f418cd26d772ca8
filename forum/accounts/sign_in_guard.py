"""Failed sign-ins limited per account, not only per IP address (issue 18).

forum.http.ratelimits counts sign-in attempts per IP address, so an attacker spreading guesses
over many addresses was never slowed. Here every password sign-in (the web form and POST /tokens
alike) is counted against the email address it names, whether or not an account has it, so the
answer tells nothing about who is a member. The count lives in the database, shared by every
gunicorn worker and host, and is taken *before* the password is checked: parallel guesses can't
all slip past a check that has not counted them yet. Past `sign_in_failures_per_account` failures
within `sign_in_failure_window_s` (settings), further tries are refused unchecked until the window
ends, and the window is never extended by them. The real member is slowed, never locked out for
good: the window ends on its own, and a password reset by email is never limited here and clears
the count. The first refusal of each window goes to the audit log.

Wrong two-factor codes (issue 20) and wrong confirmations of a security change (a password and a
code) count against the same limit as wrong passwords (check_second_factor, guarded), and also on a
counter of their own, keyed by the account, that a password reset does not clear: whoever controls
the mailbox could otherwise reset the password again and again, each time with a fresh allowance of
guesses at six digits. Past the limit on either counter they are refused, with the time to wait.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from forum.accounts import members, password_reset, two_factor
from forum.core import clock
from forum.core.errors import DomainError
from forum.core.extensions import db
from forum.core.i18n import N_, ngettext
from forum.models import SignInFailure, User
from forum.models.types import UTCDateTime
from forum.services import audit_writer

LIMITED_ACTION = "account.sign_in_limited"
CLEARED_ACTION = "account.sign_in_limit_cleared"
LIMITED_REASON = "Too many failed sign-ins for one account: further tries wait until the window ends."
CLEARED_REASON = "The password was reset by email, which clears the failed sign-ins."
UNKNOWN_ACCOUNT = 0  # the audit target id when no account has the address (it is limited all the same)
SWEEP_AFTER = timedelta(days=1)  # windows this long over are deleted when a new window starts
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
T = TypeVar("T")


class TooManyFailures(DomainError):
    """Refused without checking the password; retry_after_s (whole seconds, at least 1) until the window ends."""

    status = 429
    title = N_("Too Many Requests")

    def __init__(self, retry_after_s: int, *, codes: bool = False) -> None:
        minutes = math.ceil(retry_after_s / 60)
        super().__init__(
            ngettext("Too many wrong codes for this account. Try again in %(num)d minute.",
                     "Too many wrong codes for this account. Try again in %(num)d minutes.", minutes) if codes else
            ngettext("Too many failed sign-ins for this account. Try again in %(num)d minute, or reset your "
                     "password by email.",
                     "Too many failed sign-ins for this account. Try again in %(num)d minutes, or reset your "
                     "password by email.", minutes)
        )
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta


def current_limit() -> Limit:
    settings = current_app.config["HORSESHOE"]
    return Limit(settings.sign_in_failures_per_account, timedelta(seconds=settings.sign_in_failure_window_s))


KEY_SALT = "horseshoe.sign-in-failures"
# Another salt, so no text typed as an email address can ever name an account's counter of wrong codes.
SECOND_FACTOR_SALT = "horseshoe.second-factor-failures"


def _keyed(salt: str, text: str) -> str:
    """Keyed with the site's secret (HMAC), so someone holding the table cannot test whether a given
    address was tried by hashing it themselves."""
    secret = f"{salt}:{current_app.secret_key}".encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def key_for(email: str | None) -> str:
    """The counter's key: a keyed digest of the normalised address (of the trimmed, lower-cased text if it is none)."""
    raw = email or ""
    return _keyed(KEY_SALT, members.normalize_email(raw) or raw.strip().lower())


def second_factor_key(user: User) -> str:
    """The key of the account's own counter of wrong codes, which a password reset leaves as it is.

    By the account rather than its address, so changing the address starts no fresh count either.
    """
    return _keyed(SECOND_FACTOR_SALT, str(user.id))


def sign_in(email: str, password: str, *, source: str = "") -> User | None:
    """The user with these credentials, or None; raises TooManyFailures once the account's limit is reached.

    source: where the attempt came from (an IP address), for the audit entry.
    """
    key = key_for(email)
    _count_or_refuse((key,), email, source)
    user = members.authenticate(email, password)
    if user is not None:
        _uncount_attempt((key,))
    return user


def check_second_factor(user: User, code: str, *, source: str = "") -> bool:
    """Whether code is the account's current two-factor code (or an unused recovery code), spending it.

    A wrong code counts toward the same per-account limit as a wrong password: the password alone must
    not open unlimited guessing at six digits. Raises TooManyFailures past the limit, without checking.
    """
    return guarded(user, lambda: two_factor.verify(user, code), source=source)


def guarded(user: User, check: Callable[[], T], *, source: str = "") -> T:
    """Run check (a proof of identity with a code, or a password and a code) as one attempt on user's limits.

    The attempt is counted (and committed) before check runs, as sign_in() counts, on the account's
    sign-in counter and on its own counter of second-factor attempts (second_factor_key); a result of
    False or an exception raised by check leaves it counted, anything else takes it back.
    """
    keys = (key_for(user.email), second_factor_key(user))
    _count_or_refuse(keys, user.email, source)
    result = check()
    if result is not False:
        _uncount_attempt(keys)
    return result


def _count_or_refuse(keys: tuple[str, ...], email: str, source: str) -> None:
    """Count one attempt on each key and commit; past the limit on any, raise TooManyFailures.

    The first refusal of a window is audited. The wait is until the last of the exceeded windows ends.
    """
    limit = current_limit()
    counted = {key: _count_attempt(key, limit) for key in keys}
    over = {key: started for key, (attempts, started) in counted.items() if attempts > limit.failures}
    if over:
        if any(counted[key][0] == limit.failures + 1 for key in over):
            _audit_limited(email, limit, max(over.values()), source)
        db.session.commit()
        codes_only = key_for(email) not in over
        raise TooManyFailures(seconds_until(max(over.values()) + limit.window), codes=codes_only)
    db.session.commit()


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now until moment, rounded up and never 0: waiting that long is always enough."""
    return max(1, math.ceil((moment - clock.now()).total_seconds()))


def reset_password(token: str, password: str) -> User:
    """password_reset.reset_password, and the account's failed sign-ins are forgotten (the reset proved who it is).

    Its count of wrong second-factor codes stays: the reset link proves the mailbox, not the second factor.
    """
    user = password_reset.reset_password(token, password)
    cleared = db.session.execute(delete(SignInFailure).where(SignInFailure.key == key_for(user.email)))
    if cleared.rowcount:
        audit_writer.record(None, CLEARED_ACTION, "user", user.id, CLEARED_REASON)
    db.session.commit()
    return user


def _count_attempt(key: str, limit: Limit) -> tuple[int, datetime]:
    """Count one attempt atomically (an upsert), starting a new window when the last one is over."""
    now = clock.now()
    table = SignInFailure.__table__
    moment = literal(now, UTCDateTime())
    expired = table.c.window_started_at <= literal(now - limit.window, UTCDateTime())
    statement = _INSERTS[db.session.get_bind().dialect.name](table).values(key=key, failures=1, window_started_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((expired, 1), else_=table.c.failures + 1),
              "window_started_at": case((expired, moment), else_=table.c.window_started_at)},
    ).returning(table.c.failures, table.c.window_started_at)
    attempts, started = db.session.execute(statement).one()
    if attempts == 1:
        swept = now - limit.window - SWEEP_AFTER
        db.session.execute(delete(SignInFailure).where(SignInFailure.window_started_at < swept))
    return attempts, started


def _uncount_attempt(keys: tuple[str, ...]) -> None:
    """A right password (or code) was no failure: take its attempt back (the others in the window still count)."""
    db.session.execute(
        update(SignInFailure).where(SignInFailure.key.in_(keys), SignInFailure.failures > 0)
        .values(failures=SignInFailure.failures - 1)
    )
    db.session.commit()


def _audit_limited(email: str, limit: Limit, started: datetime, source: str) -> None:
    """One entry per window, on its first refusal; the account when there is one, the address never."""
    normal = members.normalize_email(email or "")
    user_id = db.session.scalar(select(User.id).where(User.email == normal)) if normal else None
    audit_writer.record(
        None, LIMITED_ACTION, "user", user_id or UNKNOWN_ACCOUNT, LIMITED_REASON,
        {"failures": limit.failures, "window_s": int(limit.window.total_seconds())},
        {"limited_until": started + limit.window, "known_account": user_id is not None, "source": source},
    )
