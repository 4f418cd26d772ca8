"""Fixtures most mail tests share: a member who asked, her thread with one reply (files override them), and
the real SMTP listener."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from forum.core.extensions import db
from forum.mail import listener
from forum.models import Thread, User
from tests.conftest import free_port


@pytest.fixture
def asker(make) -> User:
    return make.make_user(username="ana", email="ana@example.com", reputation=50)


@pytest.fixture
def thread(make, asker) -> Thread:
    return make.make_thread(author=asker, title="Connection drops every evening", replies=1)


@pytest.fixture
def listen(app: Flask, committed) -> Iterator[Callable[..., int]]:
    """Start the real listener (for app, or another app) on a free port; returns the port. Stopped after the test."""
    controllers = []

    def start(on: Flask = app) -> int:
        db.session.commit()  # end the test's transaction, which holds SQLite's write lock
        port = free_port()
        controllers.append(listener.start(on, "127.0.0.1", port))
        return port

    yield start
    for controller in controllers:
        controller.stop()
