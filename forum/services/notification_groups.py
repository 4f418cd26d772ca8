"""Notifications as the page and the digest show them: replies to one thread told as one line.

"3 new replies in <thread>" instead of three rows. A group is a member's notifications of a GROUPED_KINDS
kind about one thread that are all unread, or all read (two groups when some are read: "new" stays
true). Every other notification is a group of one and shows as it always did. The grouping is done in
SQL (GROUP BY), so a page of PER_PAGE rows is that many groups, and the cursor is the newest id of the
page's last group (the same shape as the plain list's). Three statements whatever the page holds: the
groups, the rows they show, and who wrote in them. The API lists notifications one by one, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, distinct, func, literal_column, select, update
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import Notification, NotificationKind, User
from forum.services import notifications

GROUPED_KINDS = (NotificationKind.REPLY.value,)
NAMED = 2  # "Ana, Ben and 3 others replied"


@dataclass(frozen=True)
class NotificationGroup:
    """One line of the notifications page: a single notification, or several about one thread."""

    latest: Notification  # the newest: its time, and its id is the line's anchor and the one "Mark read" sends
    first: Notification  # the oldest: where an unread group leads (the first reply not read yet)
    size: int
    actor_names: tuple[str, ...] = ()  # the NAMED most recent, newest first
    actor_count: int = 0

    @property
    def grouped(self) -> bool:
        return self.size > 1

    @property
    def unread(self) -> bool:
        return self.latest.read_at is None

    @property
    def target(self) -> Notification:
        """The notification the line links to: the first unread reply, or the latest of a read group."""
        return self.first if self.unread else self.latest


def _groupable() -> ColumnElement[bool]:
    return and_(Notification.kind.in_(GROUPED_KINDS), Notification.thread_id.is_not(None))


def _unread() -> ColumnElement[bool]:
    """No bound values in it: PostgreSQL must see the grouped and the selected expression as one."""
    return Notification.read_at.is_(None)


def _group_key() -> tuple:
    """Rows with equal keys are one group; a row of any other kind keeps its own id as its key."""
    alone = case((_groupable(), literal_column("0")), else_=Notification.id)
    return alone, Notification.kind, Notification.thread_id, _unread()


def list_groups(user: User | None, limit: int, cursor: str | None = None) -> Page[NotificationGroup]:
    """The user's notifications grouped, newest group first, limit groups to a page."""
    if user is None:
        raise NotAuthenticated(_("Sign in to see your notifications."))
    newest, oldest = func.max(Notification.id), func.min(Notification.id)
    statement = (
        select(newest, oldest, func.count(Notification.id), func.count(distinct(Notification.actor_id)))
        .where(Notification.user_id == user.id).group_by(*_group_key())
    )
    after = decode_cursor(cursor, [int])
    if after:
        statement = statement.having(newest < after[0])
    rows = db.session.execute(statement.order_by(newest.desc()).limit(limit + 1)).all()
    next_cursor = encode_cursor([rows[limit - 1][0]]) if len(rows) > limit else None
    rows = rows[:limit]
    loaded = _load({row_id for row in rows for row_id in row[:2]})
    groups = [NotificationGroup(loaded[latest], loaded[first], size, actor_count=actors)
              for latest, first, size, actors in rows]
    return Page(_named(user, groups), next_cursor)


def _load(ids: set[int]) -> dict[int, Notification]:
    """The rows the page shows, with what their lines show (thread, actor, post), in one statement."""
    if not ids:
        return {}
    statement = (
        select(Notification)
        .options(joinedload(Notification.thread), joinedload(Notification.actor), joinedload(Notification.post))
        .where(Notification.id.in_(ids))
    )
    return {row.id: row for row in db.session.scalars(statement)}


def _named(user: User, groups: list[NotificationGroup]) -> list[NotificationGroup]:
    """Each group with the names of its NAMED most recent actors: one statement for the whole page."""
    thread_ids = {group.latest.thread_id for group in groups if group.latest.kind in GROUPED_KINDS}
    if not thread_ids:
        return groups
    newest = func.max(Notification.id)
    statement = (
        select(Notification.kind, Notification.thread_id, _unread(), User.display_name, User.username, newest)
        .join(User, User.id == Notification.actor_id)
        .where(Notification.user_id == user.id, _groupable(), Notification.thread_id.in_(thread_ids))
        .group_by(Notification.kind, Notification.thread_id, _unread(), User.id, User.display_name, User.username)
        .order_by(newest.desc())
    )
    names: dict[tuple, list[str]] = {}
    for kind, thread_id, unread, display_name, username, _newest in db.session.execute(statement):
        names.setdefault((kind, thread_id, bool(unread)), []).append(display_name or username)
    return [
        NotificationGroup(group.latest, group.first, group.size, actor_count=group.actor_count,
                          actor_names=tuple(names.get(_key_of(group.latest), ())[:NAMED]))
        for group in groups
    ]


def _key_of(row: Notification) -> tuple:
    return row.kind, row.thread_id, row.read_at is None


def summary(group: NotificationGroup) -> str:
    """The line's words: describe() for one notification, "3 new replies in <title>" for a group."""
    if not group.grouped:
        return notifications.describe(group.latest)
    return _count_line(group.size, group.unread, group.latest.thread.title if group.latest.thread else "")


def _count_line(size: int, unread: bool, title: str) -> str:
    if unread:
        return ngettext("%(num)d new reply in %(title)s", "%(num)d new replies in %(title)s", size, title=title)
    return ngettext("%(num)d reply in %(title)s", "%(num)d replies in %(title)s", size, title=title)


def who(group: NotificationGroup) -> str:
    """ "Ana, Ben and 1 other replied": the most recent names, then how many more (members since erased: "someone")."""
    names = list(group.actor_names) or [_("Someone")]
    others = max(group.actor_count - len(group.actor_names), 0)
    if others:
        return ngettext("%(names)s and %(num)d other replied", "%(names)s and %(num)d others replied", others,
                        names=", ".join(names))
    if len(names) == 1:
        return _("%(name)s replied", name=names[0])
    return _("%(names)s and %(last)s replied", names=", ".join(names[:-1]), last=names[-1])


def mark_group_read(user: User | None, notification_id: int) -> int:
    """Mark one of the user's notifications read, with the rest of its group up to it; returns how many changed.

    notification_id is the newest of the group as the page showed it: a reply that came in since is not
    marked read unseen. Anyone else's notification is NotFound.
    """
    if user is None:
        raise NotAuthenticated(_("Sign in to manage notifications."))
    row = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                      Notification.user_id == user.id))
    if row is None:
        raise NotFound(_("That notification does not exist, or it is not yours."))
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if row.kind in GROUPED_KINDS and row.thread_id is not None and row.read_at is None:
        statement = statement.where(Notification.kind == row.kind, Notification.thread_id == row.thread_id,
                                    Notification.id <= row.id)
    else:
        statement = statement.where(Notification.id == row.id)
    changed = db.session.execute(statement.values(read_at=clock.now()),
                                 execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    return changed


def digest_lines(rows: Sequence[Notification]) -> list[tuple[str, Notification]]:
    """A digest's lines in order: replies to one thread as "3 new replies in <title>", linking to the first."""
    lines: dict[object, list[Notification]] = {}
    for row in rows:
        key = (row.kind, row.thread_id) if row.kind in GROUPED_KINDS and row.thread_id is not None else row.id
        lines.setdefault(key, []).append(row)
    return [(_digest_summary(group), group[0]) for group in lines.values()]


def _digest_summary(group: Iterable[Notification]) -> str:
    rows = list(group)
    if len(rows) == 1:
        return notifications.describe(rows[0])
    return _count_line(len(rows), True, rows[0].thread.title if rows[0].thread else "")
