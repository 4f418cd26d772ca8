"""The staff page's numbers: articles waiting for review, articles due for review, every published article
with its helpfulness, views, deflections, linking threads and staleness, and the latest feedback comments.

Helpfulness ranks by the lower bound of the 95% Wilson score interval of the "did this help?" answers, not
by the plain share of yes: 1 yes of 1 answer (100%) ranks below 12 of 15 (80%), because one answer says
little, and an article nobody answered has no helpfulness (listed after the others whichever the order).
The bound is computed in SQL (sqrt: PostgreSQL's, and on SQLite the one forum.core.database registers on
every connection), so the table sorts and pages in one query, with the linking threads counted by a correlated subquery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.knowledge import links, reviews
from forum.models import Article, ArticleFeedback, ArticleStatus, User
from forum.services.permissions import Action, require

Z = 1.96  # 95% confidence
PER_PAGE = 25
MAX_PAGE = 10_000
WAITING_LIMIT = 100
COMMENTS_LIMIT = 20
CHART_ARTICLES = 8
SORTS = ("helpfulness", "views", "deflections", "links", "staleness")
DEFAULT_SORT = "helpfulness"


def wilson_lower_bound(helpful: int, not_helpful: int) -> float | None:
    """The lower bound of the 95% Wilson interval of the helpful share; None without answers."""
    n = helpful + not_helpful
    if n == 0:
        return None
    share = helpful / n
    centre = share + Z * Z / (2 * n)
    spread = Z * math.sqrt((share * (1 - share) + Z * Z / (4 * n)) / n)
    return (centre - spread) / (1 + Z * Z / n)


def _wilson_sql():
    """wilson_lower_bound in SQL: NULL when nobody answered (nullif guards the division)."""
    n = cast(func.nullif(Article.helpful_count + Article.not_helpful_count, 0), Float)
    share = cast(Article.helpful_count, Float) / n
    spread = Z * func.sqrt((share * (1 - share) + Z * Z / (4 * n)) / n)
    return (share + Z * Z / (2 * n) - spread) / (1 + Z * Z / n)


@dataclass(frozen=True)
class ArticleRow:
    """One published article in the staff table."""

    article: Article
    score: float | None
    link_count: int
    last_reviewed: datetime | None

    @property
    def answers(self) -> int:
        return self.article.helpful_count + self.article.not_helpful_count

    @property
    def helpful_percent(self) -> int | None:
        return round(100 * self.article.helpful_count / self.answers) if self.answers else None

    @property
    def days_since_review(self) -> int | None:
        return (clock.now() - self.last_reviewed).days if self.last_reviewed else None


@dataclass(frozen=True)
class Table:
    rows: list[ArticleRow]
    sort: str
    descending: bool
    page: int
    has_next: bool


def _order(sort: str, descending: bool, score, link_count):
    """The ORDER BY of a sort; staleness "descending" means the longest unreviewed first."""
    if sort == "staleness":
        key = reviews.last_reviewed()
        return [(key.asc() if descending else key.desc()).nulls_last(), Article.id]
    key = {"helpfulness": score, "views": Article.view_count, "deflections": Article.deflection_count,
           "links": link_count}[sort]
    return [(key.desc() if descending else key.asc()).nulls_last(), Article.id]


def _page_number(page: object) -> int:
    number = int(page) if isinstance(page, str) and page.isdecimal() and len(page) < 6 else page or 1
    if type(number) is not int or not 1 <= number <= MAX_PAGE:
        raise Invalid({"page": [_("This page does not exist; start from the first page.")]})
    return number


def published_table(viewer: User | None, sort: str = DEFAULT_SORT, descending: bool = True,
                    page: object = 1) -> Table:
    """One page of published articles in the chosen order, in one query (owner loaded, links counted)."""
    require(viewer, Action.ARTICLE_MANAGE)
    sort = sort if sort in SORTS else DEFAULT_SORT
    number = _page_number(page)
    score = _wilson_sql().label("score")
    link_count = links.linking_threads_count().label("link_count")
    query = (select(Article, score, link_count, reviews.last_reviewed().label("last_reviewed"))
             .where(Article.status == ArticleStatus.PUBLISHED.value)
             .options(joinedload(Article.owner))
             .order_by(*_order(sort, descending, score, link_count))
             .offset((number - 1) * PER_PAGE).limit(PER_PAGE + 1))
    found = [ArticleRow(article, score, count or 0, reviewed)
             for article, score, count, reviewed in db.session.execute(query)]
    return Table(found[:PER_PAGE], sort, descending, number, len(found) > PER_PAGE)


def waiting_for_review(viewer: User | None) -> list[Article]:
    """Articles in review, the longest waiting first, with their authors."""
    require(viewer, Action.ARTICLE_MANAGE)
    query = (select(Article).where(Article.status == ArticleStatus.IN_REVIEW.value)
             .options(joinedload(Article.author)).order_by(Article.updated_at, Article.id).limit(WAITING_LIMIT))
    return list(db.session.scalars(query))


def needs_review(viewer: User | None) -> list[Article]:
    require(viewer, Action.ARTICLE_MANAGE)
    return reviews.due_for_review(limit=WAITING_LIMIT)


@dataclass(frozen=True)
class Comment:
    feedback: ArticleFeedback
    article_id: int
    article_title: str
    article_slug: str


def recent_comments(viewer: User | None) -> list[Comment]:
    """The latest feedback comments (staff only: members wrote them for the people who keep articles)."""
    require(viewer, Action.ARTICLE_MANAGE)
    query = (select(ArticleFeedback, Article.id, Article.title, Article.slug)
             .join(Article, Article.id == ArticleFeedback.article_id)
             .where(ArticleFeedback.comment != "")
             .options(joinedload(ArticleFeedback.user))
             .order_by(ArticleFeedback.updated_at.desc(), ArticleFeedback.id.desc()).limit(COMMENTS_LIMIT))
    return [Comment(*row) for row in db.session.execute(query)]


def most_answered(viewer: User | None) -> list[Article]:
    """The published articles with the most answers, for the helpful / not helpful chart."""
    require(viewer, Action.ARTICLE_MANAGE)
    answers = Article.helpful_count + Article.not_helpful_count
    query = (select(Article).where(Article.status == ArticleStatus.PUBLISHED.value, answers > 0)
             .order_by(answers.desc(), Article.id).limit(CHART_ARTICLES))
    return list(db.session.scalars(query))
