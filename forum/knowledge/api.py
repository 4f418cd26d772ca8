"""/api/v1/articles (api.md v1.1): listing and reading articles, proposing and editing them, moving them
through the life cycle, publishing, and "did this help?".

Thin views over the knowledge services: who may do what is the permission layer's (forum.knowledge.rules),
status changes are forum.knowledge.lifecycle's, feedback is forum.knowledge.feedback's. Permission is
checked before the body is read where the view can say so up front, so a caller who may not act learns
nothing from validation messages. The article object is forum.http.serializers.article (search answers with
it too), described once as the OpenAPI component "Article" (forum.http.openapi.schemas).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from flask.blueprints import BlueprintSetupState
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import joinedload, selectinload

from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import (
    category_filter,
    field,
    id_field,
    json_body,
    optional_json_body,
    page_params,
    signed_in_user,
    viewer,
)
from forum.knowledge import articles, feedback, lifecycle, queries, sources
from forum.models import Article, ArticleStatus, User
from forum.services.permissions import Action, can, require

STATUSES = [status.value for status in ArticleStatus]
EDIT_FIELDS = ("title", "body", "tags", "category_id")  # PATCH fields saved as a new version
# What PATCH {status} asks of the caller, checked before any field edit is saved (lifecycle checks again).
STATUS_ACTIONS = {
    ArticleStatus.IN_REVIEW.value: Action.ARTICLE_SUBMIT,
    ArticleStatus.ARCHIVED.value: Action.ARTICLE_ARCHIVE,
    ArticleStatus.DRAFT.value: Action.ARTICLE_MANAGE,
}


# --- reading ---------------------------------------------------------------------------------------------------


def _status_filter(raw: str | None) -> ArticleStatus | None:
    if not raw:
        return None
    if raw not in STATUSES:
        raise Invalid({"status": [_("Status is one of: %(statuses)s.", statuses=", ".join(STATUSES))]})
    return ArticleStatus(raw)


def _page(statement: Select, limit: int, cursor: str | None) -> Page[Article]:
    """One page in visible_articles' order (latest change first), continuing after cursor; authors, owners
    and tags come with it (two statements for the whole page)."""
    after = decode_cursor(cursor, [datetime, int])
    if after:
        statement = statement.where(or_(Article.updated_at < after[0],
                                        and_(Article.updated_at == after[0], Article.id < after[1])))
    statement = statement.options(joinedload(Article.author), joinedload(Article.owner),
                                  selectinload(Article.tags)).limit(limit + 1)
    rows = list(db.session.scalars(statement).unique())
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    return Page(rows, encode_cursor([rows[-1].updated_at, rows[-1].id]))


@bp.get("/articles")
def list_articles():
    """Published articles by default; ?status= widens to what the caller may see in that status."""
    caller = viewer()
    limit, cursor = page_params()
    args = request.args
    statement = queries.visible_articles(caller, _status_filter(args.get("status")))
    statement = queries.in_category(statement, category_filter(args.get("category")))
    statement = queries.with_tag(statement, args.get("tag") or None)
    found = _page(statement, limit, cursor)
    return {"items": [serializers.article(article) for article in found.items], "next_cursor": found.next_cursor}


@bp.get("/articles/<id:article_id>")
def show_article(article_id: int):
    return serializers.article(articles.visible_article(viewer(), article_id))


# --- writing ---------------------------------------------------------------------------------------------------


def _check_sources(user: User, draft: articles.ArticleDraft) -> None:
    """The caller must be allowed to make an article from the thread or case it names (the same check as the
    "Turn into article" pages); an unknown or unusable one is a 422 on its field, a refusal a 403."""
    checks = (("source_thread_id", draft.source_thread_id, sources.from_thread),
              ("source_case_id", draft.source_case_id, sources.from_case))
    for name, source_id, check in checks:
        if source_id is None:
            continue
        try:
            check(user, source_id)
        except NotFound as exc:
            raise Invalid({name: [exc.detail]}) from exc
        except Invalid as exc:
            raise Invalid({name: [message for messages in exc.errors.values() for message in messages]}) from exc


@bp.post("/articles")
def create_article():
    user = signed_in_user()
    require(user, Action.ARTICLE_PROPOSE)
    data = json_body()
    draft = articles.ArticleDraft(
        title=field(data, "title", str),
        body=field(data, "body", str),
        category_id=id_field(data, "category_id"),
        tags=field(data, "tags", list, required=False, default=[]),
        source_thread_id=id_field(data, "source_thread_id", required=False),
        source_case_id=id_field(data, "source_case_id", required=False),
    )
    _check_sources(user, draft)
    article = articles.create_article(user, draft)
    return serializers.article(article), 201, {"Location": f"/api/v1/articles/{article.id}"}


def _status_change(user: User, article: Article, data: dict) -> tuple[str | None, bool, str]:
    """PATCH's status, withdrawn and note, validated; the caller must be allowed the move before anything
    is saved, so a refused move never leaves half of the request applied."""
    status = field(data, "status", str, required=False)
    withdrawn = field(data, "withdrawn", bool, required=False, default=False)
    note = field(data, "note", str, required=False, default="")
    if len(note.strip()) > lifecycle.MAX_REASON_CHARS:
        raise Invalid({"note": [_("Keep the note under %(max)d characters.", max=lifecycle.MAX_REASON_CHARS)]})
    if status is None:
        if withdrawn:
            raise Invalid({"withdrawn": [_("Withdraw an article by archiving it: send \"status\": \"archived\" too.")]})
        return None, False, note
    if withdrawn and status != ArticleStatus.ARCHIVED.value:
        raise Invalid({"withdrawn": [_("Only archiving can withdraw an article.")]})
    if status == article.status:  # the status it has (a client sending the whole object back): no move, but
        if not (can(user, Action.ARTICLE_EDIT, article) or can(user, Action.ARTICLE_MANAGE)):  # only for those
            require(user, Action.ARTICLE_MANAGE)  # who may change the article: others are refused, not told 200
        return status, withdrawn, note
    if status == ArticleStatus.PUBLISHED.value:
        raise Invalid({"status": [_("Publish through POST /api/v1/articles/%(id)d/publish.", id=article.id)]})
    if status not in STATUSES:
        raise Invalid({"status": [_("Status is one of: %(statuses)s.", statuses=", ".join(STATUSES))]})
    require(user, STATUS_ACTIONS[status], article)
    if status == ArticleStatus.DRAFT.value and article.status != ArticleStatus.IN_REVIEW.value:
        raise Conflict(_("Only an article in review can go back to draft."))  # before any edit is saved
    return status, withdrawn, note


def _move(user: User, article: Article, status: str, withdrawn: bool, note: str) -> Article:
    """The life-cycle step; the note reaches the author (back to draft) or the audit log (archived)."""
    if status == article.status:
        return article
    if status == ArticleStatus.DRAFT.value:
        return lifecycle.return_to_draft(user, article, note)
    if status == ArticleStatus.ARCHIVED.value:
        return lifecycle.archive(user, article, withdrawn=withdrawn, reason=note)
    return lifecycle.change_status(user, article, status, withdrawn=withdrawn)


@bp.patch("/articles/<id:article_id>")
def update_article(article_id: int):
    """Field edits save a version (articles.edit_article); status moves it through the life cycle, after them."""
    user = signed_in_user()
    article = articles.visible_article(user, article_id)
    data = json_body()
    edits = any(data.get(name) is not None for name in EDIT_FIELDS)
    if edits or data.get("status") is None:
        require(user, Action.ARTICLE_EDIT, article)  # before the fields are read (and when nothing is asked)
    change = articles.ArticleChange(
        title=field(data, "title", str, required=False),
        body=field(data, "body", str, required=False),
        tags=field(data, "tags", list, required=False),
        category_id=id_field(data, "category_id", required=False),
        note=field(data, "note", str, required=False, default=""),
    )
    status, withdrawn, note = _status_change(user, article, data)
    if edits:
        article = articles.edit_article(user, article, change)
    if status is not None:
        article = _move(user, article, status, withdrawn, note)
    return serializers.article(article)


@bp.post("/articles/<id:article_id>/publish")
def publish_article(article_id: int):
    """Staff publish a draft, an article in review, or an archived one again; it takes no fields."""
    user = signed_in_user()
    article = articles.visible_article(user, article_id)
    if article.status == ArticleStatus.PUBLISHED.value and can(user, Action.ARTICLE_MANAGE):
        raise Conflict(_("This article is already published."))
    require(user, Action.ARTICLE_PUBLISH, article)
    optional_json_body()
    return serializers.article(lifecycle.publish(user, article))


@bp.post("/articles/<id:article_id>/feedback")
def give_article_feedback(article_id: int):
    """One answer per member and article: answering again changes it, and the counts follow."""
    user = signed_in_user()
    article = articles.visible_article(user, article_id)
    if article.status != ArticleStatus.PUBLISHED.value:
        raise NotFound(_("Only published articles take feedback."))
    require(user, Action.ARTICLE_FEEDBACK, article)
    data = json_body()
    helpful = field(data, "helpful", bool)
    comment = field(data, "comment", str, required=False, default="")
    row, _new = feedback.give(user, article, helpful, comment)
    return {"helpful_count": article.helpful_count, "not_helpful_count": article.not_helpful_count,
            "helpful": row.helpful, "comment": row.comment}, 201


# --- the OpenAPI description -----------------------------------------------------------------------------------


def _reading_paths(article: openapi.Schema, article_id: openapi.Schema) -> tuple[dict, dict]:
    o = openapi
    page = o.obj({"items": {"type": "array", "items": article}, "next_cursor": {"type": ["string", "null"]}},
                 ["items", "next_cursor"])
    filters = [
        o.query("category", "Only this category (its id or slug).", o.STRING),
        o.query("tag", "Only articles with this tag.", o.STRING),
        o.query("status", "Published when left out. draft and in_review list the caller's own (all of them for "
                          "staff); archived lists are for staff.", {"enum": STATUSES}),
    ]
    listing = o.operation("Articles the caller may see, latest change first", (200, "A page of articles", page),
                          (422,), params=[*filters, *o.PAGE_PARAMS], public=True)
    show = o.operation("One article: published and archived ones for anyone, drafts and articles in review for "
                       "their author and staff (404 to anyone else)", (200, "The article", article), (404,),
                       params=[article_id], public=True)
    return {"get": listing}, {"get": show}


def _writing_operations(article: openapi.Schema, article_id: openapi.Schema) -> tuple[dict, dict, dict]:
    o = openapi
    fields = {"title": {**o.STRING, "minLength": 8, "maxLength": 200}, "body": {**o.STRING, "description": "Markdown"},
              "tags": o.TAGS, "category_id": {"type": "integer", "minimum": 1}}
    create = o.operation(
        "Propose a draft (staff, advocates, or members with knowledge.propose_reputation). A source thread must "
        "be a solved thread the caller may see, a source case a resolved case the caller works; it is linked to "
        "the article once published.", (201, "The draft (Location: its address)", article),
        (*o.WRITE_ERRORS, 429),
        body=o.obj({**fields, "source_thread_id": {"type": "integer", "minimum": 1},
                    "source_case_id": {"type": "integer", "minimum": 1}}, ["title", "body", "category_id"]),
        example={"title": "Fix evening connection drops", "body": "## Fix\n\nUse channel 11.", "tags": ["wifi"],
                 "category_id": 1, "source_thread_id": 42})
    change = o.operation(
        "Edit an article (a new version when anything changed: the author while draft or in review, staff until "
        "archived) and move it: the author (or staff) sends a draft to in_review; staff send one in review back to "
        "draft (note reaches the author) or archive (withdrawn also reverses the author's reputation for it). "
        "Publishing is POST /articles/{article_id}/publish: status published is a 422 unless it already is.",
        (200, "The article", article), (*o.WRITE_ERRORS, 404, 409),
        body=o.obj({**fields, "status": {"enum": STATUSES}, "withdrawn": {**o.BOOLEAN, "default": False},
                    "note": {**o.STRING, "maxLength": lifecycle.MAX_REASON_CHARS,
                             "description": "What changed, or why it goes back to draft or is archived."}}),
        params=[article_id], example={"status": "in_review"})
    publish = o.operation(
        "Publish a draft, an article in review, or an archived article again (staff); a member author earns "
        "reputation, and the article.published webhook fires. 409 when it is already published.",
        (200, "The published article", article), (*o.WRITE_ERRORS, 404, 409), body=o.obj({}),
        body_required=False, params=[article_id])
    return create, change, publish


def _feedback_operation(article_id: openapi.Schema) -> dict[str, Any]:
    o = openapi
    answer = o.obj({"helpful_count": o.INTEGER, "not_helpful_count": o.INTEGER, "helpful": o.BOOLEAN,
                    "comment": o.STRING}, ["helpful_count", "not_helpful_count", "helpful", "comment"])
    return o.operation(
        "\"Did this help?\" on a published article (signed in; 404 otherwise). One answer per member: answering "
        "again replaces it, and the counts follow.", (201, "The article's counts and the caller's answer", answer),
        (*o.WRITE_ERRORS, 404, 429),
        body=o.obj({"helpful": o.BOOLEAN, "comment": {**o.STRING, "maxLength": 2000}}, ["helpful"]),
        params=[article_id], example={"helpful": True, "comment": "Channel 11 fixed it."})


def _openapi_paths() -> dict[str, Any]:
    article = openapi.ref("Article")
    article_id = openapi.path_id("article_id", "article")
    listing, show = _reading_paths(article, article_id)
    create, change, publish = _writing_operations(article, article_id)
    return {
        "/articles": {**listing, "post": create},
        "/articles/{article_id}": {**show, "patch": change},
        "/articles/{article_id}/publish": {"post": publish},
        "/articles/{article_id}/feedback": {"post": _feedback_operation(article_id)},
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
