"""Watching: threads (for replies), categories and tags (for new questions), and muting.

People watch what they start, reply to or "me too" automatically; an explicit mute wins
over every later automatic watch, so muting a thread keeps it quiet for good.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Category, Subscription, Tag, Thread, User

TARGET_COLUMNS = {Thread: "thread_id", Category: "category_id", Tag: "tag_id"}
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _find(user_id: int, target: Thread | Category | Tag) -> Subscription | None:
    column = getattr(Subscription, TARGET_COLUMNS[type(target)])
    return db.session.scalar(select(Subscription).where(Subscription.user_id == user_id, column == target.id))


def _upsert(user_id: int, target: Thread | Category | Tag, muted: bool, auto: bool) -> bool:
    """Create or update the row; an automatic watch never overrides an explicit mute.

    Returns whether the user's watch or mute changed (False: it already was so).
    """
    if auto and not muted:
        return _insert_if_missing(user_id, target)
    row = _find(user_id, target)
    if row is None:
        row = Subscription(user_id=user_id, muted=muted, created_at=clock.now())
        setattr(row, TARGET_COLUMNS[type(target)], target.id)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # a concurrent request created it first
            row = _find(user_id, target)
        else:
            return True
    if row.muted == muted or (auto and row.muted):
        return False
    row.muted = muted
    return True


def _insert_if_missing(user_id: int, target: Thread | Category | Tag) -> bool:
    """An automatic watch in one statement: a row that exists (watching, or muted) is left as it is.

    Insert-or-ignore on the (user, target) unique constraint also settles a concurrent request
    creating the same row, without a savepoint; returns whether a row was created.
    """
    table = Subscription.__table__
    column = TARGET_COLUMNS[type(target)]
    statement = _INSERTS[db.session.get_bind().dialect.name](table).values(
        {"user_id": user_id, column: target.id, "muted": False, "created_at": clock.now()}
    ).on_conflict_do_nothing(index_elements=[table.c.user_id, table.c[column]])
    return db.session.execute(statement).rowcount == 1


def watch(user: User | None, target: Thread | Category | Tag, *, auto: bool = False, commit: bool = True) -> bool:
    """Start watching target; auto=True is for watches implied by posting or "me too".

    Returns False when the user already watched it (or, for an automatic watch, had muted it).
    """
    if user is None:
        raise NotAuthenticated(_("Sign in to watch threads."))
    changed = _upsert(user.id, target, muted=False, auto=auto)
    if commit:
        db.session.commit()
    return changed


def mute(user: User | None, target: Thread | Category | Tag) -> bool:
    """Stop hearing about target, including automatic watches later; False when it was already muted."""
    if user is None:
        raise NotAuthenticated(_("Sign in to change what you watch."))
    changed = _upsert(user.id, target, muted=True, auto=False)
    db.session.commit()
    return changed


def is_watching(user: User | None, target: Thread | Category | Tag) -> bool:
    if user is None:
        return False
    row = _find(user.id, target)
    return row is not None and not row.muted


def thread_subscriptions(thread: Thread) -> dict[int, bool]:
    """Everyone with a row for the thread, user id → muted (watchers are the ones not muted)."""
    return dict(db.session.execute(
        select(Subscription.user_id, Subscription.muted).where(Subscription.thread_id == thread.id)
    ).all())


def new_question_followers(thread: Thread) -> set[int]:
    """Ids of users following the thread's category or any of its tags (expert routing)."""
    conditions = [Subscription.category_id == thread.category_id]
    tag_ids = [tag.id for tag in thread.tags]
    if tag_ids:
        conditions.append(Subscription.tag_id.in_(tag_ids))
    return set(
        db.session.scalars(select(Subscription.user_id).where(or_(*conditions), Subscription.muted.is_(False)))
    )


def subscriptions_of(user: User) -> list[Subscription]:
    """Everything the user watches or muted, with targets loaded, for the settings page."""
    return list(
        db.session.scalars(
            select(Subscription)
            .options(joinedload(Subscription.thread), joinedload(Subscription.category), joinedload(Subscription.tag))
            .where(Subscription.user_id == user.id)
            .order_by(Subscription.created_at.desc())
        )
    )


def state_of(user: User | None, target: Thread | Category | Tag) -> str | None:
    """"watching", "muted", or None when the user has no subscription row for target (one query)."""
    if user is None:
        return None
    row = _find(user.id, target)
    if row is None:
        return None
    return "muted" if row.muted else "watching"


def forget(user: User | None, subscription_id: int) -> Subscription:
    """Remove one of the user's own watches or mutes, back to the default; NotFound for anyone else's."""
    if user is None:
        raise NotAuthenticated(_("Sign in to change what you watch."))
    row = db.session.get(Subscription, subscription_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("That watch or mute does not exist."))
    db.session.delete(row)
    db.session.commit()
    return row
