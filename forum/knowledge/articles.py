"""Writing articles: propose a draft, edit it, and keep every save as a version.

Every save renders the body once through forum.services.markup (the only producer of body_html) and
appends an ArticleVersion with the whole text, so the history starts at version 1 and any two versions
can be compared (forum.writing.diffs). The content checks that guard posts (watched words, spam) run on
articles too; their holds do not apply, since every article waits for staff review before it is public.
Status changes live in forum.knowledge.lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from forum import uploads
from forum.core import clock
from forum.core.errors import ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Article, ArticleStatus, ArticleVersion, Case, Category, Thread, User
from forum.services import markup, policies
from forum.services.permissions import Action, require
from forum.services.posting import MAX_BODY_BYTES, check_title, normalize_tags, slugify, tags_by_name

MAX_NOTE_CHARS = 200


@dataclass(frozen=True)
class ArticleDraft:
    """What a new article starts from; source_* link it to the thread or case it was born from."""

    title: str
    body: str
    category_id: int | None
    tags: list[str] | str = field(default_factory=list)
    source_thread_id: int | None = None
    source_case_id: int | None = None


@dataclass(frozen=True)
class ArticleChange:
    """Fields an edit may set; None leaves a field as it is. note says what changed (shown in the history)."""

    title: str | None = None
    body: str | None = None
    tags: list[str] | str | None = None
    category_id: int | None = None
    note: str = ""


def article_path(article: Article, anchor: str = "") -> str:
    """The stable, site-relative address of an article with its slug (works without a request, so mail,
    feeds and notifications can use it); /kb/<id> alone redirects here, as does a stale slug."""
    return article.path + (f"#{anchor}" if anchor else "")


def visible_article(viewer: User | None, article_id: int) -> Article:
    """The article, or NotFound when it does not exist or the viewer may not see it (drafts look absent)."""
    article = db.session.get(Article, article_id) if isinstance(article_id, int) else None
    if article is None:
        raise NotFound(_("That article does not exist or is not visible to you."))
    require(viewer, Action.ARTICLE_VIEW, article)
    return article


def _check_body(errors: ErrorCollector, body: str) -> None:
    if not (body or "").strip():
        errors.add("body", _("Write the article first."))
    elif len(body.encode("utf-8")) > MAX_BODY_BYTES:
        errors.add("body", _("This is too long: articles can be at most %(kb)d KB.", kb=MAX_BODY_BYTES // 1024))


def _category(errors: ErrorCollector, category_id: object) -> Category | None:
    category = db.session.get(Category, category_id) if type(category_id) is int else None
    if category is None:
        errors.add("category_id", _("Choose a category."))
    return category


def _reviewed(errors: ErrorCollector, actor: User, title: str, body: str) -> policies.Review | None:
    """The registered content checks (watched words, spam): refusals join the errors, rewrites are kept."""
    try:
        return policies.review(policies.Draft(actor, "article", body, title))
    except Invalid as exc:
        for key, messages in exc.errors.items():
            for message in messages:
                errors.add(key, message)
        return None


def _source(errors: ErrorCollector, draft: ArticleDraft) -> None:
    if draft.source_thread_id is not None and db.session.get(Thread, draft.source_thread_id) is None:
        errors.add("source_thread_id", _("That thread does not exist."))
    if draft.source_case_id is not None and db.session.get(Case, draft.source_case_id) is None:
        errors.add("source_case_id", _("That case does not exist."))


def create_article(actor: User, draft: ArticleDraft) -> Article:
    """A new draft by actor (who must hold the article privilege), as version 1; commits."""
    require(actor, Action.ARTICLE_PROPOSE)
    errors = ErrorCollector()
    category = _category(errors, draft.category_id)
    check_title(errors, draft.title)
    _check_body(errors, draft.body)
    tags = normalize_tags(errors, draft.tags)
    _source(errors, draft)
    review = _reviewed(errors, actor, draft.title or "", draft.body or "")
    errors.raise_if_any()
    moment = clock.now()
    title = (review.title or draft.title).strip()
    article = Article(
        title=title, slug=slugify(title), body=review.body, body_html=markup.render_markdown(review.body),
        status=ArticleStatus.DRAFT.value, category_id=category.id, author_id=actor.id, owner_id=actor.id,
        source_thread_id=draft.source_thread_id, source_case_id=draft.source_case_id, version_count=1,
        created_at=moment, updated_at=moment,
    )
    article.tags = tags_by_name(tags)
    db.session.add(article)
    db.session.flush()
    db.session.add(_version(article, actor, 1, ""))
    uploads.link_article(article, actor)
    db.session.commit()
    return article


def _version(article: Article, editor: User, number: int, note: str) -> ArticleVersion:
    return ArticleVersion(article_id=article.id, number=number, title=article.title, body=article.body,
                          editor_id=editor.id, note=(note or "").strip()[:MAX_NOTE_CHARS], created_at=clock.now())


def _changed_values(errors: ErrorCollector, article: Article, change: ArticleChange) -> dict:
    """The validated new values of the fields the change sets and that differ from the article's."""
    values: dict = {}
    if change.title is not None and change.title.strip() != article.title:
        check_title(errors, change.title)
        values["title"] = change.title.strip()
    if change.body is not None and change.body != article.body:
        _check_body(errors, change.body)
        values["body"] = change.body
    if change.category_id is not None and change.category_id != article.category_id:
        category = _category(errors, change.category_id)
        values["category_id"] = category.id if category is not None else None
    if change.tags is not None:
        tags = normalize_tags(errors, change.tags)
        if sorted(tags) != sorted(tag.name for tag in article.tags):  # the same tags in another order: no change
            values["tags"] = tags
    return values


def edit_article(actor: User, article: Article, change: ArticleChange) -> Article:
    """Save a new version when anything changed (title, body, category or tags); commits.

    Saving nothing new stores nothing: the history holds only real changes.
    """
    require(actor, Action.ARTICLE_EDIT, article)
    errors = ErrorCollector()
    values = _changed_values(errors, article, change)
    review = None
    if "title" in values or "body" in values:
        review = _reviewed(errors, actor, values.get("title", article.title), values.get("body", article.body))
    errors.raise_if_any()
    if not values:
        return article
    if review is not None:
        values["title"], values["body"] = (review.title or values.get("title", article.title)), review.body
    _apply(article, values)
    article.version_count += 1
    article.updated_at = clock.now()
    db.session.add(_version(article, actor, article.version_count, change.note))
    uploads.link_article(article, actor)
    db.session.commit()
    return article


def _apply(article: Article, values: dict) -> None:
    if "title" in values:
        article.title, article.slug = values["title"].strip(), slugify(values["title"])
    if "body" in values:
        article.body, article.body_html = values["body"], markup.render_markdown(values["body"])
    if "category_id" in values:
        article.category_id = values["category_id"]
    if "tags" in values:
        article.tags = tags_by_name(values["tags"])


def versions(article: Article) -> list[ArticleVersion]:
    """Every saved version, newest first, with its editor loaded."""
    query = select(ArticleVersion).where(ArticleVersion.article_id == article.id)
    return list(db.session.scalars(query.order_by(ArticleVersion.number.desc())))


def version(article: Article, number: int) -> ArticleVersion:
    found = db.session.scalar(select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                                           ArticleVersion.number == number))
    if found is None:
        raise NotFound(_("That version of the article does not exist."))
    return found
