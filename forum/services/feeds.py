"""Atom feeds: latest questions, per category, per tag, newly solved, and the knowledge base's published
articles (all, or per category) — what a signed-out reader may see.

Feeds are read by feed readers without a session, so they always show the anonymous view
(never a moderator's hidden posts, even when a moderator's browser fetches them). Each entry
carries the question's sanitized HTML (rendered at write time) and the accepted answer, if any,
loaded for the whole feed in two queries. An article entry carries the article's stored sanitized HTML;
drafts, articles in review and archived ones never appear (archived ones stay reachable by link only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum.core.extensions import db
from forum.knowledge import queries as article_queries
from forum.models import Article, Category, Post, Tag, Thread, ThreadKind, Visibility
from forum.services.permissions import visible_threads

ENTRIES = 30


@dataclass(frozen=True)
class Entry:
    thread: Thread
    question: Post | None
    answer: Post | None


@dataclass(frozen=True)
class Feed:
    title: str
    subtitle: str
    path: str  # the feed's own address, relative to the site
    page_path: str  # the page it mirrors
    updated: datetime | None
    entries: list[Entry]


def _entries(statement) -> list[Entry]:
    threads = list(db.session.scalars(
        statement.options(joinedload(Thread.author), joinedload(Thread.category), selectinload(Thread.tags))
        .limit(ENTRIES)
    ).unique())
    ids = [thread.id for thread in threads]
    accepted = [thread.accepted_post_id for thread in threads if thread.accepted_post_id]
    posts = db.session.scalars(
        select(Post).options(joinedload(Post.author)).where(
            Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value,
            (Post.thread_id.in_(ids) & Post.is_question.is_(True)) | Post.id.in_(accepted),
        )
    ) if ids else []
    questions, answers = {}, {}
    for post in posts:
        (questions if post.is_question else answers)[post.thread_id] = post
    return [Entry(thread, questions.get(thread.id), answers.get(thread.id)) for thread in threads]


def _feed(title: str, subtitle: str, path: str, page_path: str, statement, updated_column) -> Feed:
    entries = _entries(statement.order_by(updated_column.desc(), Thread.id.desc()))
    updated = max((getattr(entry.thread, updated_column.key) for entry in entries), default=None)
    return Feed(title, subtitle, path, page_path, updated, entries)


def latest_feed() -> Feed:
    return _feed("Latest questions", "New questions from the community.", "/feeds/latest.atom", "/",
                 visible_threads(None), Thread.created_at)


def solved_feed() -> Feed:
    """Questions as they get solved (by a peer or by support): the answers the next customer needs."""
    statement = visible_threads(None).where(Thread.kind == ThreadKind.QUESTION.value,
                                            Thread.accepted_post_id.is_not(None), Thread.solved_at.is_not(None))
    return _feed("Solved questions", "Questions with an accepted answer, newest solution first.",
                 "/feeds/solved.atom", "/", statement, Thread.solved_at)


def category_feed(category: Category) -> Feed:
    statement = visible_threads(None).where(Thread.category_id == category.id)
    return _feed(category.name, category.description or f"Latest questions in {category.name}.",
                 f"/c/{category.slug}/feed.atom", f"/c/{category.slug}", statement, Thread.created_at)


def tag_feed(tag: Tag) -> Feed:
    statement = visible_threads(None).where(Thread.tags.any(Tag.id == tag.id))
    return _feed(f"Tagged {tag.name}", f"Latest questions tagged {tag.name}.", f"/tags/{tag.name}/feed.atom",
                 f"/tags/{tag.name}", statement, Thread.created_at)


@dataclass(frozen=True)
class ArticleFeed:
    """A feed of published articles; each entry links to article_path(article)."""

    title: str
    subtitle: str
    path: str
    page_path: str
    updated: datetime | None
    articles: list[Article]


def _published_articles(category: Category | None) -> list[Article]:
    """The newest published articles (by publication), as anyone may list them: never drafts or archived."""
    statement = article_queries.in_category(article_queries.visible_articles(None), category and category.id)
    statement = statement.order_by(None).order_by(Article.published_at.desc(), Article.id.desc())
    return list(db.session.scalars(
        statement.options(joinedload(Article.author), joinedload(Article.category), selectinload(Article.tags))
        .limit(ENTRIES)
    ).unique())


def entry_updated(article: Article) -> datetime:
    """An entry's <updated>: its last save or its publication, whichever came later."""
    return max(moment for moment in (article.updated_at, article.published_at) if moment is not None)


def articles_feed(category: Category | None = None) -> ArticleFeed:
    """The knowledge base's published articles, newest publication first (in one category when given)."""
    articles = _published_articles(category)
    updated = max((entry_updated(article) for article in articles), default=None)
    if category is None:
        return ArticleFeed("Knowledge base", "Articles the community and support wrote from solved questions.",
                           "/feeds/articles.atom", "/kb", updated, articles)
    return ArticleFeed(f"Articles in {category.name}", f"Knowledge-base articles in {category.name}.",
                       f"/c/{category.slug}/articles.atom", f"/c/{category.slug}", updated, articles)

