"""Fixtures for API tests: the usual cast of callers, each with a bearer-token client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from forum.models import User

ROLES = {"author": "member", "member": "member", "other": "member", "helper": "member", "advocate": "advocate",
         "moderator": "moderator", "agent": "agent", "admin": "admin"}


class Cast:
    """Named users created on first use: "anonymous" is None, "author" owns the test's content."""

    def __init__(self, make) -> None:
        self._make = make
        self._users: dict[str, User | None] = {"anonymous": None}

    def __getitem__(self, who: str) -> User | None:
        if who not in self._users:
            self._users[who] = self._make.make_user(role=ROLES[who])
        return self._users[who]


@pytest.fixture
def cast(make) -> Cast:
    return Cast(make)


@pytest.fixture
def call_as(api_client, cast: Cast) -> Callable[[str], FlaskClient]:
    """A bearer-token client for one member of the cast ("anonymous" sends no token)."""
    return lambda who: api_client(cast[who])
