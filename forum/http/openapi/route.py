"""Assembles the whole OpenAPI document and serves it at GET /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import current_app

from forum.http.api import bp
from forum.http.openapi.builder import with_cross_cutting_answers
from forum.http.openapi.paths import forum_paths
from forum.http.openapi.schemas import component_schemas


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, as a JSON-ready dict."""
    schemas = component_schemas()
    paths = forum_paths()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Horseshoe API",
            "version": "1",
            "description": "Peer-support community. Errors, including unexpected 500s, are RFC 9457 "
                           "application/problem+json.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /tokens."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The site's own pages; writes also need the X-CSRFToken header."},
            },
        },
    }


@bp.get("/openapi.json")
def show_openapi():
    """Serve the document; other packages may add paths under app.extensions["openapi_paths"]."""
    spec = document()
    for path, operations in current_app.extensions.get("openapi_paths", {}).items():
        spec["paths"].setdefault(path, {}).update(operations)  # a package may add a method to a path (DELETE /me)
    with_cross_cutting_answers(spec["paths"])
    return spec
