"""Data committed for real and deleted afterwards: for what is slow to build (the demo community).

Seeding writes thousands of commits. Inside a test's rolled-back transaction each becomes a savepoint,
and PostgreSQL slows down by an order of magnitude once one transaction holds that many; committed
for real, the demo seeds as fast as `flask demo` does. A module seeds it once in committed(app) and
each test then reads it through the usual `db` fixture (its own transaction, rolled back, so a test
may change what it likes); at the end every row is deleted, so the next module starts empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from forum.core.extensions import db
from tests.conftest import wipe_database


@contextmanager
def committed(app: Flask) -> Iterator[None]:
    """An app context whose writes are committed for real; every row is deleted when it ends."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            wipe_database()
