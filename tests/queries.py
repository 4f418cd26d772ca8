"""Count the SQL a piece of code runs, for tests that pin query counts (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from forum.core.extensions import db


@contextmanager
def count_statements(savepoints: bool = False) -> Iterator[list[str]]:
    """The SQL statements run inside the block; savepoints and rollbacks only with savepoints=True (in
    tests a service's commit releases a savepoint, which tells where the commit fell)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if savepoints or not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
