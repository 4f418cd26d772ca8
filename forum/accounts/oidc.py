"""Sign in with an OpenID Connect provider: authorization code flow with PKCE, verified ID tokens, account links.

The page keeps a PendingSignIn (state, nonce, PKCE verifier) in the visitor's session between sending them
to the provider and their return. This module does everything else: discovery (cached), the token request
with the client secret, the ID token's signature against the provider's published keys, its issuer,
audience, times and nonce (each nonce signs in once), then finding or creating the account. Accounts are
linked by issuer + subject; the first time, by email only when the provider says it verified that email,
since anyone can type any address into an identity provider.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forum.accounts import members
from forum.core import clock
from forum.core.errors import DomainError
from forum.core.extensions import db
from forum.models import SpentNonce, User, UserIdentity

SCOPE = "openid email profile"
PENDING_MAX_AGE = timedelta(minutes=10)  # time allowed at the provider's sign-in page
NONCE_MEMORY = timedelta(days=1)  # far longer than any ID token lives
LEEWAY_S = 60  # clock skew tolerated between us and the provider
CACHE_TTL_S = 3600
JWKS_REFRESH_MIN_S = 60  # a token naming an unknown key refetches the keys, at most this often
HTTP_TIMEOUT_S = 10
MAX_RESPONSE_BYTES = 512 * 1024
# Asymmetric algorithms only: "none" and HMAC (keyed with our own client secret) prove nothing about the provider.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
USERNAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


class SignInRefused(DomainError):
    """The provider's answer cannot sign anyone in; detail says why in words a person understands."""

    status = 401
    title = "Sign-in refused"


class ProviderUnavailable(SignInRefused):
    status = 503
    title = "Identity provider unavailable"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    name: str


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
        raise SignInRefused("Sign-in with an identity provider is not set up on this site.")
    return config


# --- talking to the provider -------------------------------------------------------------------------------

_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _fetch_json(url: str, provider_name: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Any:
    """GET (or POST a form to) the provider and parse its JSON; any failure is a clear SignInRefused.

    Only http(s): the discovery document names the other endpoints, and urlopen would read file: too.
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SignInRefused(f"{provider_name} named an address that is not http or https.")
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # nosec B310  # http(s) only, above
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        reason = _oauth_error(exc)
        raise SignInRefused(f"{provider_name} refused the sign-in ({reason}). Please try again.") from exc
    except (OSError, ValueError) as exc:
        raise ProviderUnavailable(f"We could not reach {provider_name}. Please try again in a moment.") from exc
    try:
        if len(body) > MAX_RESPONSE_BYTES:
            raise ValueError("too large")
        return json.loads(body)
    except ValueError as exc:
        raise SignInRefused(f"{provider_name} sent an answer we could not read.") from exc


def _oauth_error(exc: urllib.error.HTTPError) -> str:
    """The OAuth "error" code of a refusal (such as invalid_grant), else the HTTP status."""
    try:
        error = json.loads(exc.read(4096)).get("error")
    except (ValueError, AttributeError, OSError):
        error = None
    return error if isinstance(error, str) and error.isprintable() and len(error) < 64 else f"HTTP {exc.code}"


def _cached(key: str, load, *, max_age: float = CACHE_TTL_S) -> Any:
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < max_age:
        return hit[1]
    value = load()
    with _cache_lock:
        _cache[key] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    """Forget cached discovery documents and keys (a provider that moved, or a test's fresh provider)."""
    with _cache_lock:
        _cache.clear()


def discover(config: Provider) -> dict[str, Any]:
    """The provider's discovery document, fetched once an hour; it must name the issuer we trust."""
    url = config.issuer + "/.well-known/openid-configuration"

    def load() -> dict[str, Any]:
        document = _fetch_json(url, config.name)
        needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document, dict) or not all(isinstance(document.get(k), str) for k in needed):
            raise SignInRefused(f"{config.name} has no usable OpenID Connect discovery document.")
        if str(document.get("issuer") or "").rstrip("/") != config.issuer:
            raise SignInRefused(f"{config.name}'s discovery document names another issuer.")
        return document

    return _cached("discovery:" + url, load)


def _keys(config: Provider, jwks_uri: str, *, refresh: bool = False) -> KeySet:
    def load() -> KeySet:
        try:
            return KeySet.import_key_set(_fetch_json(jwks_uri, config.name))
        except (JoseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise SignInRefused(f"{config.name} published signing keys we could not read.") from exc

    return _cached("jwks:" + jwks_uri, load, max_age=JWKS_REFRESH_MIN_S if refresh else CACHE_TTL_S)


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
        raise SignInRefused("This sign-in was not started in this browser, or was already used. Please start again.")
    if clock.now().timestamp() - pending.started_at > PENDING_MAX_AGE.total_seconds():
        raise SignInRefused("This sign-in took too long. Please start again.")
    if params.get("error"):
        if params["error"] == "access_denied":
            raise SignInRefused(f"Sign-in at {config.name} was cancelled.")
        raise SignInRefused(f"{config.name} could not sign you in. Please try again.")
    code = params.get("code", "")
    if not code:
        raise SignInRefused(f"{config.name} sent no authorization code. Please try again.")
    return code


def _redeem(config: Provider, metadata: dict, code: str, verifier: str, redirect_uri: str) -> str:
    """Exchange the code (with the PKCE verifier and our client secret) for an ID token."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    headers = {}
    if "client_secret_basic" in metadata.get("token_endpoint_auth_methods_supported", ["client_secret_basic"]):
        pair = f"{urllib.parse.quote(config.client_id, safe='')}:{urllib.parse.quote(config.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        form |= {"client_id": config.client_id, "client_secret": config.client_secret}
    answer = _fetch_json(metadata["token_endpoint"], config.name, form=form, headers=headers)
    id_token = answer.get("id_token") if isinstance(answer, dict) else None
    if not isinstance(id_token, str):
        raise SignInRefused(f"{config.name} sent no ID token.")
    return id_token


CLAIM_PROBLEMS = {
    "iss": "was issued by someone else",
    "aud": "was issued for another application",
    "exp": "has expired",
    "iat": "carries an impossible issue time",
    "nonce": "does not belong to this sign-in",
    "sub": "does not say who you are",
}


def _decode(config: Provider, metadata: dict, id_token: str) -> jwt.Token:
    """The ID token, its signature checked with the provider's key (refetched once for a new key id)."""
    offered = metadata.get("id_token_signing_alg_values_supported", ["RS256"])
    algorithms = [alg for alg in ALGORITHMS if alg in offered] or ["RS256"]
    try:
        try:
            return jwt.decode(id_token, _keys(config, metadata["jwks_uri"]), algorithms=algorithms)
        except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
            return jwt.decode(id_token, _keys(config, metadata["jwks_uri"], refresh=True), algorithms=algorithms)
    except BadSignatureError as exc:
        raise SignInRefused(f"The answer from {config.name} failed its signature check.") from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInRefused(f"The answer from {config.name} is not a valid signed ID token.") from exc


def verify_id_token(config: Provider, metadata: dict, id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims once signature, issuer, audience, expiry, issue time and nonce all check out."""
    token = _decode(config, metadata, id_token)
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(clock.now().timestamp()), leeway=LEEWAY_S,
        iss={"essential": True, "value": config.issuer}, sub={"essential": True},
        aud={"essential": True, "value": config.client_id}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as exc:
        raise SignInRefused(f"The sign-in from {config.name} has expired. Please try again.") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        problem = CLAIM_PROBLEMS.get(exc.claim, "is not valid")
        raise SignInRefused(f"The sign-in from {config.name} {problem}.") from exc
    if not isinstance(token.claims["sub"], str) or not 0 < len(token.claims["sub"]) <= 255:
        raise SignInRefused(f"The sign-in from {config.name} {CLAIM_PROBLEMS['sub']}.")
    audiences = token.claims["aud"] if isinstance(token.claims["aud"], list) else [token.claims["aud"]]
    if len(audiences) > 1 and token.claims.get("azp") != config.client_id:
        raise SignInRefused(f"The sign-in from {config.name} {CLAIM_PROBLEMS['aud']}.")
    return token.claims


def _spend_nonce(config: Provider, nonce: str) -> None:
    """Remember the nonce so the same ID token (or a replayed callback) never signs in twice."""
    digest = hashlib.sha256(nonce.encode()).hexdigest()
    now = clock.now()
    if db.session.scalar(select(SpentNonce.id).where(SpentNonce.nonce_hash == digest)) is not None:
        raise SignInRefused(f"This sign-in from {config.name} was already used. Please start again.")
    db.session.execute(delete(SpentNonce).where(SpentNonce.used_at < now - NONCE_MEMORY))
    db.session.add(SpentNonce(nonce_hash=digest, used_at=now))
    try:
        db.session.commit()
    except IntegrityError as exc:  # the unique digest: another request spent it a moment ago
        db.session.rollback()
        raise SignInRefused(f"This sign-in from {config.name} was already used. Please start again.") from exc


def complete_sign_in(pending: PendingSignIn | None, params: Mapping[str, str], redirect_uri: str) -> User:
    """The user the provider vouches for, after every check; links or creates the account on first sign-in."""
    config = _configured()
    code = _check_callback(config, pending, params)
    metadata = discover(config)
    id_token = _redeem(config, metadata, code, pending.code_verifier, redirect_uri)
    claims = verify_id_token(config, metadata, id_token, pending.nonce)
    _spend_nonce(config, pending.nonce)
    user = _user_for(config, claims)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same person (or username) signed up in a parallel request just now
        db.session.rollback()
        raise SignInRefused("Your account was being set up at the same moment. Please sign in again.") from exc
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
        if existing is not None:
            _take_over_credentials(existing)
        user = existing or _new_member(config, email, claims)
        identity = UserIdentity(user=user, issuer=config.issuer, subject=claims["sub"], created_at=now)
        db.session.add(identity)
    user = identity.user
    if user.anonymized_at is not None:
        raise SignInRefused("This account was closed.")
    identity.email = email
    identity.last_sign_in_at = now
    user.last_seen_at = now
    return user


def _account_by_email(config: Provider, email: str, claims: Mapping[str, Any]) -> User | None:
    """An existing account to link, only when the provider verified that this person owns its email."""
    if not email:
        raise SignInRefused(f"{config.name} did not share your email address, which we need for your account.")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and not _verified(claims):
        raise SignInRefused(
            f"An account with {email} already exists, but {config.name} has not verified that address, "
            "so we cannot connect them. Sign in with your password instead."
        )
    return user


def _take_over_credentials(user: User) -> None:
    """The provider proved who owns this email: whoever registered it here first loses their way in.

    Registration does not verify emails, so the password, sessions and API tokens of the account
    may belong to someone else; they all end. The owner can set a password again by reset email.
    """
    if user.password_hash != members.NO_PASSWORD:
        user.password_hash = members.NO_PASSWORD
    user.session_generation = (user.session_generation or 0) + 1
    members.revoke_all_api_tokens(user)


def _new_member(config: Provider, email: str, claims: Mapping[str, Any]) -> User:
    if not _verified(claims):
        raise SignInRefused(
            f"{config.name} has not verified your email address {email}, so we cannot create an account with it. "
            "Verify it there first, or register here with a password."
        )
    username = _free_username(str(claims.get("preferred_username") or "") or email.partition("@")[0])
    return members.add_passwordless_user(username, email, display_name=str(claims.get("name") or "").strip())


def _free_username(wanted: str) -> str:
    """A valid username close to what the provider calls the person, numbered when it is taken."""
    base = USERNAME_CHARS.sub("", wanted.partition("@")[0])[:28].strip(".-") or "member"
    if len(base) < 3:
        base = f"{base}-member"
    taken = set(db.session.scalars(
        select(User.username_key).where(func.substr(User.username_key, 1, len(base)) == base.lower())
    ))
    if base.lower() not in taken:
        return base
    number = 2
    while f"{base}{number}".lower() in taken:
        number += 1
    return f"{base}{number}"
