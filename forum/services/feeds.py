"""Atom feeds: latest questions, per category, per tag, newly solved, the knowledge base's published
articles (all, or per category), and the ideas board's new ideas and status changes — what a signed-out
reader may see.

Feeds are read by feed readers without a session, so they always show the anonymous view
(never a moderator's hidden posts, even when a moderator's browser fetches them). Each entry
carries the question's sanitized HTML (rendered at write time) and the accepted answer, if any,
loaded for the whole feed in two queries. An article entry carries the article's stored sanitized HTML;
drafts, articles in review and archived ones never appear (archived ones stay reachable by link only).
Ideas have their own feeds (ideas_feed, roadmap_feed), so the latest and tag feeds leave them out, as the
thread lists do; a status-change entry carries staff's public note, which is what its readers wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum.core.extensions import db
from forum.core.i18n import _
from forum.knowledge import queries as article_queries
from forum.models import (
    IDEA_KIND,
    Article,
    Category,
    CategoryKind,
    IdeaStatusChange,
    Post,
    Tag,
    Thread,
    ThreadKind,
    Visibility,
)
from forum.models.ideas import STATUS_WORDS as IDEA_STATUS_WORDS
from forum.services.permissions import visible_threads
from forum.services.reading import NOT_AN_IDEA

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
                 visible_threads(None).where(NOT_AN_IDEA), Thread.created_at)


def solved_feed() -> Feed:
    """Questions as they get solved (by a peer or by support): the answers the next customer needs."""
    statement = visible_threads(None).where(Thread.kind == ThreadKind.QUESTION.value,
                                            Thread.accepted_post_id.is_not(None), Thread.solved_at.is_not(None))
    return _feed("Solved questions", "Questions with an accepted answer, newest solution first.",
                 "/feeds/solved.atom", "/", statement, Thread.solved_at)


def category_feed(category: Category) -> Feed:
    """The category's newest threads; an ideas category's are its ideas, mirroring its part of the board."""
    statement = visible_threads(None).where(Thread.category_id == category.id)
    page_path = f"/c/{category.slug}"
    if category.kind == CategoryKind.IDEAS.value:
        page_path = f"/ideas?category={category.slug}"
    return _feed(category.name, category.description or f"Latest questions in {category.name}.",
                 f"/c/{category.slug}/feed.atom", page_path, statement, Thread.created_at)


def tag_feed(tag: Tag) -> Feed:
    statement = visible_threads(None).where(Thread.tags.any(Tag.id == tag.id), NOT_AN_IDEA)
    return _feed(f"Tagged {tag.name}", f"Latest questions tagged {tag.name}.", f"/tags/{tag.name}/feed.atom",
                 f"/tags/{tag.name}", statement, Thread.created_at)


def ideas_feed() -> Feed:
    """The newest ideas, whatever their status (a duplicate too: its page says where the votes went)."""
    return _feed(_("Ideas"), _("New ideas from the community."), "/feeds/ideas.atom", "/ideas",
                 visible_threads(None).where(Thread.kind == IDEA_KIND), Thread.created_at)




@dataclass(frozen=True)
class StatusEntry:
    """One status change of a public idea: the idea (its thread, with author and category) and the change."""

    thread: Thread
    change: IdeaStatusChange

    @property
    def status(self) -> str:
        return _(IDEA_STATUS_WORDS.get(self.change.to_status, self.change.to_status))


@dataclass(frozen=True)
class RoadmapFeed:
    title: str
    subtitle: str
    path: str
    page_path: str
    updated: datetime | None
    changes: list[StatusEntry]


def roadmap_feed() -> RoadmapFeed:
    """The latest status changes of public ideas, newest first, each with staff's note: one statement."""
    rows = db.session.execute(
        visible_threads(None).where(Thread.kind == IDEA_KIND)
        .join(IdeaStatusChange, IdeaStatusChange.idea_id == Thread.id).add_columns(IdeaStatusChange)
        .options(joinedload(Thread.author), joinedload(Thread.category), joinedload(IdeaStatusChange.actor))
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc()).limit(ENTRIES)
    ).all()
    changes = [StatusEntry(thread, change) for thread, change in rows]
    updated = max((entry.change.created_at for entry in changes), default=None)
    return RoadmapFeed(_("Roadmap"), _("What happens to the community's ideas: each status change with its note."),
                       "/feeds/roadmap.atom", "/roadmap", updated, changes)


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

