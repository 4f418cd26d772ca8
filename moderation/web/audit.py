"""/moderation/audit: the audit log for moderators, filtered by actor, action, target and date."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from forum.core.errors import ErrorCollector, Invalid
from forum.core.pagination import Page
from forum.http.auth import acting_user
from forum.services.permissions import Action, require
from moderation.services import audit_reader

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


@bp.get("/moderation/audit")
def index():
    args = {name: request.args.get(name, "").strip() for name in FILTER_NAMES}
    errors = ErrorCollector()
    criteria = _criteria(args, errors)
    page: Page = Page([], None)
    if not errors.errors:
        try:
            page = audit_reader.list_entries(acting_user(), criteria, PER_PAGE, request.args.get("cursor"))
        except Invalid as exc:
            errors.errors.update(exc.errors)
    shown = {name: value for name, value in args.items() if value}
    html = render_template(
        "moderation/audit.html", entries=page.items, args=args, errors=errors.errors, state=audit_reader.state,
        actions=audit_reader.known_actions(), target_types=audit_reader.known_target_types(),
        next_url=url_for("moderation_audit.index", cursor=page.next_cursor, **shown) if page.next_cursor else None,
        first_url=url_for("moderation_audit.index", **shown) if request.args.get("cursor") else None,
    )
    return html, 422 if errors.errors else 200
