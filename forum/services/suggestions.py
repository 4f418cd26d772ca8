"""Similar solved questions for the ask page, from whichever package provides them.

forum never imports search (tests/test_architecture.py), so search hands its finder in
here from its init_app: the import points search → forum, and with no provider registered
(search switched off, or a bare app in a test) nothing is suggested and questions post directly.
The provider lives in app.extensions, so each app has its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask import Flask, current_app

from forum.models import Thread, User

log = logging.getLogger(__name__)

EXTENSION = "horseshoe.similar_questions"
MIN_TITLE_CHARS = 8  # the shortest title posting accepts; similar.js waits for as much
Provider = Callable[[User | None, str], Sequence[Thread]]


def register(app: Flask, provider: Provider) -> None:
    app.extensions[EXTENSION] = provider


def similar_questions(viewer: User | None, title: str) -> list[Thread]:
    """Solved threads that may answer a draft title; [] when none, when the title is short, or without a provider."""
    provider: Provider | None = current_app.extensions.get(EXTENSION)
    if provider is None or len((title or "").strip()) < MIN_TITLE_CHARS:
        return []
    try:
        return list(provider(viewer, title))
    except Exception:  # suggestions are a courtesy: a broken index must never stop someone asking
        log.exception("similar questions failed; posting without suggestions")
        return []
