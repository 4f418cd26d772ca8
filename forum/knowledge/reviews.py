"""Keeping published articles current: the "needs review" list, the owner's reminder, and "still correct".

An article is due when its last review (publishing counts as one: reviewed_at, else published_at) is older
than knowledge.review_interval_days. The periodic job (knowledge.remind_reviews) tells each owner once per
interval: review_reminded_at records the reminder, and the next comes only an interval later if the
article is still due. Articles without an owner get no reminder; staff see them on the "Needs review" list
with the rest. Marking an article reviewed (its owner, or staff) restarts its interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.core.i18n import _, lazy_ngettext
from forum.knowledge import lifecycle
from forum.models import Article, ArticleStatus, User
from forum.services import community_settings
from forum.services.permissions import Action, can, is_active, require

REMIND_JOB = "knowledge.remind_reviews"
INTERVAL_S = 6 * 3600  # how often the job looks; reminders themselves come once per review interval
BATCH = 200


def every_s() -> float:
    """How often the job runs (hooks.register_job's every_s)."""
    return INTERVAL_S


def review_interval() -> timedelta:
    return timedelta(days=community_settings.cached_setting("knowledge.review_interval_days"))


def last_reviewed():
    """The moment an article was last confirmed current, as SQL: reviewed_at, else published_at."""
    return func.coalesce(Article.reviewed_at, Article.published_at)


def last_reviewed_at(article: Article) -> datetime | None:
    return article.reviewed_at or article.published_at


def due_query(now: datetime | None = None) -> Select:
    """Published articles past their review interval, the longest unreviewed first."""
    cutoff = (now or clock.now()) - review_interval()
    return (select(Article).where(Article.status == ArticleStatus.PUBLISHED.value, last_reviewed() <= cutoff)
            .order_by(last_reviewed(), Article.id))


def due_for_review(limit: int | None = None) -> list[Article]:
    """The "needs review" list, with each article's owner loaded (the staff page names them)."""
    query = due_query().options(joinedload(Article.owner))
    return list(db.session.scalars(query.limit(limit) if limit else query))


def _reminder(article: Article, now: datetime) -> str:
    """The owner's reminder, as a lazy string: lifecycle.tell puts it in the owner's language."""
    days = (now - last_reviewed_at(article)).days
    return lazy_ngettext("“%(title)s” was last reviewed %(num)d day ago. Please check it is still correct, then "
                         "mark it reviewed (or edit it).",
                         "“%(title)s” was last reviewed %(num)d days ago. Please check it is still correct, then "
                         "mark it reviewed (or edit it).", days, title=article.title)


def remind_reviews(_payload: dict | None = None) -> int:
    """The periodic job: tell each owner of a due article, at most once per interval; how many were told."""
    now = clock.now()
    cutoff = now - review_interval()
    query = due_query(now).where(
        Article.owner_id.is_not(None),
        or_(Article.review_reminded_at.is_(None), Article.review_reminded_at <= cutoff),
    ).limit(BATCH)
    told = 0
    while articles := list(db.session.scalars(query)):
        for article in articles:
            lifecycle.tell(article.owner_id, article, _reminder(article, now))
            article.review_reminded_at = now
        db.session.commit()
        told += len(articles)
    return told


def may_mark_reviewed(user: User | None, article: Article) -> bool:
    """The owner (while active) or staff (ARTICLE_MANAGE) confirm a published article is still correct."""
    if article.status != ArticleStatus.PUBLISHED.value:
        return False
    return can(user, Action.ARTICLE_MANAGE) or (is_active(user) and article.owner_id == user.id)


def mark_reviewed(actor: User | None, article: Article) -> Article:
    """"Still correct": the article's interval starts again and its reminder is cleared; commits."""
    require(actor, Action.ARTICLE_VIEW, article)
    if article.status != ArticleStatus.PUBLISHED.value:
        raise Conflict(_("Only a published article is reviewed: this one is not published."))
    if not may_mark_reviewed(actor, article):
        require(actor, Action.ARTICLE_MANAGE)  # anonymous: sign in; others: forbidden
    article.reviewed_at = clock.now()
    article.review_reminded_at = None
    db.session.commit()
    return article
