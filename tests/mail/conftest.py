"""Fixtures most mail tests share: a member who asked, and her thread with one reply (files override them)."""

from __future__ import annotations

import pytest

from forum.models import Thread, User


@pytest.fixture
def asker(make) -> User:
    return make.make_user(username="ana", email="ana@example.com", reputation=50)


@pytest.fixture
def thread(make, asker) -> Thread:
    return make.make_thread(author=asker, title="Connection drops every evening", replies=1)
