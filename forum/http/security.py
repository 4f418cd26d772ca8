"""HTTP hardening: CSRF, security headers and a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.core.errors import Invalid
from forum.core.extensions import csrf
from forum.core.i18n import _
from forum.core.text import NUL, NUL_MESSAGE, printable_name
from forum.http import shared_fragments

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' https: data:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    shared_fragments.init_app(app)
    uses_https = app.config["HORSESHOE"].uses_https
    trust_proxies(app, app.config["HORSESHOE"].trusted_proxies)
    app.before_request(refuse_nul_in_url)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if uses_https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind a load balancer, take the client's address and scheme from the last `hops` proxies.

    Without it every visitor shares the balancer's address, so per-IP rate limits would count
    everyone together; trusting more hops than there are proxies would let clients pick their IP.
    """
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


View = TypeVar("View", bound=Callable)


def query_is_a_form(view: View) -> View:
    """Mark a page whose query string is a GET form that shows its own field errors, a NUL's included.

    refuse_nul_in_url then leaves its parameters to the form, so the message appears beside the field
    rather than on an error page; the view must make sure no NUL reaches a query.
    """
    view.query_is_a_form = True
    return view


def refuse_nul_in_url() -> None:
    """A NUL in the address never reaches a query: PostgreSQL cannot hold one (a 500), SQLite would match nothing.

    A path segment with a NUL names nothing (404); a query parameter with one is a 422 naming it, on every
    page and API route alike (search terms, list filters, cursors). Form and JSON bodies are checked by
    forum.http.forms and forum.http.api_requests, where each field can be named beside its input.
    """
    if any(NUL in str(value) for value in (request.view_args or {}).values()):
        abort(404)
    if getattr(current_app.view_functions.get(request.endpoint), "query_is_a_form", False):
        return
    names = [printable_name(name) for name, value in request.args.items(multi=True) if NUL in name + value]
    if names:
        names = list(dict.fromkeys(names))
        raise Invalid({name: [NUL_MESSAGE] for name in names},
                      _("Remove the NUL character (\\x00) from the %(names)s parameter of the address.",
                        names=", ".join(names)))
