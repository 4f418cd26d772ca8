"""Addresses of things: one URL shape for pages, the API, mail, notifications and webhook payloads.

thread_path needs no request, so services can put a link in a notification or a webhook payload
(tests/test_urls.py keeps it equal to what url_for builds for threads.show). thread_url and
post_location build links with url_for, for pages and the API.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from forum.core.pagination import encode_cursor
from forum.models import Post, Thread

REPLIES_PER_PAGE = 50  # the thread page shows this many replies per page


def thread_path(thread: Thread, anchor: str = "") -> str:
    """The site-relative address of a thread, with its slug and an optional #anchor; works without a request."""
    return f"/t/{thread.id}/{thread.slug}" + (f"#{anchor}" if anchor else "")


def thread_url(thread: Thread, **params: str) -> str:
    """The canonical address of a thread, with its slug."""
    return kept_url_for("threads.show", thread_id=thread.id, slug=thread.slug, **params)


def post_location(post: Post) -> str:
    """Where a post can be seen: its thread, on the page that starts with it when the thread is long."""
    thread = post.thread
    if post.is_question or thread.reply_count <= REPLIES_PER_PAGE:
        return thread_url(thread, _anchor=f"p{post.id}")
    return thread_url(thread, cursor=encode_cursor([post.created_at, post.id - 1]), _anchor=f"p{post.id}")


def same_site_path(target: object) -> str | None:
    """target when it is a path on this site, else None: the one check for every redirect a request names
    ("next", a form's return address). Browsers read "/\\host" as "//host", so a backslash anywhere
    disqualifies it, as does a scheme or a host."""
    if not isinstance(target, str) or "\\" in target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def kept_url_for(endpoint: str, **values) -> str:
    """url_for for templates, answered from a per-process memory when asked the same again (issue 21).

    A page asks url_for a few dozen times (its stylesheets and scripts, the header's links, every thread
    link), and werkzeug builds each afresh. The output depends on the endpoint and values, the app, and the
    address the site is served at (the request's root URL); Horseshoe registers no url_defaults, so nothing
    else. Endpoints relative to the current blueprint (".name") and values that cannot be a key (a list) go
    to url_for directly.
    """
    if endpoint.startswith("."):
        return url_for(endpoint, **values)
    try:
        key = (endpoint, tuple(values.items()))  # in the order given: query arguments are written in it
        hash(key)
    except TypeError:
        return url_for(endpoint, **values)
    return _kept(key, request.root_url if request else "", id(current_app._get_current_object()))


@lru_cache(maxsize=8192)
def _kept(key: tuple, _root_url: str, _app_id: int) -> str:
    return url_for(key[0], **dict(key[1]))
