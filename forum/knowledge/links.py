"""Threads that link to an article: found in the sanitized HTML of public posts, counted on the staff page.

A post links to an article when its body_html has an <a href> to /kb/<id> (any slug, anchor or query
after it), relative or absolute on the site's base URL. Text inside <code> or <pre> is not a link, even
where it looks like one. Only public, live posts in public, live threads count; a link found stays
recorded (ArticleLink is a fact about the past), and the staff page counts only threads still public.

The periodic job (knowledge.find_links) looks at posts created or edited since its last finished run
(read from the job outbox) less one interval, and never less than the last two intervals, so a late or
failed run is caught up by the next one; inserts ignore pairs already recorded, so rescanning is
harmless. When no finished run is on record (a new install, or the worker was down past the outbox's
week of history) it looks at every post, as backfill() does, in batches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from html.parser import HTMLParser

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from forum.core import clock
from forum.core.extensions import db
from forum.mail.sending import absolute_url
from forum.models import Article, ArticleLink, Job, JobStatus, Post, Thread, Visibility

FIND_JOB = "knowledge.find_links"
INTERVAL_S = 15 * 60
BATCH = 500
MARKER = "/kb/"  # every post that links to an article has it in its HTML: a cheap filter before parsing
ARTICLE_PATH = re.compile(r"/kb/(\d{1,10})(?:[/?#].*)?", re.DOTALL)
NOT_LINKS = frozenset({"code", "pre"})
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def every_s() -> float:
    """How often the job runs (hooks.register_job's every_s)."""
    return INTERVAL_S


class _Anchors(HTMLParser):
    """The href of every <a> outside <code> and <pre>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self._inside_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_LINKS:
            self._inside_code += 1
        elif tag == "a" and not self._inside_code:
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_LINKS and self._inside_code:
            self._inside_code -= 1


def _article_id(href: str, site: str) -> int | None:
    """The article an href points at, on this site (relative, or absolute on the base URL), or None."""
    href = href.strip()
    if href.lower().startswith(site.lower()):
        href = href[len(site):]
    match = ARTICLE_PATH.fullmatch(href)
    return int(match.group(1)) if match else None


def linked_article_ids(body_html: str, site: str | None = None) -> set[int]:
    """Ids of the articles a post's sanitized HTML links to."""
    if MARKER not in (body_html or ""):
        return set()
    site = site if site is not None else absolute_url("")
    parser = _Anchors()
    parser.feed(body_html)
    parser.close()
    found = {_article_id(href, site) for href in parser.hrefs}
    return {article_id for article_id in found if article_id is not None}


def _public_posts() -> Select:
    """Public, live posts in public, live threads whose HTML may link to an article."""
    return (
        select(Post.id, Post.thread_id, Post.body_html)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value,
               Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLIC.value,
               Post.body_html.contains(MARKER))
    )


def _scan_since(now: datetime) -> datetime | None:
    """Where this run starts looking; None: at every post (no finished run on record)."""
    last_run = db.session.scalar(select(func.max(Job.run_at)).where(
        Job.name == FIND_JOB, Job.status == JobStatus.DONE.value))
    if last_run is None:
        return None
    interval = timedelta(seconds=INTERVAL_S)
    return min(now - 2 * interval, last_run - interval)


def _record(pairs: Iterable[tuple[int, int]]) -> int:
    """Insert the (article, thread) pairs not recorded yet, for articles that exist; how many were new."""
    pairs = set(pairs)
    if not pairs:
        return 0
    existing = set(db.session.scalars(select(Article.id).where(Article.id.in_({a for a, _ in pairs}))))
    rows = [{"article_id": a, "thread_id": t, "first_seen_at": clock.now()} for a, t in sorted(pairs) if a in existing]
    if not rows:
        return 0
    table = ArticleLink.__table__
    statement = _INSERTS[db.session.get_bind().dialect.name](table).values(rows).on_conflict_do_nothing(
        index_elements=[table.c.article_id, table.c.thread_id]).returning(table.c.article_id)
    return len(db.session.execute(statement).all())  # RETURNING: rowcount is not reliable for multi-row inserts


def _record_in_batches(query: Select) -> int:
    """Walk the posts of query in id order, BATCH at a time, committing after each batch."""
    site, found, after_id = absolute_url(""), 0, 0
    while True:
        rows = db.session.execute(query.where(Post.id > after_id).order_by(Post.id).limit(BATCH)).all()
        if not rows:
            return found
        found += _record((article_id, row.thread_id) for row in rows
                         for article_id in linked_article_ids(row.body_html, site))
        db.session.commit()
        after_id = rows[-1].id


def find_links(_payload: dict | None = None) -> int:
    """The periodic job: record links in posts created or edited since the last run; how many were new."""
    query = _public_posts()
    since = _scan_since(clock.now())
    if since is not None:
        query = query.where(or_(Post.created_at >= since, Post.edited_at >= since))
    return _record_in_batches(query)


def backfill() -> int:
    """Record the links in every public post (for a community that had posts before the knowledge base)."""
    return _record_in_batches(_public_posts())


def link_counts(article_ids: Iterable[int]) -> dict[int, int]:
    """How many still-public threads link to each article (0 when none)."""
    ids = list(article_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(
            select(ArticleLink.article_id, func.count()).select_from(ArticleLink)
            .join(Thread, Thread.id == ArticleLink.thread_id)
            .where(ArticleLink.article_id.in_(ids), Thread.deleted_at.is_(None),
                   Thread.visibility == Visibility.PUBLIC.value)
            .group_by(ArticleLink.article_id)).all())
    return counts


def linking_threads_count():
    """A correlated scalar subquery: still-public threads linking to Article (for one-query tables)."""
    return (select(func.count()).select_from(ArticleLink).join(Thread, Thread.id == ArticleLink.thread_id)
            .where(ArticleLink.article_id == Article.id, Thread.deleted_at.is_(None),
                   Thread.visibility == Visibility.PUBLIC.value)
            .correlate(Article).scalar_subquery())
