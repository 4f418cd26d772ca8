"""Similar questions for the ask page — solved threads and knowledge-base articles — from whichever package
provides them.

forum never imports search (tests/test_architecture.py), so search hands its finder in
here from its init_app: the import points search → forum, and with no provider registered
(search switched off, or a bare app in a test) nothing is suggested and questions post directly.
The provider lives in app.extensions, so each app has its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Flask, current_app

from forum.models import User
from forum.services import community_settings

log = logging.getLogger(__name__)

EXTENSION = "horseshoe.similar_questions"
MIN_TITLE_CHARS = 8  # the shortest title posting accepts; similar.js waits for as much
SHOWN_SETTING = "search.similar_shown"  # how many the ask page lists (1..10, community settings)


@dataclass(frozen=True)
class Suggestion:
    """One thing that may already answer a draft question, as the ask page lists it.

    kind: "thread" or "article" (a published knowledge-base article); path: its site-relative address;
    detail: what the list shows beside the category (a thread's status and replies: "Solved · 3 replies";
    "Article").
    """

    kind: str
    id: int
    title: str
    path: str
    category_name: str
    detail: str


Provider = Callable[[User | None, str], Sequence[Suggestion]]


def register(app: Flask, provider: Provider) -> None:
    app.extensions[EXTENSION] = provider
    app.add_template_global(shown_limit, "similar_shown")  # the ask page's similar.js asks for as many


def shown_limit() -> int:
    """How many suggestions the ask page lists: the community setting search.similar_shown."""
    return int(community_settings.cached_setting(SHOWN_SETTING))


def similar_questions(viewer: User | None, title: str) -> list[Suggestion]:
    """Threads and published articles that may answer a draft title, ranked together (at most shown_limit();
    the provider is asked for as many); [] when none, when the title is short, or without a provider."""
    provider: Provider | None = current_app.extensions.get(EXTENSION)
    if provider is None or len((title or "").strip()) < MIN_TITLE_CHARS:
        return []
    try:
        return list(provider(viewer, title))[:shown_limit()]
    except Exception:  # suggestions are a courtesy: a broken index must never stop someone asking
        log.exception("similar questions failed; posting without suggestions")
        return []
