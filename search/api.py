"""GET /api/v1/search and /api/v1/search/similar: thin JSON views over search.service."""

from __future__ import annotations

from flask import Blueprint, Flask, request

from forum.core.errors import Invalid
from forum.core.pagination import clamp_limit
from forum.http import openapi, serializers
from forum.http.api_requests import authenticate_api_request, viewer
from search import service

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_api_request)  # a bad or revoked token is a 401 here too, not an anonymous search


@bp.get("/search")
def search():
    limit = clamp_limit(request.args.get("limit"))
    page = _page_number(request.args.get("page"))
    filters = {name: request.args.get(name) for name in ("category", "tag", "status")}
    found = service.search_threads(viewer(), request.args.get("q", ""), filters=filters, page=page, per_page=limit)
    serializers.prefetch_thread_cases([item.thread for item in found.items])
    return {
        "items": [
            {"thread": serializers.thread(item.thread), "post_id": item.post_id, "score": item.score,
             "highlight": item.highlight}
            for item in found.items
        ],
        "total": found.total,
        "next_page": page + 1 if found.has_next else None,
        "suggestion": found.suggestion,
        "notices": found.notices,
        "facets": found.facets,
    }


@bp.get("/search/similar")
def similar():
    threads = service.similar_threads(viewer(), request.args.get("title", ""))
    serializers.prefetch_thread_cases(threads)
    return {"items": [serializers.thread(thread) for thread in threads]}


def _page_number(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    if not (raw.isascii() and raw.isdigit()):  # "²" is a digit int() can't read
        raise Invalid({"page": [f"Choose a page from 1 to {service.MAX_PAGE}."]})
    return int(raw)


def _openapi_paths() -> dict:
    q = openapi.query("q", "Free text with \"phrases\" and filters category: tag: is: author: before: after:",
                      openapi.STRING)
    found = openapi.obj({"thread": openapi.ref("Thread"), "post_id": openapi.INTEGER, "score": {"type": "number"},
                         "highlight": {"type": "string", "description": "Escaped text with <mark> around matches"}})
    page = openapi.obj({"items": {"type": "array", "items": found}, "total": openapi.INTEGER,
                        "next_page": {"type": ["integer", "null"]}, "suggestion": {"type": ["string", "null"]},
                        "notices": {"type": "array", "items": openapi.STRING}, "facets": {"type": "object"}})
    filters = [openapi.query(name, f"Only this {name}.", openapi.STRING) for name in ("category", "tag", "status")]
    paging = [openapi.query("limit", "Results per page (1..100).", openapi.INTEGER),
              openapi.query("page", "Page number (1..50).", openapi.INTEGER)]
    return {
        "/search": {"get": openapi.operation("Search threads the caller may see", (200, "Ranked results", page),
                                             (422,), params=[q, *filters, *paging], public=True)},
        "/search/similar": {"get": openapi.operation(
            "Solved threads likely to answer a draft question", (200, "Threads", openapi.obj(
                {"items": {"type": "array", "items": openapi.ref("Thread")}})), (),
            params=[openapi.query("title", "The draft title.", openapi.STRING)], public=True)},
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
