"""/moderation/audit: the audit log for moderators, filtered by actor, action, target and date.

moderation.services.audit_display words each entry and loads what the page names; this module only
turns what it names into addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, url_for

from forum.core import local_time
from forum.core.errors import ErrorCollector, Invalid
from forum.core.pagination import Page
from forum.http.auth import acting_user
from forum.http.urls import post_location, thread_url
from forum.services.permissions import Action, require
from moderation.services import audit_display, audit_labels, audit_reader

bp = Blueprint("moderation_audit", __name__)
PER_PAGE = 50
FILTER_NAMES = ("actor", "action", "target_type", "since", "until")


@bp.before_request
def require_moderator() -> None:
    """Moderators and above; anonymous visitors are sent to sign in."""
    require(acting_user(), Action.AUDIT_VIEW)


def _criteria(args: dict[str, str], errors: ErrorCollector) -> audit_reader.AuditFilter:
    return audit_reader.AuditFilter(
        actor=args["actor"][:32], action=args["action"][:64], target_type=args["target_type"][:32],
        since=audit_reader.parse_day(args["since"], "since", errors),
        until=audit_reader.parse_day(args["until"], "until", errors),
    )


LINKS: dict[str, Callable[[Any], str]] = {
    "post": post_location,
    "thread": thread_url,
    "user": lambda user: url_for("users.show", username=user.username),
    "category": lambda category: url_for("categories.show", slug=category.slug),
    "tag": lambda tag: url_for("tags.show", name=tag.name),
    "case": lambda case: url_for("desk.case", case_id=case.id),
    "settings": lambda key: url_for("admin.settings", _anchor=key or None),
    "watched_words": lambda _target: url_for("moderation_watched_words.index"),
}


def target_url(ref: audit_display.Ref | None) -> str | None:
    """Where a named thing opens, or None when it stays plain text (see audit_display.Ref)."""
    if ref is None or ref.target is None or ref.kind not in LINKS:
        return None
    return LINKS[ref.kind](ref.target)


@bp.get("/moderation/audit")
def index():
    viewer = acting_user()
    args = {name: request.args.get(name, "").strip() for name in FILTER_NAMES}
    errors = ErrorCollector()
    criteria = _criteria(args, errors)
    page: Page = Page([], None)
    if not errors.errors:
        try:
            page = audit_reader.list_entries(viewer, criteria, PER_PAGE, request.args.get("cursor"))
        except Invalid as exc:
            errors.errors.update(exc.errors)
    shown = {name: value for name, value in args.items() if value}
    html = render_template(
        "moderation/audit.html", entries=audit_display.describe(viewer, page.items), args=args, errors=errors.errors,
        target_url=target_url, action_labels=audit_labels.ACTIONS, target_labels=audit_labels.TARGETS,
        time_zone=local_time.zone_of(viewer.time_zone),
        actions=audit_reader.known_actions(), target_types=audit_reader.known_target_types(),
        next_url=url_for("moderation_audit.index", cursor=page.next_cursor, **shown) if page.next_cursor else None,
        first_url=url_for("moderation_audit.index", **shown) if request.args.get("cursor") else None,
    )
    return html, 422 if errors.errors else 200
