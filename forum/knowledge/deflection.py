"""Deflection: a suggestion opened from the ask page after which the asker posts no question within
knowledge.deflection_minutes, counted at most once per asker and ask-page visit, for threads and articles alike.

The ask page renders with a random visit token (forum.web.threads); opening one of its suggestions records a
SuggestionOpen for (asker, visit) — opening another one in the same visit moves that row to the newer item
and restarts its window, so the suggestion read last is the one credited. Nothing is decided while the window
runs: the periodic job knowledge.settle_deflections settles each row once its window has passed, deflected
unless the asker started a thread (any kind, not deleted) within the window, and adds an article's
deflection to Article.deflection_count. A settled row stays as it is: a visit counts once.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import case, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from forum.analytics.metric_queries import plus_seconds
from forum.core import clock
from forum.core.errors import ErrorCollector, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.knowledge.articles import visible_article
from forum.models import Article, ArticleStatus, SuggestionKind, SuggestionOpen, Thread, User
from forum.services import community_settings, reading
from forum.services.permissions import signed_in

SETTLE_JOB = "knowledge.settle_deflections"
SETTLE_EVERY_S = 300  # the job's period: a deflection shows up at most five minutes after its window
BATCH = 500  # rows settled per statement (and per commit)
MAX_VISIT_CHARS = 32  # SuggestionOpen.visit
VISIT_TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # what secrets.token_urlsafe produces


def window() -> timedelta:
    """How long after opening a suggestion a question still means the suggestion did not help."""
    return timedelta(minutes=community_settings.cached_setting("knowledge.deflection_minutes"))


def valid_visit(visit: object) -> bool:
    """A visit token as the ask page makes them: 1..32 URL-safe characters."""
    return isinstance(visit, str) and 0 < len(visit) <= MAX_VISIT_CHARS and bool(VISIT_TOKEN.fullmatch(visit))


def _checked(visit: object, kind: object, item_id: object) -> SuggestionKind:
    errors = ErrorCollector()
    if not valid_visit(visit):
        errors.add("visit", _("Open the suggestion from the ask page."))
    if kind not in {member.value for member in SuggestionKind}:
        errors.add("kind", _("A suggestion is a thread or an article."))
    if type(item_id) is not int or not 0 < item_id < 2**31:
        errors.add("id", _("Choose a suggestion from the list."))
    errors.raise_if_any()
    return SuggestionKind(kind)


def _item_columns(viewer: User, kind: SuggestionKind, item_id: int) -> dict[str, int | None]:
    """The row's thread_id / article_id, once the viewer may see the item (any visible thread; a published
    article): anything else is NotFound, as it would be when opened directly."""
    if kind is SuggestionKind.THREAD:
        return {"thread_id": reading.get_thread(viewer, item_id).id, "article_id": None}
    article = visible_article(viewer, item_id)
    if article.status != ArticleStatus.PUBLISHED.value:
        raise NotFound(_("That article does not exist or is not visible to you."))
    return {"thread_id": None, "article_id": article.id}


def _upsert(values: dict) -> None:
    """One row per (asker, visit), race-free on both databases: a later open moves the unsettled row to the
    newer item and restarts its window; a settled row (its visit already counted) is left alone."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SuggestionOpen).values(**values)
    moved = {name: statement.excluded[name] for name in ("kind", "thread_id", "article_id", "opened_at")}
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "visit"], set_=moved, where=SuggestionOpen.__table__.c.settled_at.is_(None)))


def record_open(viewer: User | None, visit: object, kind: object, item_id: object) -> SuggestionOpen:
    """The asker opened a suggestion (kind "thread" or "article", its id) from the ask page visit `visit`;
    commits. Refused: signed-out (NotAuthenticated), bad input (Invalid), an item they may not see (NotFound)."""
    if not signed_in(viewer):
        raise NotAuthenticated(_("Sign in to ask a question."))
    suggestion_kind = _checked(visit, kind, item_id)
    columns = _item_columns(viewer, suggestion_kind, item_id)
    _upsert({"user_id": viewer.id, "visit": visit, "kind": suggestion_kind.value, "opened_at": clock.now(),
             **columns})
    row = db.session.scalars(
        select(SuggestionOpen).where(SuggestionOpen.user_id == viewer.id, SuggestionOpen.visit == visit)
        .execution_options(populate_existing=True)).one()
    db.session.commit()
    return row


def suggested_item(kind: str, item_id: int) -> Thread | Article:
    """The thread or article record_open just accepted (the page redirects there, even when the visit was
    already settled and the row kept pointing at its earlier item)."""
    model = Article if kind == SuggestionKind.ARTICLE.value else Thread
    return db.session.get(model, item_id)


def _asked_within(span: timedelta):
    """SQL: the row's asker started a thread (any kind, not deleted) in [opened_at, opened_at + span)."""
    return exists().where(
        Thread.author_id == SuggestionOpen.user_id,
        Thread.deleted_at.is_(None),
        Thread.created_at >= SuggestionOpen.opened_at,
        Thread.created_at < plus_seconds(SuggestionOpen.opened_at, int(span.total_seconds())),
    )


def _settle_batch(now: datetime, span: timedelta) -> list[tuple[int, int | None, bool]]:
    """Settle up to BATCH due rows in one UPDATE; the (id, article_id, deflected) of the rows this call settled.

    `settled_at IS NULL` in the UPDATE itself makes a second worker skip what the first one settled
    (PostgreSQL re-checks a row it waited for; SQLite runs one writer at a time), so nothing counts twice.
    """
    pending = aliased(SuggestionOpen)
    due = (select(pending.id).where(pending.settled_at.is_(None), pending.opened_at <= now - span)
           .order_by(pending.opened_at, pending.id).limit(BATCH))
    statement = (
        update(SuggestionOpen)
        .where(SuggestionOpen.id.in_(due), SuggestionOpen.settled_at.is_(None))
        .values(settled_at=now, deflected=~_asked_within(span))
        .returning(SuggestionOpen.id, SuggestionOpen.article_id, SuggestionOpen.deflected)
        .execution_options(synchronize_session=False)
    )
    return [tuple(row) for row in db.session.execute(statement)]


def _count_on_articles(settled: list[tuple[int, int | None, bool]]) -> None:
    """Add the batch's article deflections to their articles' counters: one UPDATE for the whole batch."""
    per_article = Counter(article_id for _id, article_id, deflected in settled if deflected and article_id)
    if not per_article:
        return
    db.session.execute(
        update(Article).where(Article.id.in_(per_article))
        .values(deflection_count=Article.deflection_count + case(per_article, value=Article.id, else_=0))
        .execution_options(synchronize_session=False))


def settle_due(_payload: dict | None = None) -> int:
    """The job knowledge.settle_deflections: settle every row whose window has passed; how many it settled.

    Idempotent: a second run (or a second worker at the same time) finds nothing left to settle.
    """
    span, settled = window(), 0
    while True:
        batch = _settle_batch(clock.now(), span)
        _count_on_articles(batch)
        db.session.commit()
        settled += len(batch)
        if len(batch) < BATCH:
            return settled
