"""Every conversation page, the moderators' included, tells browsers and proxies never to store it.

Private messages must not come back from a cache: on a shared computer the back button after signing
out, or a proxy between the member and the site, would otherwise show them to the next person.
"""

from __future__ import annotations

from flask import Response


def never_stored(response: Response) -> Response:
    """An after_request hook of the conversation blueprints (redirects and error pages included)."""
    response.headers["Cache-Control"] = "private, no-store"
    return response
