"""GET /leaderboard and GET /badges: public recognition, read by anyone."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.blueprints import BlueprintSetupState

from forum.core.errors import Invalid, NotFound
from forum.core.i18n import _
from forum.core.pagination import clamp_limit
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.routing import MAX_ID
from forum.recognition import badges, leaderboards
from forum.services import categories


def _category_id(raw: str | None) -> int | None:
    """?category= is an id or a slug; an unknown one is a 422 naming the field, not an empty board."""
    if not raw:
        return None
    try:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID:
            return categories.get_category(int(raw)).id
        return categories.get_category_by_slug(raw[:64]).id
    except NotFound as exc:
        raise Invalid({"category": [_("No category has this id or slug.")]}) from exc


@bp.get("/leaderboard")
def show_leaderboard():
    period = leaderboards.parse_period(request.args.get("period"))
    category_id = _category_id(request.args.get("category"))
    rows = leaderboards.leaderboard(period, category_id, clamp_limit(request.args.get("limit")))
    held = badges.badges_of(row.user.id for row in rows)
    return {
        "period": period.value,
        "category_id": category_id,
        "items": [
            {"position": row.position, "user": serializers.user(row.user, held[row.user.id]),
             "points": row.points, "solutions": row.solutions}
            for row in rows
        ],
        "next_cursor": None,
    }


def _badge(badge: badges.Badge, holders: int) -> dict[str, Any]:
    return {
        "code": badge.code, "name": badge.name, "tier": badge.tier.value, "description": badge.description,
        "mission_only": badge.rule is None, "holders": holders,
    }


@bp.get("/badges")
def list_badges():
    counts = badges.holder_counts()
    return {"items": [_badge(badge, counts[badge.code]) for badge in badges.CATALOGUE], "next_cursor": None}


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    badge = o.obj({"code": o.STRING, "name": o.STRING, "tier": {"enum": [t.value for t in badges.Tier]},
                   "description": o.STRING, "mission_only": {**o.BOOLEAN, "description": "Given only by missions."},
                   "holders": o.INTEGER}, ["code", "name", "tier", "description", "holders"])
    entry = o.obj({"position": o.INTEGER, "user": o.ref("User"), "points": o.INTEGER, "solutions": o.INTEGER},
                  ["position", "user", "points", "solutions"])
    periods = {"enum": [p.value for p in leaderboards.Period]}
    board = o.obj({"period": periods, "category_id": {"type": ["integer", "null"]},
                   "items": {"type": "array", "items": entry}, "next_cursor": {"type": "null"}}, ["items"])
    catalogue = o.obj({"items": {"type": "array", "items": badge}, "next_cursor": {"type": "null"}}, ["items"])
    params = [
        o.query("period", "Rolling window: the last 7 days, the last 30 days, or all time.",
                {**periods, "default": "week"}),
        o.query("category", "A category id or slug: only points and solutions earned there.", o.STRING),
        o.PAGE_PARAMS[0],
    ]
    return {
        "/leaderboard": {"get": o.operation(
            "Top community helpers by points earned in the period (ties: more solutions, then the earlier "
            "member); staff and anonymized accounts are not ranked",
            (200, "The leaderboard", board), (422,), params=params, public=True)},
        "/badges": {"get": o.operation("The badge catalogue with how many people hold each badge",
                                       (200, "Every badge", catalogue), public=True)},
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document (as search/api.py does for its own)."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
