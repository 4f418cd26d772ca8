"""Conditional GETs: every successful API read carries an ETag, and a matching If-None-Match gets 304.

The tag is a hash of the body, so it changes exactly when what the caller would see changes.
Bodies differ by caller (visibility, roles), so API responses vary on Authorization and Cookie and
stay private to the caller's cache. Files that are the same for everyone (feeds, sitemaps, robots.txt)
go through for_shared_caches instead.
"""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIX = "/api/v1/"


def _conditional(response: Response) -> Response:
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or not request.path.startswith(API_PREFIX)
        or response.is_streamed
    ):
        return response
    response.vary.update(("Authorization", "Cookie"))
    if not response.cache_control.public:
        response.cache_control.private = True
        response.cache_control.no_cache = True  # revalidate every time: cheap with the ETag
    response.add_etag()
    return response.make_conditional(request)


def for_shared_caches(response: Response, max_age: int) -> Response:
    """A page that is the same for every caller (feeds, sitemaps), cacheable for max_age with an ETag.

    Feed readers and crawlers come without cookies: those copies may sit in shared caches. A browser with a
    session may get a refreshed session cookie on the response, which must never be stored for others.
    """
    if request.cookies:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.add_etag()
    return response.make_conditional(request)


def install(app: Flask) -> None:
    app.after_request(_conditional)
