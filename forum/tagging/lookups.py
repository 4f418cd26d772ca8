"""Reading tags: a name (or a synonym) to its canonical tag, follower and thread counts, the tag index.

A synonym is another name for one tag. Input (forum.services.posting) and search (search.service) map
synonyms to their tag, so "pwd" finds and files under "password"; the tag page of a synonym redirects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Article, ArticleStatus, Subscription, Tag, TagSynonym, Thread, User, article_tag
from forum.models.content import thread_tag
from forum.services.permissions import visible_threads

# What a tag may be called (stored lower-case): posting checks input with it, renames check the new name.
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9+#.-]{0,31}$")
MAX_LISTED = 500  # the tag index shows the most used tags; a forum with more is searched, not browsed


@dataclass(frozen=True)
class TagRow:
    """One line of the tag index or the admin list."""

    tag: Tag
    threads: int
    followers: int
    synonyms: list[str]


def clean(name: str | None) -> str:
    """The form tags are stored in: trimmed and lower-cased."""
    return (name or "").strip().lower()


def canonical_names(names: list[str]) -> dict[str, str]:
    """Each of names that is a synonym → its tag's name (one query; names not synonyms are left out)."""
    wanted = sorted({clean(name) for name in names if clean(name)})
    if not wanted:
        return {}
    rows = db.session.execute(
        select(TagSynonym.name, Tag.name).join(Tag, TagSynonym.tag_id == Tag.id).where(TagSynonym.name.in_(wanted))
    )
    return dict(rows.all())


def named(name: str | None) -> ColumnElement[bool]:
    """Tags called name, or that name is a synonym of: the SQL form of canonical_names, for queries."""
    cleaned = clean(name)
    return or_(Tag.name == cleaned, Tag.id.in_(select(TagSynonym.tag_id).where(TagSynonym.name == cleaned)))


def canonical_name(name: str) -> str:
    """The tag a name stands for: the synonym's tag, or the name itself (cleaned)."""
    cleaned = clean(name)
    return canonical_names([cleaned]).get(cleaned, cleaned)


def find_tag(name: str) -> tuple[Tag, bool]:
    """The tag named name, or the tag it is a synonym of (second value True); NotFound otherwise."""
    cleaned = clean(name)
    tag = db.session.scalar(select(Tag).where(Tag.name == cleaned))
    if tag is not None:
        return tag, False
    tag = db.session.scalar(select(Tag).join(TagSynonym, TagSynonym.tag_id == Tag.id).where(TagSynonym.name == cleaned))
    if tag is None:
        raise NotFound(_("No thread uses that tag yet."))
    return tag, True


def get_tag_by_id(tag_id: int) -> Tag:
    tag = db.session.get(Tag, tag_id)
    if tag is None:
        raise NotFound(_("That tag does not exist (it may have been merged into another)."))
    return tag


def synonyms_of(tag: Tag) -> list[TagSynonym]:
    return list(db.session.scalars(select(TagSynonym).where(TagSynonym.tag_id == tag.id).order_by(TagSynonym.name)))


def follower_count(tag: Tag) -> int:
    """Members following the tag: subscriptions that are not muted (unfollowing mutes)."""
    return db.session.scalar(
        select(func.count()).select_from(Subscription).where(Subscription.tag_id == tag.id,
                                                             Subscription.muted.is_(False))
    ) or 0


def thread_ids_of(tag: Tag) -> list[int]:
    """Every thread carrying the tag, whoever may see it (renames and merges touch them all)."""
    return list(db.session.scalars(select(thread_tag.c.thread_id).where(thread_tag.c.tag_id == tag.id)))


def published_article_ids_of(tag: Tag) -> list[int]:
    """The published knowledge-base articles carrying the tag (their search documents name it)."""
    return list(db.session.scalars(
        select(article_tag.c.article_id).join(Article, Article.id == article_tag.c.article_id)
        .where(article_tag.c.tag_id == tag.id, Article.status == ArticleStatus.PUBLISHED.value)))


def tag_rows(viewer: User | None, *, prefix: str = "", include_unused: bool = False) -> list[TagRow]:
    """Tags with the number of threads the viewer may see, followers and synonyms, most used first.

    A handful of statements whatever the number of tags: the counts and synonyms are grouped queries.
    """
    visible = visible_threads(viewer).with_only_columns(Thread.id).subquery()
    threads = (select(thread_tag.c.tag_id, func.count().label("n"))
               .join(visible, visible.c.id == thread_tag.c.thread_id).group_by(thread_tag.c.tag_id).subquery())
    count = func.coalesce(threads.c.n, 0)
    statement = select(Tag, count).outerjoin(threads, threads.c.tag_id == Tag.id)
    if prefix:
        statement = statement.where(Tag.name.startswith(clean(prefix), autoescape=True))
    if not include_unused:
        statement = statement.where(count > 0)
    listed = db.session.execute(statement.order_by(count.desc(), Tag.name).limit(MAX_LISTED)).all()
    ids = [tag.id for tag, _ in listed]
    followers = dict(db.session.execute(
        select(Subscription.tag_id, func.count()).where(Subscription.tag_id.in_(ids), Subscription.muted.is_(False))
        .group_by(Subscription.tag_id)
    ).all()) if ids else {}
    synonyms: dict[int, list[str]] = {}
    for tag_id, name in db.session.execute(
        select(TagSynonym.tag_id, TagSynonym.name).where(TagSynonym.tag_id.in_(ids)).order_by(TagSynonym.name)
    ) if ids else ():
        synonyms.setdefault(tag_id, []).append(name)
    return [TagRow(tag, n, followers.get(tag.id, 0), synonyms.get(tag.id, [])) for tag, n in listed]
