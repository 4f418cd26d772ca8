"""Template helpers: permission checks, ranks, dates, links and the one filter that trusts HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, g
from markupsafe import Markup

from forum.core import clock, i18n
from forum.core.i18n import N_
from forum.http.auth import acting_user
from forum.http.urls import kept_url_for, thread_url
from forum.recognition.ranks import rank_for
from forum.services import notifications
from forum.services.permissions import Action, Capabilities, can_as

# A thread status as people read it (the stored value is the English word or code).
STATUS_LABELS = {"open": N_("Open"), "answered": N_("Answered"), "needs_info": N_("Needs info"), "solved": N_("Solved"),
                 "escalated": N_("Escalated"), "closed": N_("Closed")}


def sanitized(html: str) -> Markup:
    """Mark stored post HTML safe: it was sanitized by services.markup on write, and only there."""
    return Markup(html)  # nosec B704  # sanitized by services.markup on write


def time_ago(moment: datetime | None) -> str:
    """"3 hr ago" in the reader's language (forum.core.i18n.relative_time)."""
    return i18n.relative_time(moment, clock.now()) if moment is not None else ""


def iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def day(moment: datetime | None) -> str:
    """A calendar date in the reader's language and zone: "5 March 2026", "5. März 2026" (join dates)."""
    return i18n.format_date(moment, "long") if moment else ""


def date_and_time(moment: datetime | None) -> str:
    """A moment as the reader writes it, in their time zone (forum.core.i18n.format_moment)."""
    return i18n.format_moment(moment) if moment is not None else ""


def timestamp(moment: datetime | None, style: str = "datetime") -> Markup:
    """`<time datetime="…Z">` holding the moment in the reader's words; on pages visitors read the text is
    UTC and forum/static/localtime.js rewrites it in the visitor's zone (style "datetime" or "date")."""
    if moment is None:
        return Markup("")
    text = date_and_time(moment) if style == "datetime" else day(moment)
    return Markup('<time datetime="{}" data-localise="{}">{}</time>').format(iso(moment), style, text)


def status_label(status: str) -> str:
    """A thread status as people read it: "needs_info" becomes "Needs info"."""
    label = STATUS_LABELS.get(status)
    return i18n._(label) if label else status.replace("_", " ").capitalize()


def unread_notifications() -> int:
    """The signed-in user's unread notifications for the header bell, at most one query a request: none
    when the session lookup counted them already (forum.accounts.sessions.load), as it does for a page."""
    if "unread_notifications" not in g:
        user = acting_user()
        counted = getattr(user, "unread_notifications_at_load", None)
        g.unread_notifications = counted if counted is not None else notifications.unread_count(user)
    return g.unread_notifications


class RenderingCan:
    """Templates' can(action, target): the signed-in viewer's, with their Capabilities derived once per
    rendering (each render_template gets a new one) instead of once per question (issue 21)."""

    __slots__ = ("capabilities", "user")

    def __init__(self) -> None:
        self.user, self.capabilities = None, None

    def __call__(self, action: Action | str, target=None) -> bool:
        user = acting_user()
        if self.capabilities is None or self.user is not user:
            self.user, self.capabilities = user, Capabilities.of(user)
        return can_as(self.capabilities, user, action, target)


def init_app(app: Flask) -> None:
    app.add_template_filter(sanitized, "sanitized")
    app.add_template_filter(time_ago, "time_ago")
    app.add_template_filter(iso, "iso")
    app.add_template_filter(day, "day")
    app.add_template_filter(date_and_time, "date_and_time")
    app.add_template_filter(timestamp, "timestamp")
    app.add_template_filter(i18n.format_number, "number")
    app.add_template_filter(rank_for, "rank")
    app.add_template_filter(status_label, "status_label")
    app.add_template_global(thread_url, "thread_url")
    app.add_template_global(kept_url_for, "url_for")  # in place of Flask's own: the same URLs, kept

    @app.context_processor
    def inject_helpers() -> dict:
        return {
            "can": RenderingCan(),
            "Action": Action,
            "unread_notifications": unread_notifications,
        }
