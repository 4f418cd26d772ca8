"""Sign in with an OpenID Connect provider: authorization code flow with PKCE, verified ID tokens, account links.

The page keeps a PendingSignIn (state, nonce, PKCE verifier) in the visitor's session between sending them
to the provider and their return. This module does everything else, with oidc_tokens for the talk with the
provider (discovery, the token request with the client secret, the ID token's signature against the
provider's published keys, its issuer, audience, times and nonce): each nonce signs in once, then the
account is found or created. Accounts are linked by issuer + subject; the first time, by email only when
the provider says it verified that email, since anyone can type any address into an identity provider.
Linking by email ends the old credentials of an account whose registrant may not own the address, but
never the second factor of a confirmed account, nor a staff account's password (_may_take_over).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
import urllib.parse
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from forum.accounts import directory, members, sessions, two_factor
from forum.accounts.oidc_tokens import Provider, SignInRefused, discover, redeem_code, verify_id_token
from forum.core import clock
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import SpentNonce, User, UserIdentity

SCOPE = "openid email profile"
PENDING_MAX_AGE = timedelta(minutes=10)  # time allowed at the provider's sign-in page
NONCE_MEMORY = timedelta(days=1)  # far longer than any ID token lives


@dataclass(frozen=True)
class PendingSignIn:
    """What the visitor's session holds while they are at the provider."""

    state: str
    nonce: str
    code_verifier: str
    started_at: float
    next_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> PendingSignIn | None:
        """The pending sign-in in a session value, or None when there is none (or it is not one of ours)."""
        if not isinstance(data, dict):
            return None
        try:
            pending = cls(**data)
        except TypeError:
            return None
        texts = (pending.state, pending.nonce, pending.code_verifier, pending.next_url)
        if not all(isinstance(text, str) for text in texts) or not isinstance(pending.started_at, int | float):
            return None
        return pending


def provider() -> Provider | None:
    """The configured provider, or None when OpenID Connect sign-in is off."""
    settings = current_app.config["HORSESHOE"]
    if not settings.oidc_enabled:
        return None
    return Provider(settings.oidc_issuer.rstrip("/"), settings.oidc_client_id, settings.oidc_client_secret,
                    settings.oidc_name)


def _configured() -> Provider:
    config = provider()
    if config is None:
        raise SignInRefused(_("Sign-in with an identity provider is not set up on this site."))
    return config


# --- the flow ------------------------------------------------------------------------------------------------

def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin_sign_in(redirect_uri: str, next_url: str = "") -> tuple[str, PendingSignIn]:
    """The provider URL to send the visitor to, and what their session must keep until they return."""
    config = _configured()
    metadata = discover(config)
    pending = PendingSignIn(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64), started_at=clock.now().timestamp(), next_url=next_url,
    )
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": config.client_id, "redirect_uri": redirect_uri, "scope": SCOPE,
        "state": pending.state, "nonce": pending.nonce,
        "code_challenge": _s256(pending.code_verifier), "code_challenge_method": "S256",
    })
    endpoint = metadata["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", pending


def _check_callback(config: Provider, pending: PendingSignIn | None, params: Mapping[str, str]) -> str:
    """The authorization code, once the callback is known to answer the sign-in this browser started."""
    state = params.get("state", "")
    if pending is None or not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise SignInRefused(_("This sign-in was not started in this browser, or was already used. Please start "
                              "again."))
    if clock.now().timestamp() - pending.started_at > PENDING_MAX_AGE.total_seconds():
        raise SignInRefused(_("This sign-in took too long. Please start again."))
    if params.get("error"):
        if params["error"] == "access_denied":
            raise SignInRefused(_("Sign-in at %(provider)s was cancelled.", provider=config.name))
        raise SignInRefused(_("%(provider)s could not sign you in. Please try again.", provider=config.name))
    code = params.get("code", "")
    if not code:
        raise SignInRefused(_("%(provider)s sent no authorization code. Please try again.", provider=config.name))
    return code


def _spend_nonce(config: Provider, nonce: str) -> None:
    """Remember the nonce so the same ID token (or a replayed callback) never signs in twice."""
    digest = hashlib.sha256(nonce.encode()).hexdigest()
    now = clock.now()
    if db.session.scalar(select(SpentNonce.id).where(SpentNonce.nonce_hash == digest)) is not None:
        raise SignInRefused(_("This sign-in from %(provider)s was already used. Please start again.",
                                provider=config.name))
    db.session.execute(delete(SpentNonce).where(SpentNonce.used_at < now - NONCE_MEMORY))
    db.session.add(SpentNonce(nonce_hash=digest, used_at=now))
    try:
        db.session.commit()
    except IntegrityError as exc:  # the unique digest: another request spent it a moment ago
        db.session.rollback()
        raise SignInRefused(_("This sign-in from %(provider)s was already used. Please start again.",
                                provider=config.name)) from exc


def complete_sign_in(pending: PendingSignIn | None, params: Mapping[str, str], redirect_uri: str) -> User:
    """The user the provider vouches for, after every check; links or creates the account on first sign-in."""
    config = _configured()
    code = _check_callback(config, pending, params)
    metadata = discover(config)
    id_token = redeem_code(config, metadata, code, pending.code_verifier, redirect_uri)
    claims = verify_id_token(config, metadata, id_token, pending.nonce)
    _spend_nonce(config, pending.nonce)
    user = _user_for(config, claims)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same person (or username) signed up in a parallel request just now
        db.session.rollback()
        raise SignInRefused(_("Your account was being set up at the same moment. Please sign in again.")) from exc
    return user


# --- accounts -----------------------------------------------------------------------------------------------

def _verified(claims: Mapping[str, Any]) -> bool:
    return claims.get("email_verified") in (True, "true")


def _user_for(config: Provider, claims: Mapping[str, Any]) -> User:
    """The linked account; else the account with this verified email; else a new member account."""
    now = clock.now()
    email = members.normalize_email(str(claims.get("email") or "")) or ""
    identity = db.session.scalar(
        select(UserIdentity).where(UserIdentity.issuer == config.issuer, UserIdentity.subject == claims["sub"])
    )
    if identity is None:
        existing = _account_by_email(config, email, claims)
        if existing is not None and _may_take_over(existing):
            _take_over_credentials(existing)
        user = existing or _new_member(config, email, claims)
        identity = UserIdentity(user=user, issuer=config.issuer, subject=claims["sub"], created_at=now)
        db.session.add(identity)
    user = identity.user
    if user.anonymized_at is not None:
        raise SignInRefused(_("This account was closed."))
    identity.email = email
    identity.last_sign_in_at = now
    user.last_seen_at = now
    return user


def _account_by_email(config: Provider, email: str, claims: Mapping[str, Any]) -> User | None:
    """An existing account to link, only when the provider verified that this person owns its email."""
    if not email:
        raise SignInRefused(_("%(provider)s did not share your email address, which we need for your account.",
                                provider=config.name))
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and not _verified(claims):
        raise SignInRefused(_(
            "An account with %(email)s already exists, but %(provider)s has not verified that address, "
            "so we cannot connect them. Sign in with your password instead.", email=email, provider=config.name
        ))
    return user


def _may_take_over(user: User) -> bool:
    """Whether linking the account by its email also ends the credentials it had (_take_over_credentials).

    Yes when nobody ever proved the address here (whoever registered it may not own it), and for plain
    confirmed accounts, since those made before confirmation existed were marked confirmed unproved. No
    for a confirmed account with two-factor sign-in or a staff account: its owner proved the address, or
    an admin made it, and the provider vouches for the email only. Ending its second factor would let
    whoever controls the provider's account walk past the code (and into staff powers). Such an account
    is linked but keeps its password and second factor, so the sign-in still asks for the code.
    """
    if user.email_verified_at is None:
        return True
    return not (user.two_factor_enabled or user.role_enum.is_staff)


def _take_over_credentials(user: User) -> None:
    """The provider proved who owns this email: whoever registered it here first loses their way in.

    Accounts made before email confirmation existed count as confirmed without anyone having proved the
    address, so the password, sessions, API tokens and second factor of the account may belong to someone
    else; they all end. The owner can set a password again by reset email, and enrol again.
    """
    user.password_hash = members.NO_PASSWORD
    sessions.end_all(user.id)
    members.revoke_all_api_tokens(user)
    two_factor.forget(user)
    user.email_verified_at = user.email_verified_at or clock.now()
    user.staged_at = None  # an account made for someone who wrote in by email (forum.mail.staging) is claimed


def _new_member(config: Provider, email: str, claims: Mapping[str, Any]) -> User:
    if not _verified(claims):
        raise SignInRefused(_(
            "%(provider)s has not verified your email address %(email)s, so we cannot create an account with it. "
            "Verify it there first, or register here with a password.", provider=config.name, email=email
        ))
    username = directory.free_username(str(claims.get("preferred_username") or "") or email.partition("@")[0])
    return members.add_passwordless_user(username, email, display_name=_printable(claims.get("name")))


def _printable(value: object) -> str:
    """A provider's claim as display text: control characters (NUL among them) dropped, not stored."""
    return "".join(ch for ch in str(value or "") if unicodedata.category(ch) != "Cc").strip()
