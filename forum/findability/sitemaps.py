"""Sitemaps (sitemaps.org 0.9): the public threads, articles and categories a crawler is told about, and their XML.

What is listed is what a signed-out visitor may read, decided by the filters the pages use:
permissions.visible_threads(None) (public and not deleted; a merged thread is deleted, and is left out by
name too), knowledge.queries.visible_articles(None) (published only: drafts, articles in review and archived
ones are not listed), and every category (categories have no audience of their own).

Each kind is cut into files by id range, not by position: file n holds the ids from (n - 1) * N + 1 to n * N
(N = URLS_PER_SITEMAP). So a file is one range scan of the primary key (no OFFSET, no counting the rows
before it), no file can pass N addresses, and an address never moves to another file (crawlers see few
files change). The index is one grouped query per kind: the ranges that hold something public, each with
its newest change as lastmod; a range with nothing public is left out (and its file answers 404).

Addresses are the HTTP layer's (forum.findability.pages): rows here carry what names a page (id, slug).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from html import escape  # XML-safe: &, <, > and both quotes become entities
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, case, func, select

from forum.core.extensions import db
from forum.knowledge.queries import visible_articles
from forum.models import Article, Category, Thread
from forum.services.permissions import visible_threads

URLS_PER_SITEMAP = 50_000  # the protocol's limit per file; tests set it small to see several files
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
KINDS = ("threads", "articles", "categories")


class Entry(NamedTuple):
    """One address of a sitemap: what names the page (its id and slug) and when it last changed."""

    id: int
    slug: str
    lastmod: datetime | None


class Part(NamedTuple):
    """One file of the index: its kind, its number (1 is the first id range) and its newest change."""

    kind: str
    number: int
    lastmod: datetime | None


def _public_threads() -> Select:
    return visible_threads(None).where(Thread.merged_into_id.is_(None)).with_only_columns(
        Thread.id, Thread.slug, Thread.last_activity_at)


# An article changes when it is saved or published, whichever came last (as its feed entry's <updated>).
_ARTICLE_CHANGED = case((Article.published_at > Article.updated_at, Article.published_at), else_=Article.updated_at)


def _published_articles() -> Select:
    return visible_articles(None).order_by(None).with_only_columns(Article.id, Article.slug, _ARTICLE_CHANGED)


def _category_activity():
    """Each category's newest activity among its public threads (a category page changes with its list)."""
    return (visible_threads(None).with_only_columns(Thread.category_id, func.max(Thread.last_activity_at)
                                                    .label("lastmod")).group_by(Thread.category_id).subquery())


def _categories() -> Select:
    activity = _category_activity()
    return select(Category.id, Category.slug, activity.c.lastmod).outerjoin(
        activity, activity.c.category_id == Category.id)


# Each kind's public rows as (id, slug, lastmod): the files select a range of the first column, the index
# groups the third.
SOURCES: dict[str, Callable[[], Select]] = {
    "threads": _public_threads,
    "articles": _published_articles,
    "categories": _categories,
}


def _bounds(number: int) -> tuple[int, int]:
    """The ids file number holds (the first file is number 1)."""
    return (number - 1) * URLS_PER_SITEMAP + 1, number * URLS_PER_SITEMAP


def entries(kind: str, number: int) -> list[Entry]:
    """The public pages of one file, by id: one indexed range query."""
    statement = SOURCES[kind]()
    id_column = statement.selected_columns[0]
    low, high = _bounds(number)
    rows = db.session.execute(statement.where(id_column.between(low, high)).order_by(id_column))
    return [Entry(*row) for row in rows]


def parts_of(kind: str) -> list[Part]:
    """The files of one kind that hold something public, each with its newest change: one grouped query."""
    statement = SOURCES[kind]()
    id_column, _slug, lastmod = statement.selected_columns
    bucket = _bucket(id_column)
    grouped = statement.with_only_columns(bucket, func.max(lastmod)).group_by(bucket).order_by(bucket)
    return [Part(kind, int(number) + 1, changed) for number, changed in db.session.execute(grouped)]


def _bucket(id_column: ColumnElement) -> ColumnElement:
    """Which file an id falls in, counting from 0 (integer division on both databases)."""
    return ((id_column - 1) // URLS_PER_SITEMAP).label("bucket")


def parts() -> list[Part]:
    """Every file of the index, threads first."""
    return [part for kind in KINDS for part in parts_of(kind)]


def _w3c(moment: datetime | None) -> str:
    return f"<lastmod>{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</lastmod>" if moment is not None else ""


def urlset(locations: Iterable[tuple[str, datetime | None]]) -> str:
    """A sitemap: each absolute address with its lastmod."""
    rows = "".join(f"<url><loc>{escape(loc)}</loc>{_w3c(lastmod)}</url>\n" for loc, lastmod in locations)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n{rows}</urlset>\n'


def sitemap_index(locations: Iterable[tuple[str, datetime | None]]) -> str:
    """The sitemap index: each file's absolute address with its lastmod."""
    rows = "".join(f"<sitemap><loc>{escape(loc)}</loc>{_w3c(lastmod)}</sitemap>\n" for loc, lastmod in locations)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n{rows}</sitemapindex>\n'
