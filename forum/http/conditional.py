"""Conditional GETs for the API: every successful read carries an ETag; a matching If-None-Match gets 304.

The tag is a hash of the body, so it changes exactly when what the caller would see changes.
Bodies differ by caller (visibility, roles), so responses vary on Authorization and Cookie and
stay private to the caller's cache.
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


def install(app: Flask) -> None:
    app.after_request(_conditional)
