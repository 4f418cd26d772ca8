"""Template helpers: permission checks, ranks, dates and the one filter that trusts HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from markupsafe import Markup

from forum.auth import acting_user
from forum.services import clock
from forum.services.permissions import Action, can
from forum.services.ranks import rank_for


def sanitized(html: str) -> Markup:
    """Mark stored post HTML safe: it was sanitized by services.markup on write, and only there."""
    return Markup(html)


def time_ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    seconds = int((clock.now() - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def init_app(app: Flask) -> None:
    app.add_template_filter(sanitized, "sanitized")
    app.add_template_filter(time_ago, "time_ago")
    app.add_template_filter(iso, "iso")
    app.add_template_filter(rank_for, "rank")

    @app.context_processor
    def inject_helpers() -> dict:
        return {"can": lambda action, target=None: can(acting_user(), action, target), "Action": Action}
