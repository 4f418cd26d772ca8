"""Thread rows of the home and category lists, rendered once per content and reused by every viewer.

A row (templates/_macros/threads.html: thread_row) shows nothing about who is looking, only the
thread, its author and category; rendering its nested macros and links cost more than loading
it. listings.ListedThread holds every column a row shows, so the tuple itself is the cache key:
any change to a title, count, status, reputation or name is a new key, and nothing has to be retired.
(What else a row shows is fixed in code: rank thresholds, status labels, the bounty's points.)
The one part that moves with the clock, "active 3 h ago", is left out of the stored HTML and
filled in on every use. Rows of other kinds (ORM threads on the tag and profile pages) are
rendered as before.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from markupsafe import Markup, escape

from forum.core import i18n
from forum.http.templating import time_ago
from forum.services.listings import ListedThread

MAX_ROWS = 2048  # ~1.5 KB each with its key: 3 MB per process at most, then the store starts again
# Stands where "3 h ago" goes while a row is rendered for storing; user text is escaped, so it cannot say this.
_AGO = Markup("<ago/>")
_rows: dict[tuple, tuple[str, str]] = {}


def thread_rows(threads, show_category: bool, render: Callable[..., Markup]) -> Markup:
    """thread_row's HTML for each thread: stored by content for listed rows, the recency filled in now."""
    # url_for's output depends on the app and where it is mounted, the words on the reader's language;
    # everything else is in the row.
    where = (show_category, request.script_root, id(current_app._get_current_object()), i18n.current_language())
    return Markup("".join([_row(thread, where, render) for thread in threads]))  # nosec B704  # autoescaped rows


def _row(thread, where: tuple, render: Callable[..., Markup]) -> str:
    if not isinstance(thread, ListedThread):
        return str(render(thread, where[0]))
    key = (thread, where)
    parts = _rows.get(key)
    if parts is None:
        before, _, after = str(render(thread, where[0], _AGO)).partition(_AGO)
        if len(_rows) >= MAX_ROWS:
            _rows.clear()
        parts = _rows[key] = (before, after)
    return "".join((parts[0], str(escape(time_ago(thread.last_activity_at))), parts[1]))


def init_app(app: Flask) -> None:
    app.add_template_global(thread_rows, "thread_rows")
