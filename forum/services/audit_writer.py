"""Write the append-only audit log: every moderator, admin and enforcement action.

Callers pass plain dicts for the state before and after; the entry is added to the
caller's transaction, so it exists exactly when the action it describes commits.
"""

from __future__ import annotations

import json
from typing import Any

from forum.core import clock
from forum.core.extensions import db
from forum.models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (actor None means the system); the caller commits."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason or "",
        before_json=json.dumps(before or {}, default=str, sort_keys=True),
        after_json=json.dumps(after or {}, default=str, sort_keys=True),
        created_at=clock.now(),
    )
    db.session.add(entry)
    return entry
