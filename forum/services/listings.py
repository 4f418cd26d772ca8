"""What the home and category pages list, read as plain rows: a fixed number of statements, no ORM objects.

The lists show each thread's title, counts, status and recency with its author and category. Loading
them as ORM objects (each thread, author and category hydrated and tracked, and the tags selected
though no list shows them) cost more CPU than rendering the page, so these queries select just the
columns shown, joined, into small tuples the same templates read (thread.author.name,
thread.category.slug, ...). Which threads a viewer may see, and how a list is filtered, sorted and
paged, stay defined once, in forum.services.reading and forum.services.permissions.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, literal, select

from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page
from forum.models import Category, Role, ScorecardSnapshot, Subscription, Thread, User
from forum.models.analytics import SCORECARD_FIGURES
from forum.services import reading
from forum.services.permissions import bound_viewer, is_moderator, signed_in, viewer_params, visible_threads_as

STAFF_ROLES = frozenset(role.value for role in Role if role.is_staff)


class ListedAuthor(NamedTuple):
    """The author of a listed thread: what the name, rank and role badges show."""

    id: int
    username: str
    display_name: str
    role: str
    reputation: int

    @property
    def name(self) -> str:
        """As User.name: the display name when set, else the username."""
        return self.display_name or self.username

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class ListedCategory(NamedTuple):
    id: int
    slug: str
    name: str


class ListedThread(NamedTuple):
    """One row of a thread list: the attributes the list templates read, named as on Thread."""

    id: int
    title: str
    slug: str
    kind: str
    status: str
    pinned: bool
    locked: bool
    deleted_at: datetime | None
    bounty_at: datetime | None
    reply_count: int
    vote_count: int
    me_too_count: int
    created_at: datetime
    last_activity_at: datetime
    author: ListedAuthor
    category: ListedCategory


# Table columns, not ORM attributes: the rows come back as plain tuples, with no ORM result machinery.
_THREAD, _USER, _CATEGORY = Thread.__table__.c, User.__table__.c, Category.__table__.c
THREAD_COLUMNS = tuple(_THREAD[name] for name in ListedThread._fields[:-2])
AUTHOR_COLUMNS = tuple(_USER[name] for name in ListedAuthor._fields)
CATEGORY_COLUMNS = tuple(_CATEGORY[name] for name in ListedCategory._fields)
_AUTHOR_AT = len(THREAD_COLUMNS)
_CATEGORY_AT = _AUTHOR_AT + len(AUTHOR_COLUMNS)
# Built once: composing SQL expressions costs more per request than running them.
_BY_AUTHOR = _THREAD.author_id == _USER.id
_IN_CATEGORY = _THREAD.category_id == _CATEGORY.id


def _as_rows(threads: Select) -> Select:
    """threads (a select of Thread: filtered, ordered, limited) selecting the listed columns instead."""
    return (
        threads.with_only_columns(*THREAD_COLUMNS, *AUTHOR_COLUMNS, *CATEGORY_COLUMNS)
        .join_from(Thread.__table__, User.__table__, _BY_AUTHOR)
        .join(Category.__table__, _IN_CATEGORY)
    )


def _listed(statement: Select, params: dict | None = None) -> list[ListedThread]:
    """Run statement as _as_rows; threads by one author, or in one category, share one tuple for it.

    Through the session's connection (after the flush Session.execute would do): the rows are plain
    tuples, and the ORM result machinery a statement built from select(Thread) gets from Session.execute
    costs a third of the time here.
    """
    authors: dict[int, ListedAuthor] = {}
    categories: dict[int, ListedCategory] = {}
    threads = []
    db.session.flush()
    for row in db.session.connection().execute(statement, params or {}):
        author = authors.get(row[_AUTHOR_AT])
        if author is None:
            author = authors[row[_AUTHOR_AT]] = ListedAuthor(*row[_AUTHOR_AT:_CATEGORY_AT])
        category = categories.get(row[_CATEGORY_AT])
        if category is None:
            category = categories[row[_CATEGORY_AT]] = ListedCategory(*row[_CATEGORY_AT:])
        threads.append(ListedThread(*row[:_AUTHOR_AT], author, category))
    return threads


LATEST = reading.ThreadQuery(sort="active")


def latest_threads(viewer: User | None, limit: int) -> list[ListedThread]:
    """The most recently active threads the viewer may see, pinned or not (the front page): one statement."""
    statement = _latest_statement(is_moderator(viewer), signed_in(viewer), limit)
    return list(reading.page_of(_listed(statement, viewer_params(viewer)), LATEST, limit).items)


@cache
def _latest_statement(moderator: bool, member: bool, limit: int) -> Select:
    """latest_threads' statement for one kind of viewer (:viewer_id bound when signed in), built once: building
    and keying a statement cost more than running it (issue 21)."""
    visible = visible_threads_as(moderator, bound_viewer(member))
    return _as_rows(reading.page_statement_among(visible, LATEST, limit))


def category_threads(
    viewer: User | None, query: reading.ThreadQuery, limit: int, cursor: str | None = None,
) -> Page[ListedThread]:
    """One page of a category's threads as query filters and sorts them: one statement."""
    return reading.page_of(_listed(_as_rows(reading.thread_page_statement(viewer, query, limit, cursor))), query, limit)


def category_first_page(
    viewer: User | None, query: reading.ThreadQuery, limit: int
) -> tuple[list[ListedThread], Page[ListedThread]]:
    """(pinned threads, most recently active first; the first page of the others) of an unfiltered category list.

    One statement (reading.first_page_among): the pinned rows come first, in the page's sort.
    """
    if query == reading.ThreadQuery(category_id=query.category_id, sort=query.sort, include_pinned=False):
        statement = _category_first_statement(is_moderator(viewer), signed_in(viewer), query.sort, limit)
        rows = _listed(statement, viewer_params(viewer, category_id=query.category_id))
    else:
        rows = _listed(_as_rows(reading.first_page_with_pinned_statement(viewer, query, limit)))
    pinned = [thread for thread in rows if thread.pinned]
    pinned.sort(key=lambda thread: (thread.last_activity_at, thread.id), reverse=True)
    return pinned, reading.page_of(rows[len(pinned):], query, limit)


@cache
def _category_first_statement(moderator: bool, member: bool, sort: str, limit: int) -> Select:
    """category_first_page's statement for a plain first page (only the category and the sort chosen) and one
    kind of viewer, built once; :category_id and :viewer_id are bound when it runs. A sort that is not one
    raises here, before anything is kept."""
    visible = visible_threads_as(moderator, bound_viewer(member))
    query = reading.ThreadQuery(category_id=bindparam("category_id"), sort=sort, include_pinned=False)
    return _as_rows(reading.first_page_among(visible, query, limit))


class CategoryCard(NamedTuple):
    """A category on the front page."""

    slug: str
    name: str
    description: str


_CATEGORY_CARDS = select(_CATEGORY.slug, _CATEGORY.name, _CATEGORY.description, _CATEGORY.thread_count).order_by(
    _CATEGORY.position, _CATEGORY.name
)


def category_cards() -> list[tuple[CategoryCard, int]]:
    """Every category in display order with its count of public threads (kept in the row: one cheap query)."""
    return [(CategoryCard(*row[:3]), row[3]) for row in db.session.execute(_CATEGORY_CARDS)]


class CategoryHeading(NamedTuple):
    """What a category page shows above its list: the category, the viewer's follow state, its stored scorecard."""

    id: int
    slug: str
    name: str
    description: str
    follow_state: str | None  # as subscriptions.state_of: "watching", "muted" or None
    scorecard: dict[str, float] | None  # the stored figures by SCORECARD_FIGURES name; None: nothing stored yet
    email_address: str | None = None  # where members may ask by email (forum.mail.questions); never for visitors
    kind: str = "threads"  # a CategoryKind value: the page of an ideas category sends visitors to the board


def _heading_statement(signed_in: bool) -> Select:
    """The category named :slug with its stored scorecard, and (signed in) :viewer_id's subscription to it."""
    snapshot, subscription = ScorecardSnapshot.__table__.c, Subscription.__table__.c
    statement = (
        select(_CATEGORY.id, _CATEGORY.slug, _CATEGORY.name, _CATEGORY.description,
               subscription.muted if signed_in else literal(None), snapshot.id,
               *(snapshot[name] for name in SCORECARD_FIGURES), _CATEGORY.email_address if signed_in else literal(None),
               _CATEGORY.kind)
        .select_from(Category.__table__)
        .outerjoin(ScorecardSnapshot.__table__, snapshot.category_id == _CATEGORY.id)
        .where(_CATEGORY.slug == bindparam("slug"))
    )
    if signed_in:
        statement = statement.outerjoin(
            Subscription.__table__,
            and_(subscription.user_id == bindparam("viewer_id"), subscription.category_id == _CATEGORY.id),
        )
    return statement


# Nothing in a heading depends on permissions (categories are public), so its two statements are built once.
_HEADING = {signed_in: _heading_statement(signed_in) for signed_in in (False, True)}


def category_heading(viewer: User | None, slug: str) -> CategoryHeading:
    """The category by slug, the viewer's follow state and its stored scorecard figures, in one statement.

    NotFound when no category has that slug.
    """
    if "\x00" in slug:  # no slug holds one, and PostgreSQL refuses to even compare it (a 500)
        raise NotFound(_("No such category."))
    if viewer is None:
        row = db.session.execute(_HEADING[False], {"slug": slug}).first()
    else:
        row = db.session.execute(_HEADING[True], {"slug": slug, "viewer_id": viewer.id}).first()
    if row is None:
        raise NotFound(_("No such category."))
    muted, stored = row[4], row[5] is not None
    follow_state = None if muted is None else ("muted" if muted else "watching")
    figures = dict(zip(SCORECARD_FIGURES, row[6:-2], strict=True)) if stored else None
    return CategoryHeading(*row[:4], follow_state, figures, row[-2], row[-1])
