"""GET /healthz, /readyz and /metrics (api.md, after the v1.1 routes), outside /api/v1, for monitoring systems.

/healthz and /readyz answer anyone (forum.operations.health). /metrics answers a bearer token with the metrics
scope (an admin mints one on /admin/service-tokens), or a request from this host's loopback that carries no
forwarding header: a reverse proxy on the same host connects from loopback too, and must not make the metrics
public. Behind trusted proxies (HORSESHOE_TRUSTED_PROXIES, forum.http.security) the address judged is the
client's as those proxies report it, and an X-Forwarded-For may hold exactly their entries and no more. Anyone
else gets a 401 (a bad or missing token) or 403 (a token without the metrics scope) problem+json.

None of them is cached, by the page cache (not in its endpoints) or anyone else (Cache-Control: no-store); none
needs a CSRF token (GET only), writes to the database or has a rate limit (ratelimits.RULES names none of them).
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from forum import accounts
from forum.accounts.tokens import METRICS_SCOPE
from forum.core.i18n import N_, _
from forum.http import problems, request_log
from forum.http.auth import is_token_request
from forum.operations import health, metrics

bp = Blueprint("monitoring", __name__)
# Headers that say a proxy relayed the request for someone else (X-Forwarded-For is judged apart).
FORWARDING_HEADERS = ("Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP")


@bp.get("/healthz")
def healthz():
    """Alive: this process answers (no dependency is asked)."""
    return _not_stored(jsonify(status=health.OK))


@bp.get("/readyz")
def readyz():
    """Ready: 200 with each dependency's state, or 503 naming the ones that failed."""
    found = health.readiness(current_app)
    return _not_stored(jsonify(found.as_json())), 200 if found.ready else 503


@bp.get("/metrics", endpoint="metrics")
def scrape():
    refusal = _refusal()
    if refusal is not None:
        return _not_stored(refusal)
    body, content_type = metrics.exposition(request.headers.get("Accept"))
    return _not_stored(Response(body, headers={"Content-Type": content_type}))


def _refusal() -> Response | None:
    """None when the caller may read the metrics; else the 401 or 403 problem. A token, when sent, decides."""
    if is_token_request():
        found = accounts.user_for_api_token(request.headers["Authorization"][7:].strip())
        if found is None:
            return problems.problem(401, N_("Not authenticated"), _("The bearer token is missing, invalid or revoked."),
                                    WWW_Authenticate='Bearer realm="metrics"')
        if found[1].scope != METRICS_SCOPE:
            return problems.problem(403, N_("Forbidden"), _("Only a token with the metrics scope may read /metrics."))
        return None
    if from_this_host():
        return None
    return problems.problem(401, N_("Not authenticated"),
                            _("Send a bearer token with the metrics scope, or ask from this host without a proxy."),
                            WWW_Authenticate='Bearer realm="metrics"')


def from_this_host() -> bool:
    """The (trusted-proxy-corrected) client address is loopback, and no proxy relayed the request beyond those."""
    if not _is_loopback(request.remote_addr) or any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    forwarded_for = request.headers.get("X-Forwarded-For")
    if forwarded_for is None:
        return True
    hops = current_app.config["HORSESHOE"].trusted_proxies
    entries = [entry for entry in forwarded_for.split(",") if entry.strip()]
    return hops > 0 and len(entries) == hops  # each one a trusted proxy's, the first naming a loopback client


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return (mapped or ip).is_loopback


def _not_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def observe_request(response: Response) -> Response:
    """after_request: the request's latency into the histogram (every endpoint, /metrics itself included)."""
    metrics.observe_request(request.endpoint, request.method, response.status_code, request_log.elapsed_s())
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(observe_request)
