"""HTML rendered once and shown to many viewers must not carry one viewer's CSRF token.

While a shared fragment renders, the template global csrf_token() answers with a slot; fill() puts the
current request's token in its place on the way out. A rendering that nevertheless holds the request's
real token (a template that found another way to it) is refused rather than cached for others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, g
from flask_wtf.csrf import generate_csrf

CSRF_SLOT = "\x00csrf-slot\x00"
_RENDERING = "_rendering_shared_fragment"
_REQUEST_CSRF = "_shared_fragment_request_csrf"


def csrf_token_or_slot() -> str:
    """The template global csrf_token(): the request's token, or the slot inside a shared fragment."""
    return CSRF_SLOT if g.get(_RENDERING) else _request_token()


@contextmanager
def _shared() -> Iterator[None]:
    setattr(g, _RENDERING, True)
    try:
        yield
    finally:
        setattr(g, _RENDERING, False)


def render_shared(render: Callable[[], str]) -> str:
    """Call render() with csrf_token() answering the slot; refuse a result holding the real token."""
    with _shared():
        html = render()
    token = g.get("csrf_token")  # Flask-WTF keeps the request's signed token here once it made one
    if token and token in html:
        raise RuntimeError("A shared fragment must not hold the request's CSRF token.")
    return html


def fill(html: str) -> str:
    """The fragment for this request: its CSRF slots hold the request's token."""
    return html.replace(CSRF_SLOT, _request_token()) if CSRF_SLOT in html else html


def _request_token() -> str:
    """generate_csrf(), asked once per request: a thread page fills a fragment per post and asks csrf_token()
    for each of its button forms, and each call re-reads the configuration and the session."""
    token = g.get(_REQUEST_CSRF)
    if token is None:
        token = generate_csrf()
        setattr(g, _REQUEST_CSRF, token)
    return token


def init_app(app: Flask) -> None:
    """Replace Flask-WTF's csrf_token global (call after CSRFProtect.init_app)."""
    app.jinja_env.globals["csrf_token"] = csrf_token_or_slot
