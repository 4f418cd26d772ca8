"""API tokens people manage themselves, and service tokens admins mint for non-human accounts.

A token's raw value is returned once, at creation, and never stored (see accounts.create_api_token);
everything here lists and revokes by id. Service accounts are ordinary users with a role, no usable
password and no email: they exist only to hold service tokens, so bots act with exactly their role.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from forum.accounts import members
from forum.core.errors import Conflict, ErrorCollector, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import SERVICE_EMAIL_DOMAIN, ApiToken, Role, TokenKind, User
from forum.services import audit_writer
from forum.services.permissions import Action, require

# "metrics" reads /metrics and nothing else (refused on every API route): for a monitoring system, minted by an
# admin as a service token only, so a member's own tokens stay read or write.
METRICS_SCOPE = "metrics"
SCOPES = ("read", "write", METRICS_SCOPE)
PERSONAL_SCOPES = ("read", "write")
MAX_TOKENS_PER_USER = 50
NAME_MAX = 64


@dataclass(frozen=True)
class TokenInput:
    name: str
    scope: str


@dataclass(frozen=True)
class ServiceTokenInput:
    """Either account_id (an existing service account) or new_username + role (created on the spot)."""

    name: str
    scope: str
    account_id: int | None = None
    new_username: str = ""
    role: str = Role.AGENT.value


@dataclass(frozen=True)
class MintedToken:
    """A token just created: raw is the secret, shown to its creator this once."""

    token: ApiToken
    raw: str


def _validate(data: TokenInput | ServiceTokenInput, errors: ErrorCollector) -> str:
    name = (data.name or "").strip()
    if not name:
        errors.add("name", _("Give the token a name, such as the app or script that will use it."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("Use at most %(num)d characters.", num=NAME_MAX))
    if isinstance(data, ServiceTokenInput) and data.scope not in SCOPES:
        errors.add("scope", _("Choose read, write or metrics."))
    elif not isinstance(data, ServiceTokenInput) and data.scope not in PERSONAL_SCOPES:
        errors.add("scope", _("Choose read or write."))
    return name


def _mint(user: User, name: str, scope: str, kind: TokenKind) -> MintedToken:
    """Add the token to the session and flush (for its id); the caller commits."""
    token, raw = members.new_api_token(user, name=name, scope=scope, kind=kind)
    db.session.flush()
    return MintedToken(token=token, raw=raw)


def _live_tokens(user_id: int, kind: TokenKind):
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.kind == kind.value, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def list_personal_tokens(actor: User) -> list[ApiToken]:
    """The actor's live tokens, newest first (revoked ones are gone for good)."""
    require(actor, Action.TOKEN_LIST)
    return list(db.session.scalars(_live_tokens(actor.id, TokenKind.PERSONAL)))


def create_personal_token(actor: User, data: TokenInput) -> MintedToken:
    """Mint a token for the actor; a cap keeps a leaked session from minting without end."""
    require(actor, Action.TOKEN_CREATE)
    errors = ErrorCollector()
    name = _validate(data, errors)
    if len(list_personal_tokens(actor)) >= MAX_TOKENS_PER_USER:
        errors.add("name", _("You have %(num)d tokens already. Revoke one you no longer use.", num=MAX_TOKENS_PER_USER))
    errors.raise_if_any()
    minted = _mint(actor, name, data.scope, TokenKind.PERSONAL)
    db.session.commit()
    return minted


def get_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFound(_("No such token (it may be revoked already)."))
    return token


def revoke_personal_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; anyone else's looks like no token at all."""
    token = get_token(token_id)
    require(actor, Action.TOKEN_REVOKE, token)
    if token.kind != TokenKind.PERSONAL.value:
        raise NotFound(_("No such token (it may be revoked already)."))
    members.revoke_api_token(token)
    return token


def list_service_accounts(actor: User) -> list[User]:
    """Accounts that hold (or held) a service token: the bots admins can mint more tokens for."""
    require(actor, Action.SERVICE_TOKEN_MANAGE)
    has_service_token = exists().where(ApiToken.user_id == User.id, ApiToken.kind == TokenKind.SERVICE.value)
    return list(db.session.scalars(select(User).where(has_service_token).order_by(User.username_key)))


def list_service_tokens(actor: User) -> list[ApiToken]:
    """Every live service token with its account, newest first."""
    require(actor, Action.SERVICE_TOKEN_MANAGE)
    query = (
        select(ApiToken)
        .where(ApiToken.kind == TokenKind.SERVICE.value, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def _service_account(actor: User, data: ServiceTokenInput, errors: ErrorCollector) -> User | None:
    """The chosen existing service account, or None when a new one is to be created."""
    if data.account_id is not None:
        account = next((a for a in list_service_accounts(actor) if a.id == data.account_id), None)
        if account is None:
            errors.add("account_id", _("Choose one of the service accounts, or name a new one."))
        return account
    if not members.USERNAME_PATTERN.match(data.new_username.strip()):
        errors.add("new_username", _("Use 3–32 letters, digits, '_', '.' or '-', such as helpdesk-bot."))
    if data.role not in {role.value for role in Role}:
        errors.add("role", _("Choose one of: %(choices)s.", choices=", ".join(role.value for role in Role)))
    return None


def _create_service_account(username: str, role: str) -> User:
    if db.session.scalar(select(User.id).where(User.username_key == username.lower())):
        raise Conflict(_("That username is taken."), {"new_username": [_("That username is taken.")]})
    account = members.add_passwordless_user(username, f"{username.lower()}@{SERVICE_EMAIL_DOMAIN}", Role(role))
    account.email_frequency = "off"
    account.weekly_digest = False
    return account


def create_service_token(actor: User, data: ServiceTokenInput) -> MintedToken:
    """Mint a token for a service account (created first when new); the audit log keeps who did it."""
    require(actor, Action.SERVICE_TOKEN_MANAGE)
    errors = ErrorCollector()
    name = _validate(data, errors)
    account = _service_account(actor, data, errors)
    errors.raise_if_any()
    if account is None:
        account = _create_service_account(data.new_username.strip(), data.role)
        audit_writer.record(actor, "service_account.create", "user", account.id, after={"role": account.role})
    minted = _mint(account, name, data.scope, TokenKind.SERVICE)
    audit_writer.record(actor, "service_token.create", "api_token", minted.token.id,
                 after={"account": account.username, "name": name, "scope": data.scope})
    db.session.commit()
    return minted


def revoke_service_token(actor: User, token_id: int) -> ApiToken:
    require(actor, Action.SERVICE_TOKEN_MANAGE)
    token = get_token(token_id)
    if token.kind != TokenKind.SERVICE.value:
        raise NotFound(_("No such service token."))
    audit_writer.record(actor, "service_token.revoke", "api_token", token.id,
                 before={"account": token.user.username, "name": token.name, "scope": token.scope})
    members.revoke_api_token(token)
    return token
