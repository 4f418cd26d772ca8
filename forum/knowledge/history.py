"""An article's history: who may read it, its saved versions, and what changed between any two of them.

Who: the article's author and staff (those who write and review articles), whatever its status, and
nobody else: to everyone else the history looks absent (NotFound), as a post's edit history does
(Action.POST_HISTORY: the author and moderators). Published articles are not a wiki's public history:
a draft born from a case may hold personal data the reviewer removed before publishing, and an edit
after publishing may remove some the guard missed; a public history would keep showing it. Readers
see the article as it is now and its dates. A draft's history is as private as the draft itself.

The comparison's text diffs come from forum.writing.diffs (bounded in cost, never HTML).
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.core.errors import NotFound
from forum.core.i18n import N_, _
from forum.knowledge import articles
from forum.models import Article, ArticleVersion, User
from forum.services.permissions import Action, can, signed_in
from forum.writing import diffs

NO_HISTORY = N_("That article's history does not exist or is not visible to you.")


@dataclass(frozen=True)
class Comparison:
    """Two versions of one article and what changed from the older (from) to the newer (to)."""

    article: Article
    older: ArticleVersion
    newer: ArticleVersion
    title: diffs.Diff
    body: diffs.Diff


def may_see(viewer: User | None, article: Article | None) -> bool:
    """The author and staff, on an article they may see (the pages show the history link only to them)."""
    if article is None or not can(viewer, Action.ARTICLE_VIEW, article):
        return False
    return can(viewer, Action.ARTICLE_MANAGE) or (signed_in(viewer) and viewer.id == article.author_id)


def _article(viewer: User | None, article_id: int) -> Article:
    article = articles.visible_article(viewer, article_id)
    if not may_see(viewer, article):
        raise NotFound(_(NO_HISTORY))
    return article


def history_of(viewer: User | None, article_id: int) -> tuple[Article, list[ArticleVersion]]:
    """The article and its versions, newest first; NotFound for those who may not see its history."""
    article = _article(viewer, article_id)
    return article, articles.versions(article)


def compare(viewer: User | None, article_id: int, older: int | None = None, newer: int | None = None) -> Comparison:
    """What changed from version older to version newer (any two, in either order).

    Without numbers: the latest version against the one before it (version 1 against itself when it
    is the only one). NotFound for a version the article does not have.
    """
    article = _article(viewer, article_id)
    newer_number = newer if newer is not None else article.version_count
    older_number = older if older is not None else max(1, newer_number - 1)
    before, after = articles.version(article, older_number), articles.version(article, newer_number)
    return Comparison(article, before, after, title=diffs.diff(before.title, after.title),
                      body=diffs.diff(before.body, after.body))
