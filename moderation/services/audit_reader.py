"""Read the append-only audit log: filter by actor, action, target and date, newest first.

forum.services.audit_writer writes entries; this module only reads them, for moderators. Pages
are keyset-paginated on the entry id, which grows with every append, so a page never
repeats or skips entries while new ones arrive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import AuditEntry, User
from forum.services.permissions import Action, require


@dataclass(frozen=True)
class AuditFilter:
    """Every field optional; actor is a username, since/until are calendar days (UTC, inclusive)."""

    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    since: date | None = None
    until: date | None = None


def parse_day(raw: str | None, name: str, errors: ErrorCollector) -> date | None:
    """A YYYY-MM-DD day from a query string; records an error for anything else."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 9000:
        errors.add(name, _("Use a date like 2026-11-20."))
        return None
    return day


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(query: Select, criteria: AuditFilter) -> Select:
    if criteria.actor:
        actor_ids = select(User.id).where(User.username_key == criteria.actor.strip().lower())
        query = query.where(AuditEntry.actor_id.in_(actor_ids))
    if criteria.action:
        query = query.where(AuditEntry.action == criteria.action.strip())
    if criteria.target_type:
        query = query.where(AuditEntry.target_type == criteria.target_type.strip())
    if criteria.target_id is not None:
        query = query.where(AuditEntry.target_id == criteria.target_id)
    if criteria.since is not None:
        query = query.where(AuditEntry.created_at >= _start(criteria.since))
    if criteria.until is not None:
        query = query.where(AuditEntry.created_at < _start(criteria.until) + timedelta(days=1))
    return query


def list_entries(viewer: User | None, criteria: AuditFilter, limit: int, cursor: str | None = None) -> Page[AuditEntry]:
    """Entries matching criteria, newest first; moderators and above only."""
    require(viewer, Action.AUDIT_VIEW)
    query = _filtered(select(AuditEntry).options(joinedload(AuditEntry.actor)), criteria)
    after = decode_cursor(cursor, [int])
    if after:
        query = query.where(AuditEntry.id < after[0])
    rows = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page(rows[:limit], next_cursor)


def known_actions() -> list[str]:
    """Every action name the log holds, for the filter's choices."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def known_target_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.target_type).distinct().order_by(AuditEntry.target_type)))


def state(raw: str) -> dict[str, Any]:
    """An entry's before/after JSON as a dict ({} if it is not an object)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
