"""GET /api/v1/search and /api/v1/search/similar: thin JSON views over search.service.

kind=thread (the default: the answer clients have always had, each item now also saying "kind"),
idea, article or all; article items carry "article" (the API article object) where thread items carry
"thread" (forum.http.serializers.article, the OpenAPI component "Article", as GET /articles/{id} answers),
and idea items "idea" (forum.http.serializers.idea, the component "Idea", as GET /ideas/{id} answers).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request

from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.core.pagination import clamp_limit, decode_cursor, encode_cursor
from forum.http import openapi, serializers
from forum.http.api_requests import authenticate_api_request, viewer
from forum.models import Article, Thread
from search import service
from search import similar as similar_engine

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_api_request)  # a bad or revoked token is a 401 here too, not an anonymous search
SIMILAR_DEFAULT, SIMILAR_MAX = 5, 10


@bp.get("/search")
def search():
    limit = clamp_limit(request.args.get("limit"))
    page = _page_from(request.args.get("cursor"), request.args.get("page"))
    filters = {name: request.args.get(name) for name in ("category", "tag", "status")}
    found = service.search(viewer(), request.args.get("q", ""), kind=request.args.get("kind") or "thread",
                           filters=filters, page=page, per_page=limit)
    serializers.prefetch_thread_cases([item.thread for item in found.items if item.kind == "thread"])
    return {
        "items": [_found(item) for item in found.items],
        "total": found.total,
        "next_page": page + 1 if found.has_next else None,
        "next_cursor": encode_cursor([page + 1]) if found.has_next else None,
        "suggestion": found.suggestion,
        "notices": found.notices,
        "facets": found.facets,
    }


def _found(item: service.Found | service.FoundIdea | service.FoundArticle) -> dict[str, Any]:
    if isinstance(item, service.FoundArticle):
        return {"kind": "article", "article": serializers.article(item.article), "score": item.score,
                "highlight": item.highlight}
    if isinstance(item, service.FoundIdea):
        return {"kind": "idea", "idea": serializers.idea(item.idea, item.question), "score": item.score,
                "highlight": item.highlight}
    return {"kind": "thread", "thread": serializers.thread(item.thread), "post_id": item.post_id, "score": item.score,
            "highlight": item.highlight}


@bp.get("/search/similar")
def similar():
    limit = _similar_limit(request.args.get("limit"))
    found = similar_engine.similar(viewer(), request.args.get("title", ""), limit=limit)
    serializers.prefetch_thread_cases([item for item in found if isinstance(item, Thread)])
    return {"items": [
        {**serializers.article(item), "kind": "article"} if isinstance(item, Article)
        else {**serializers.thread(item), "kind": "thread"}
        for item in found
    ]}


def _similar_limit(raw: str | None) -> int:
    if raw in (None, ""):
        return SIMILAR_DEFAULT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= SIMILAR_MAX:
        raise Invalid({"limit": [_("Use a whole number from 1 to %(most)s.", most=SIMILAR_MAX)]})
    return int(raw)


def _page_from(cursor: str | None, page: str | None) -> int:
    """api.md v1.1: paged by cursor/next_cursor, page/next_page keep working; a cursor names the next page."""
    after = decode_cursor(cursor, [int])
    if after is None:
        return _page_number(page)
    if not 1 <= after[0] <= service.MAX_PAGE:
        raise Invalid({"cursor": [_("This cursor is not valid; start from the first page.")]})
    return after[0]


def _page_number(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    if not (raw.isascii() and raw.isdigit()):  # "²" is a digit int() can't read
        raise Invalid({"page": [_("Choose a page from 1 to %(most)s.", most=service.MAX_PAGE)]})
    return int(raw)


def _openapi_paths() -> dict:
    o = openapi
    article = o.ref("Article")
    q = o.query("q", "Free text with \"phrases\" and filters category: tag: is: author: before: after:", o.STRING)
    kind = o.query("kind", "thread (the default: questions and discussions), idea (the ideas board), article "
                           "(published knowledge-base articles) or all (every kind, ranked together by a normalised "
                           "score).", {"enum": list(service.KINDS), "default": "thread"})
    found = o.obj({"kind": {"enum": ["thread", "idea", "article"]}, "thread": o.ref("Thread"), "idea": o.ref("Idea"),
                   "article": article,
                   "post_id": {**o.INTEGER, "description": "Thread items: the post the result links to."},
                   "score": {"type": "number"},
                   "highlight": {"type": "string", "description": "Escaped text with <mark> around matches"}},
                  ["kind", "score", "highlight"])
    page = o.obj({"items": {"type": "array", "items": found}, "total": o.INTEGER,
                  "next_page": {"type": ["integer", "null"]}, "next_cursor": {"type": ["string", "null"]},
                  "suggestion": {"type": ["string", "null"]},
                  "notices": {"type": "array", "items": o.STRING}, "facets": {"type": "object"}})
    filters = [o.query(name, f"Only this {name}.", o.STRING) for name in ("category", "tag", "status")]
    paging = [o.query("limit", "Results per page (1..100).", o.INTEGER),
              o.query("page", "Page number (1..50).", o.INTEGER),
              o.query("cursor", "The opaque next_cursor of the previous page (instead of page).", o.STRING)]
    similar_item = {"anyOf": [
        {"allOf": [o.ref("Thread"), o.obj({"kind": {"enum": ["thread"]}}, ["kind"])]},
        {"allOf": [article, o.obj({"kind": {"enum": ["article"]}}, ["kind"])]},
    ]}
    similar_params = [o.query("title", "The draft title.", o.STRING),
                      o.query("limit", f"At most this many (1..{SIMILAR_MAX}).",
                              {"type": "integer", "minimum": 1, "maximum": SIMILAR_MAX, "default": SIMILAR_DEFAULT})]
    return {
        "/search": {"get": o.operation("Search threads and articles the caller may see", (200, "Ranked results", page),
                                       (422,), params=[q, kind, *filters, *paging], public=True)},
        "/search/similar": {"get": o.operation(
            "Solved threads and published articles likely to answer a draft question, ranked together",
            (200, "Threads and articles", o.obj({"items": {"type": "array", "items": similar_item}})), (422,),
            params=similar_params, public=True)},
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
