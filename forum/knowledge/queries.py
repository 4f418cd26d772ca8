"""Which articles a viewer may list, as query filters the pages, the API, feeds and category pages share.

Lists show published articles to everyone; a status filter widens them to what the viewer may see in
that status (drafts and articles in review: their author's own, or all for staff). Archived articles are
never listed except to staff asking for them by status: they stay reachable by link, with a notice.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from forum.models import Article, ArticleStatus, Tag, User, article_tag
from forum.services.permissions import is_staff, signed_in
from forum.tagging import lookups


def visible_articles(viewer: User | None, status: ArticleStatus | None = None) -> Select:
    """Articles in status (published when None) that the viewer may see, newest change first."""
    status = status or ArticleStatus.PUBLISHED
    query = select(Article).where(Article.status == status.value)
    if status is not ArticleStatus.PUBLISHED and not is_staff(viewer):
        if status is ArticleStatus.ARCHIVED or not signed_in(viewer):
            return query.where(Article.id.is_(None))  # nothing: archived lists are for staff only
        query = query.where(Article.author_id == viewer.id)
    return query.order_by(Article.updated_at.desc(), Article.id.desc())


def in_category(query: Select, category_id: int | None) -> Select:
    return query if category_id is None else query.where(Article.category_id == category_id)


def with_tag(query: Select, tag_name: str | None) -> Select:
    if not tag_name:
        return query
    tagged = select(article_tag.c.article_id).join(Tag, Tag.id == article_tag.c.tag_id).where(
        lookups.named(tag_name))  # a synonym finds its tag's articles, as thread lists do
    return query.where(Article.id.in_(tagged))
