"""Every foreign key leads an index, so lists and joins by it never scan the table (issue 10).

A key that only records who did something, read back through the row (`row.created_by`, a primary-key
lookup of the user) and never filtered, sorted or joined by, may stay unindexed: each index costs every
write. Those keys are listed below with the reason; users and incidents are never deleted (accounts are
anonymised), so their ON DELETE rules never scan these tables either.
"""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, PrimaryKeyConstraint, Table, UniqueConstraint

import moderation.models  # noqa: F401  (moderation's tables join the metadata)
import search  # noqa: F401  (so do search's, when it has any)
from forum.core.extensions import db
from forum.models import User  # noqa: F401  (all forum models)

ATTRIBUTION_ONLY = "who did it: shown through the row, never listed or joined by"
NEVER_LISTED_BY = {
    ("incident", "created_by_id"): ATTRIBUTION_ONLY,
    ("incident_thread", "linked_by_id"): ATTRIBUTION_ONLY,
    ("incident_update", "author_id"): ATTRIBUTION_ONLY + " (the incident page lists updates by incident)",
    ("mission", "created_by_id"): ATTRIBUTION_ONLY,
    ("suspension", "created_by_id"): ATTRIBUTION_ONLY + " (member 360 joins user by its primary key)",
    ("suspension", "lifted_by_id"): ATTRIBUTION_ONLY,
    ("watched_word", "created_by_id"): ATTRIBUTION_ONLY,
    ("webhook_subscription", "created_by_id"): ATTRIBUTION_ONLY,
    ("case", "rated_by_id"): "who rated the case: shown with the case, cases are listed by status and assignee",
    ("review_item", "resolved_by_id"): ATTRIBUTION_ONLY + " (the queue lists open items, by creation time)",
}


def _leading_columns(table: Table) -> set[str]:
    """Columns that can start an index lookup: first column of each index, primary key and unique constraint."""
    leading = {next(iter(index.columns)).name for index in table.indexes if index.columns}
    for constraint in table.constraints:
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint) and constraint.columns:
            leading.add(next(iter(constraint.columns)).name)
    return leading


def _foreign_keys() -> list[tuple[Table, ForeignKeyConstraint]]:
    return [(table, fk) for table in db.metadata.sorted_tables for fk in table.foreign_key_constraints]


def _name(table: Table, fk: ForeignKeyConstraint) -> tuple[str, str]:
    return table.name, next(iter(fk.columns)).name


def _unindexed() -> set[tuple[str, str]]:
    return {_name(table, fk) for table, fk in _foreign_keys() if _name(table, fk)[1] not in _leading_columns(table)}


def test_every_foreign_key_leads_an_index_unless_allowlisted():
    missing = sorted(_unindexed() - set(NEVER_LISTED_BY))
    assert missing == [], f"foreign keys without an index (add one, and a migration): {missing}"


def test_the_allowlist_names_only_real_unindexed_foreign_keys():
    """An entry that is indexed now, or no longer exists, must leave the list (so the list stays true)."""
    assert set(NEVER_LISTED_BY) <= _unindexed(), set(NEVER_LISTED_BY) - _unindexed()


def test_the_check_sees_every_table():
    names = {table.name for table in db.metadata.sorted_tables}
    assert {"thread", "post", "vote", "flag", "incident_alert", "reputation_event"} <= names
