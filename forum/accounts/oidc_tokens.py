"""OpenID Connect provider talk: discovery, signing keys (JWKS), the code-for-token request and ID token checks."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

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

from forum.core import clock
from forum.core.errors import DomainError
from forum.core.i18n import N_, _

# Discovery documents and keys are cached; a token naming an unknown key refetches the keys (rate-limited).
# Every failure is a SignInRefused whose detail says why in words a person understands.
LEEWAY_S = 60  # clock skew tolerated between us and the provider
CACHE_TTL_S = 3600
JWKS_REFRESH_MIN_S = 60  # a token naming an unknown key refetches the keys, at most this often
HTTP_TIMEOUT_S = 10
MAX_RESPONSE_BYTES = 512 * 1024
# Asymmetric algorithms only: "none" and HMAC (keyed with our own client secret) prove nothing about the provider.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class SignInRefused(DomainError):
    """The provider's answer cannot sign anyone in; detail says why in words a person understands."""

    status = 401
    title = N_("Sign-in refused")


class ProviderUnavailable(SignInRefused):
    status = 503
    title = N_("Identity provider unavailable")


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    name: str


# --- talking to the provider -------------------------------------------------------------------------------

_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _fetch_json(url: str, provider_name: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Any:
    """GET (or POST a form to) the provider and parse its JSON; any failure is a clear SignInRefused.

    Only http(s): the discovery document names the other endpoints, and urlopen would read file: too.
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SignInRefused(_("%(provider)s named an address that is not http or https.", provider=provider_name))
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # nosec B310  # http(s) only, above
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        reason = _oauth_error(exc)
        raise SignInRefused(_("%(provider)s refused the sign-in (%(reason)s). Please try again.",
                              provider=provider_name, reason=reason)) from exc
    except (OSError, ValueError) as exc:
        raise ProviderUnavailable(_("We could not reach %(provider)s. Please try again in a moment.",
                                    provider=provider_name)) from exc
    try:
        if len(body) > MAX_RESPONSE_BYTES:
            raise ValueError("too large")
        return json.loads(body)
    except ValueError as exc:
        raise SignInRefused(_("%(provider)s sent an answer we could not read.", provider=provider_name)) from exc


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
            raise SignInRefused(_("%(provider)s has no usable OpenID Connect discovery document.",
                                  provider=config.name))
        if str(document.get("issuer") or "").rstrip("/") != config.issuer:
            raise SignInRefused(_("%(provider)s's discovery document names another issuer.", provider=config.name))
        return document

    return _cached("discovery:" + url, load)


def _keys(config: Provider, jwks_uri: str, *, refresh: bool = False) -> KeySet:
    def load() -> KeySet:
        try:
            return KeySet.import_key_set(_fetch_json(jwks_uri, config.name))
        except (JoseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise SignInRefused(_("%(provider)s published signing keys we could not read.",
                                      provider=config.name)) from exc

    return _cached("jwks:" + jwks_uri, load, max_age=JWKS_REFRESH_MIN_S if refresh else CACHE_TTL_S)


# --- the ID token ------------------------------------------------------------------------------------------

def redeem_code(config: Provider, metadata: dict, code: str, verifier: str, redirect_uri: str) -> str:
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
        raise SignInRefused(_("%(provider)s sent no ID token.", provider=config.name))
    return id_token


# Whole sentences per claim ("The sign-in from <provider> ..."), so each reads naturally in every language.
CLAIM_PROBLEMS = {
    "iss": N_("The sign-in from %(provider)s was issued by someone else."),
    "aud": N_("The sign-in from %(provider)s was issued for another application."),
    "exp": N_("The sign-in from %(provider)s has expired."),
    "iat": N_("The sign-in from %(provider)s carries an impossible issue time."),
    "nonce": N_("The sign-in from %(provider)s does not belong to this sign-in."),
    "sub": N_("The sign-in from %(provider)s does not say who you are."),
}
NOT_VALID_CLAIM = N_("The sign-in from %(provider)s is not valid.")


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
        raise SignInRefused(_("The answer from %(provider)s failed its signature check.",
                              provider=config.name)) from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInRefused(_("The answer from %(provider)s is not a valid signed ID token.",
                              provider=config.name)) from exc


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
        raise SignInRefused(_("The sign-in from %(provider)s has expired. Please try again.",
                              provider=config.name)) from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise SignInRefused(_(CLAIM_PROBLEMS.get(exc.claim, NOT_VALID_CLAIM), provider=config.name)) from exc
    if not isinstance(token.claims["sub"], str) or not 0 < len(token.claims["sub"]) <= 255:
        raise SignInRefused(_(CLAIM_PROBLEMS["sub"], provider=config.name))
    audiences = token.claims["aud"] if isinstance(token.claims["aud"], list) else [token.claims["aud"]]
    if len(audiences) > 1 and token.claims.get("azp") != config.client_id:
        raise SignInRefused(_(CLAIM_PROBLEMS["aud"], provider=config.name))
    return token.claims
