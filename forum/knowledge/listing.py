"""What the knowledge base's lists show: the index's pages of published articles, a category page's few,
and the count of articles waiting for review (staff's link).

Which articles a viewer may list stays defined once, in forum.knowledge.queries; this module pages them
(by cursor, newest change first, as the thread lists) and loads what the rows show in a fixed number of
statements, however many articles there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.knowledge import queries
from forum.models import Article, ArticleStatus, Category, User

ARTICLES_PER_PAGE = 20
CATEGORY_PAGE_ARTICLES = 5


@dataclass(frozen=True)
class CategoryArticles:
    """A category page's articles: the newest few, and how many the category holds in all."""

    articles: list[Article]
    total: int


def category_by_slug(slug: str | None) -> Category | None:
    """The category the index is filtered by, None when no filter is asked; NotFound for an unknown slug."""
    if not slug:
        return None
    category = None if "\x00" in slug else db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(_("No such category."))
    return category


def article_page(viewer: User | None, *, category_id: int | None = None, tag: str | None = None,
                 cursor: str | None = None, limit: int = ARTICLES_PER_PAGE) -> Page[Article]:
    """One page of the published articles (in a category, with a tag), newest change first, after cursor.

    Two statements: the articles with their category, then the tags of all of them.
    """
    statement = queries.with_tag(queries.in_category(queries.visible_articles(viewer), category_id), tag)
    after = decode_cursor(cursor, [datetime, int])
    if after:
        moment, last_id = after
        statement = statement.where(or_(Article.updated_at < moment,
                                        and_(Article.updated_at == moment, Article.id < last_id)))
    statement = statement.options(joinedload(Article.category), selectinload(Article.tags)).limit(limit + 1)
    rows = list(db.session.scalars(statement).unique())
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    return Page(rows, encode_cursor([rows[-1].updated_at, rows[-1].id]))


def category_articles(category_id: int, limit: int = CATEGORY_PAGE_ARTICLES) -> CategoryArticles:
    """A category's newest published articles and their total, in one statement (a window count), so the
    category page pays one statement for its list however many articles there are."""
    rows = db.session.execute(_category_articles_statement(limit), {"category_id": category_id}).all()
    return CategoryArticles([article for article, _total in rows], rows[0][1] if rows else 0)


@cache
def _category_articles_statement(limit: int) -> Select:
    """Built once (:category_id bound when run): on every category page, building it cost more than running it."""
    return (
        select(Article, func.count().over())
        .where(Article.status == ArticleStatus.PUBLISHED.value, Article.category_id == bindparam("category_id"))
        .order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(limit)
    )


def in_review_count() -> int:
    """How many articles wait for staff to review them."""
    return db.session.scalar(
        select(func.count()).select_from(Article).where(Article.status == ArticleStatus.IN_REVIEW.value)) or 0
