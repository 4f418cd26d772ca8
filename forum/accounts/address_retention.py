"""IP addresses are kept only as long as the admin says (privacy.ip_retention_days, 90 by default).

Horseshoe stores addresses in two places: the address each session signed in from (forum.accounts.sessions)
and the source of a refused sign-in in the audit log (forum.accounts.sign_in_guard, action
account.sign_in_limited). The periodic job "accounts.forget_old_addresses" drops both once they are older
than the period. Request logs are not stored by the app: gunicorn writes its access log to standard output,
and whatever collects it keeps it, so that retention is the operator's to set.

The audit log is append-only in spirit: nothing else rewrites an entry. This job is the one exception, and
privacy law is why: an address is personal data that must not outlive its purpose. The entry itself (which
account was limited, when, until when) stays; only the address fields named below are set to null.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from forum.accounts import sessions, sign_in_guard
from forum.core import clock
from forum.core.extensions import db
from forum.models import AuditEntry
from forum.services import community_settings

JOB = "accounts.forget_old_addresses"
INTERVAL_S = 6 * 3600  # a few times a day: an address outlives the period by hours at most
BATCH = 500
# Audit actions whose after-state holds an IP address, and under which keys.
ADDRESS_FIELDS: dict[str, tuple[str, ...]] = {sign_in_guard.LIMITED_ACTION: ("source",)}


def forget_old_addresses(_payload: dict | None = None) -> dict[str, int]:
    """The periodic job: drop session and audit-log addresses older than the retention period."""
    days = community_settings.get_setting("privacy.ip_retention_days")
    cutoff = clock.now() - timedelta(days=days)
    scrubbed = scrub_audit_entries(older_than=cutoff)
    db.session.commit()
    return {"sessions": sessions.forget_old_addresses(cutoff), "audit_entries": scrubbed}


def forget_addresses_of(user_id: int) -> int:
    """Drop every stored address of one account, whatever its age (anonymisation; the caller commits)."""
    sessions.forget_addresses_of(user_id)
    return scrub_audit_entries(user_id=user_id)


def scrub_audit_entries(*, older_than: datetime | None = None, user_id: int | None = None) -> int:
    """Null the address fields of matching audit entries (in the caller's transaction); how many changed."""
    return sum(_scrub_action(action, keys, older_than, user_id) for action, keys in ADDRESS_FIELDS.items())


def _scrub_action(action: str, keys: tuple[str, ...], older_than: datetime | None, user_id: int | None) -> int:
    # Only entries that still hold an address (json.dumps writes `"source": "…"`; a scrubbed one `null`).
    holds_address = or_(*(AuditEntry.after_json.contains(f'"{key}": "') for key in keys))
    query = select(AuditEntry).where(AuditEntry.action == action, holds_address).order_by(AuditEntry.id)
    if older_than is not None:
        query = query.where(AuditEntry.created_at < older_than)
    if user_id is not None:
        query = query.where(AuditEntry.target_type == "user", AuditEntry.target_id == user_id)
    changed, last_id = 0, 0
    while entries := list(db.session.scalars(query.where(AuditEntry.id > last_id).limit(BATCH))):
        changed += sum(_blank(entry, keys) for entry in entries)
        last_id = entries[-1].id
        db.session.flush()
    return changed


def _blank(entry: AuditEntry, keys: tuple[str, ...]) -> bool:
    try:
        after = json.loads(entry.after_json)
    except ValueError:
        return False
    if not isinstance(after, dict) or all(after.get(key) is None for key in keys):
        return False
    after.update({key: None for key in keys if key in after})
    entry.after_json = json.dumps(after, default=str, sort_keys=True)
    return True
