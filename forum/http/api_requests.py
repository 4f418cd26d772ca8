"""Request plumbing shared by API resources: auth checks, CSRF for cookies, JSON bodies."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from forum.accounts.tokens import METRICS_SCOPE
from forum.core.errors import DomainError, Forbidden, Invalid, NotAuthenticated, NotFound
from forum.core.extensions import csrf
from forum.core.i18n import N_, _, format_number
from forum.core.pagination import clamp_limit
from forum.core.text import refuse_nul
from forum.http import standing
from forum.http.api import bp
from forum.http.auth import is_token_request
from forum.http.routing import MAX_ID
from forum.models import User
from forum.services import categories

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class MalformedJSON(DomainError):
    status = 400
    title = N_("Malformed JSON")


class UnsupportedMediaType(DomainError):
    status = 415
    title = N_("Unsupported media type")


@bp.before_request
def authenticate_api_request() -> None:
    """Reject bad tokens, demand CSRF on cookie-authenticated writes, keep read tokens read-only."""
    if is_token_request() and not current_user.is_authenticated:
        raise NotAuthenticated(_("The bearer token is missing, invalid or revoked."))
    if is_token_request() and getattr(g.get("api_token"), "scope", None) == METRICS_SCOPE:
        raise Forbidden(_("This token may only read /metrics."))  # a monitoring system's: nothing of the API
    if request.method not in SAFE_METHODS and not is_token_request() and current_user.is_authenticated:
        csrf.protect()  # the site's own pages call the API with the session cookie
    if is_token_request() and request.method not in SAFE_METHODS and request.endpoint != "api.revoke_current_token":
        token = g.get("api_token")  # any holder may give up their token (api.md: token holder -> 204)
        if token is not None and token.scope == "read" and not _limited_token_may(token, request.endpoint):
            raise Forbidden(_("This token may only read."))


def _limited_token_may(token, endpoint: str | None) -> bool:
    """A suspended account's token (limited) reaches the routes left open to it; no other read token writes."""
    return token.limited and standing.open_to_caller(endpoint)


def signed_in_user() -> User:
    """The caller, or 401 when anonymous (writes need a user)."""
    if not current_user.is_authenticated:
        raise NotAuthenticated(_("Sign in or send a bearer token."))
    return current_user._get_current_object()


def viewer() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def json_body() -> dict[str, Any]:
    """The request's JSON object, or 400/415/422 with a clear reason.

    A NUL anywhere in it is a 422 naming the field, for every route at once: PostgreSQL cannot store one.
    """
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send a JSON body with Content-Type: application/json."))
    try:
        data = request.get_json()
    except (BadRequest, RecursionError) as exc:  # a body over MAX_CONTENT_LENGTH is a 413 and passes through
        raise MalformedJSON(_("The request body is not valid JSON (or nests too deeply).")) from exc
    if not isinstance(data, dict):
        raise Invalid({"body": [_("Send a JSON object.")]})
    refuse_nul(data)
    return data


def optional_json_body() -> dict[str, Any]:
    """Like json_body(), for routes whose body may be left out entirely (then it is {})."""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if not request.content_length and not chunked:
        return {}  # no body (some clients still send Content-Type: application/json)
    return json_body()


def id_list(data: dict, name: str, *, max_items: int = 1000) -> list[int] | None:
    """An optional array of ids; Invalid names the field for anything no row could have."""
    values = field(data, name, list, required=False)
    if values is None:
        return None
    if len(values) > max_items:
        raise Invalid({name: [_("Send at most %(count)s ids at a time.", count=format_number(max_items))]})
    if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID for v in values):
        raise Invalid({name: [_("Send an array of ids (positive integers).")]})
    return values


def field(data: dict, name: str, kind: type | tuple[type, ...], *, required: bool = True, default: Any = None) -> Any:
    """One typed field from a JSON object; Invalid names the field when it is missing or mistyped."""
    if name not in data or data[name] is None:
        if required:
            raise Invalid({name: [_("This field is required.")]})
        return default
    value = data[name]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise Invalid({name: [_("Expected %(type)s.", type=_json_type([kind] if isinstance(kind, type) else kind))]})
    return value


def id_field(data: dict, name: str, *, required: bool = True) -> int | None:
    """An id from a JSON object; Invalid when it is not an integer a row could have."""
    value = field(data, name, int, required=required)
    if value is not None and not 1 <= value <= MAX_ID:
        raise Invalid({name: [_("No %(thing)s has this id.", thing=name.removesuffix("_id"))]})
    return value


def page_params() -> tuple[int, str | None]:
    """?limit= (1..100, default 20) and the opaque ?cursor= of list routes."""
    return clamp_limit(request.args.get("limit")), request.args.get("cursor") or None


JSON_TYPES = {"str": N_("a string"), "int": N_("an integer"), "bool": N_("true or false"), "list": N_("an array"),
              "dict": N_("an object")}


def _json_type(kinds) -> str:
    """"a string", "an integer or a string": the JSON types a field takes, as the caller reads them."""
    names = [_(JSON_TYPES.get(kind.__name__, kind.__name__)) for kind in kinds]
    text = names[0]
    for name in names[1:]:
        text = _("%(first)s or %(second)s", first=text, second=name)
    return text


def category_filter(raw: str | None) -> int | None:
    """A list's ?category=, an id or a slug (GET /threads, GET /articles): an unknown one is a 422, not an empty
    list."""
    if not raw:
        return None
    try:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID:
            return categories.get_category(int(raw)).id
        return categories.get_category_by_slug(raw).id
    except NotFound as exc:
        raise Invalid({"category": [_("No category has this id or slug.")]}) from exc
