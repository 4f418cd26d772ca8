"""Two-factor sign-in with time-based codes (TOTP, RFC 6238): enrolment, recovery codes, trusted browsers.

A password alone is all a thief needs today, and staff accounts read private case messages. With this
on, signing in also takes the six-digit code an authenticator app shows for the current 30 seconds (a
step either side is accepted, for clocks that drift), or one of ten one-time recovery codes for the day
the phone is lost. Each code works once: the last step a code was accepted for is kept, and a code for
that step or an earlier one is refused, so a code read over someone's shoulder cannot be replayed.

Every moment comes from forum.core.clock, never the machine's clock, so tests can compute codes for
the moment they stand at. The QR code is drawn here as SVG (segno): the secret never leaves the server
for a chart service. Recovery codes are kept only as digests keyed with the site's secret (HMAC), like
the sign-in counters' keys, so a copy of the table alone cannot be tested against guesses offline.

A code is compared as ASCII digits: digits of other scripts (full-width "１２３", Arabic-Indic "١٢٣") that
a phone's keyboard may type are read as the digits they are, and anything else is simply no code of ours.

Turning the protection on or off, or renewing the recovery codes, is mailed to the account's address:
a change the owner did not make is then noticed, not found out at the next sign-in.

Nothing here knows about HTTP: the pages decide when to ask and set the cookie this module signs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import segno
from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update

from forum.accounts import members, sessions
from forum.core import clock
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _, _l
from forum.mail.sending import absolute_url, queue_email
from forum.models import RecoveryCode, User
from forum.services import audit_writer

STEP_S = 30
VALID_WINDOW = 1  # steps either side of now: a phone whose clock is half a minute off still works
CODE_DIGITS = 6
RECOVERY_CODE_COUNT = 10
# Ten base32 characters (50 bits) per code, shown as "abcde-fghij": guessing one is hopeless within the
# per-account sign-in limit, and it is still short enough to type from paper.
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RECOVERY_LENGTH = 10
MAX_CODE_INPUT = 64  # longer input is no code of ours: refused before any work
ENABLED_ACTION = "user.2fa_enabled"
DISABLED_ACTION = "user.2fa_disabled"
CODES_RENEWED_ACTION = "user.2fa_recovery_codes_renewed"
TRUST_COOKIE = "hs_trusted_browser"
TRUST_PERIOD = timedelta(days=30)
TRUST_SALT = "horseshoe.two-factor-trust"
RECOVERY_SALT = "horseshoe.recovery-code"
CHANGE_MAIL = "two_factor_changed"
CHANGE_SUBJECTS = {
    ENABLED_ACTION: _l("Two-factor sign-in was turned on for your Horseshoe account"),
    DISABLED_ACTION: _l("Two-factor sign-in was turned off for your Horseshoe account"),
    CODES_RENEWED_ACTION: _l("New recovery codes were made for your Horseshoe account"),
}
# Refusals: marked here, translated where raised (`_(WRONG_CODE)`).
WRONG_CODE = N_("That code is not right. Enter the current six-digit code from your app, or a recovery code.")
WRONG_PASSWORD = N_("That password is not right.")  # nosec B105  # a message, not a password
NOT_ON = N_("Two-factor sign-in is not on for this account.")


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=STEP_S, digits=CODE_DIGITS)


def _normal(code: str | None) -> str:
    """The code as typed, without spaces or dashes, in lower case and with ASCII digits ("" for far too long).

    Compatibility forms are folded first (full-width letters and digits become plain ones), then every
    decimal digit of any script becomes its ASCII digit. What is left outside ASCII matches no code.
    """
    if not isinstance(code, str) or len(code) > MAX_CODE_INPUT:
        return ""
    folded = unicodedata.normalize("NFKC", code)
    kept = (ch for ch in folded if not ch.isspace() and ch != "-")
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in kept).lower()


# --- enrolment -------------------------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """Give the account a new secret, not yet in force: it takes effect once a code from it is confirmed.

    Starting again replaces a secret that was never confirmed (a lost QR code, a second device).
    """
    if user.two_factor_enabled:
        raise Conflict(_("Two-factor sign-in is already on. Turn it off first to set it up again."))
    user.totp_secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    user.totp_last_step = None
    db.session.commit()
    return user.totp_secret


def pending_secret(user: User) -> str | None:
    """The secret shown during enrolment, or None when none was started (or it is already in force)."""
    return None if user.two_factor_enabled else user.totp_secret


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def site_issuer() -> str:
    """The name apps list the code under: Horseshoe and this site's host, so two communities stay apart."""
    host = urlsplit(current_app.config["HORSESHOE"].base_url).hostname or ""
    return f"Horseshoe {host}".strip()


def provisioning_uri(user: User, issuer: str | None = None) -> str:
    """The otpauth:// address the QR code carries (secret, account name, issuer, 30-second steps)."""
    if not user.totp_secret:
        raise Invalid({"code": [_("Start setting up two-factor sign-in first.")]})
    return _totp(user.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer or site_issuer())


def qr_svg(user: User, issuer: str | None = None) -> str:
    """The QR code of provisioning_uri as inline SVG markup, drawn here (no image service sees the secret).

    The markup holds only paths and fixed attributes, nothing a member typed, so a page may embed it.
    """
    code = segno.make(provisioning_uri(user, issuer), error="m")
    return code.svg_inline(scale=4, dark="#000", light="#fff", title=_("QR code for your authenticator app"))


def has_password(user: User) -> bool:
    """Whether the account signs in with a password (not one that only the identity provider signs in)."""
    return user.password_hash != members.NO_PASSWORD


def confirm_enrolment(user: User, password: str | None, code: str) -> list[str]:
    """Turn two-factor sign-in on once a code from the new secret proves the app has it; the recovery codes.

    The password is asked too, as for turning it off: otherwise a stolen session alone could switch the
    protection on with the thief's phone, and even a password reset by the owner would end at the
    thief's code. Accounts without a password (members.NO_PASSWORD: made by, or taken over through, the
    identity provider) have nothing more to give, so the code alone turns it on there; the email
    this sends tells the owner all the same.

    Every other session of the account ends and its API tokens are revoked, as a password change does:
    whoever else was signed in, or holds a token, did so without the second factor.
    """
    if user.two_factor_enabled:
        raise Conflict(_("Two-factor sign-in is already on."))
    if not user.totp_secret:
        raise Invalid({"code": [_("Start setting up two-factor sign-in first.")]})
    if has_password(user) and not members.password_matches(user, password or ""):
        raise Invalid({"password": [_(WRONG_PASSWORD)]})
    if not _accept_totp(user, _normal(code)):
        raise Invalid({"code": [_("That code is not right. Enter the six-digit code your app shows now.")]})
    user.totp_enabled_at = clock.now()
    codes = _replace_recovery_codes(user)
    sessions.end_others(user)
    members.revoke_all_api_tokens(user)
    audit_writer.record(user, ENABLED_ACTION, "user", user.id, "Two-factor sign-in turned on by the account owner.")
    _tell_owner(user, ENABLED_ACTION)
    db.session.commit()
    return codes


def _tell_owner(user: User, action: str) -> None:
    """Mail the account's address that its second factor changed (in the caller's transaction)."""
    queue_email(
        user.email, CHANGE_SUBJECTS[action], CHANGE_MAIL, essential=True, user=user, action=action, at=clock.now(),
        enabled=ENABLED_ACTION, disabled=DISABLED_ACTION, renewed=CODES_RENEWED_ACTION,
        settings=absolute_url("/settings/two-factor"), reset=absolute_url("/auth/forgot"),
    )


# --- checking codes --------------------------------------------------------------------------------------------


def verify(user: User, code: str) -> bool:
    """Whether code is a current TOTP code or an unused recovery code of the account; either is spent.

    Spaces and dashes in what was typed are ignored. Callers count wrong codes against the sign-in
    limit (forum.accounts.sign_in_guard.check_second_factor), so guessing is slowed like passwords are.
    """
    if not user.two_factor_enabled:
        return False
    normal = _normal(code)
    if _accept_totp(user, normal) or _spend_recovery_code(user, normal):
        db.session.commit()
        return True
    return False


def _accept_totp(user: User, digits: str) -> bool:
    """A code for a step within the window and later than the last one used; that step becomes the last."""
    if len(digits) != CODE_DIGITS or not (digits.isascii() and digits.isdigit()) or not user.totp_secret:
        return False
    totp = _totp(user.totp_secret)
    now_step = totp.timecode(clock.now())
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits) and _spend_step(user, step):
            return True
    return False


def _spend_step(user: User, step: int) -> bool:
    """Record step as used, atomically: of two requests racing with the same code only one gets it."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


# --- recovery codes --------------------------------------------------------------------------------------------


def _recovery_digest(user_id: int, normal: str) -> str:
    """HMAC-SHA256 of the code and the account, keyed with the site's secret (as sign_in_guard.key_for is).

    Keyed, so that a copy of the table without the secret cannot be tested against guesses; with the
    account in it, so that one code's digest matches nothing on another account.
    """
    key = f"{RECOVERY_SALT}:{current_app.secret_key}".encode()
    return hmac.new(key, f"{user_id}:{normal}".encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _position in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    """Drop the account's codes and add ten new ones (the caller commits); the codes, shown this once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _number in range(RECOVERY_CODE_COUNT)]
    now = clock.now()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_digest(user.id, _normal(code)), created_at=now)
        for code in codes
    )
    return codes


def _spend_recovery_code(user: User, normal: str) -> bool:
    if len(normal) != RECOVERY_LENGTH or any(ch not in RECOVERY_ALPHABET for ch in normal):
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_digest(user.id, normal),
               RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
    )
    return result.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


def regenerate_recovery_codes(user: User, password: str, code: str) -> list[str]:
    """Ten new recovery codes in place of the old ones, which stop working; needs the password and a code.

    The owner is mailed: fresh codes are a way in for whoever holds them.
    """
    _confirm_owner(user, password, code)
    codes = _replace_recovery_codes(user)
    audit_writer.record(user, CODES_RENEWED_ACTION, "user", user.id, "New recovery codes; the old ones ended.")
    _tell_owner(user, CODES_RENEWED_ACTION)
    db.session.commit()
    return codes


# --- turning it off --------------------------------------------------------------------------------------------


def disable(user: User, password: str, code: str) -> bool:
    """Turn two-factor sign-in off: needs the password and a current code (or a recovery code).

    Both, so that neither a stolen session nor a stolen password alone can strip the protection.
    The secret and the recovery codes are deleted, trusted browsers stop being trusted (their
    fingerprint no longer matches), every other session ends and the owner is mailed. Always True (errors
    are raised).
    """
    _confirm_owner(user, password, code)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_others(user)
    audit_writer.record(user, DISABLED_ACTION, "user", user.id, "Two-factor sign-in turned off by the account owner.")
    _tell_owner(user, DISABLED_ACTION)
    db.session.commit()
    return True


def forget(user: User) -> None:
    """Drop the second factor without asking for it (the caller proved ownership another way; commits later)."""
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _confirm_owner(user: User, password: str, code: str) -> None:
    """Raise Invalid naming what was wrong; a code is spent only once the password proved right."""
    if not user.two_factor_enabled:
        raise Invalid({"code": [_(NOT_ON)]})
    if not members.password_matches(user, password):
        raise Invalid({"password": [_(WRONG_PASSWORD)]})
    normal = _normal(code)
    if not (_accept_totp(user, normal) or _spend_recovery_code(user, normal)):
        raise Invalid({"code": [_(WRONG_CODE)]})


# --- trusted browsers ------------------------------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Stamps and ages cookies by the services clock, like everything else that expires."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _trust_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TRUST_SALT, signer=_ClockSigner)


def _enrolment_fingerprint(user: User) -> str:
    """Changes whenever the enrolment does: turning it off or setting it up again ends every trust."""
    enabled = int(user.totp_enabled_at.timestamp()) if user.totp_enabled_at else 0
    return hashlib.sha256(f"{user.totp_secret}:{enabled}".encode()).hexdigest()[:32]


def trust_cookie_value(user: User) -> str:
    """The signed value that lets this browser skip the code for TRUST_PERIOD (the page sets the cookie)."""
    return _trust_serializer().dumps({"uid": user.id, "fp": _enrolment_fingerprint(user)})


def browser_is_trusted(user: User, cookies: Mapping[str, str]) -> bool:
    """Whether the browser's cookies hold this account's trust, signed within TRUST_PERIOD for this enrolment."""
    raw = cookies.get(TRUST_COOKIE)
    if not raw or not user.two_factor_enabled:
        return False
    try:
        data = _trust_serializer().loads(raw, max_age=int(TRUST_PERIOD.total_seconds()))
    except BadSignature:  # also SignatureExpired
        return False
    return (
        isinstance(data, dict) and data.get("uid") == user.id
        and hmac.compare_digest(str(data.get("fp", "")), _enrolment_fingerprint(user))
    )
