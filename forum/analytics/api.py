"""GET /metrics/summary: the outcome metrics of domain.md for a period and category (agents and admins).

The period parsing and every figure come from forum.analytics.metrics, which the staff dashboard
shares, so the API and the dashboard can never disagree on a definition.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask import request
from flask.blueprints import BlueprintSetupState

from forum.analytics import metrics
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import signed_in_user
from forum.services.permissions import Action, require


@bp.get("/metrics/summary")
def show_metrics_summary():
    """Anonymous 401 and members 403 before the query is even read; a bad period or category is a 422."""
    require(signed_in_user(), Action.ANALYTICS_VIEW)
    period = metrics.parse_period(request.args.get("from"), request.args.get("to"), request.args.get("category"))
    return {
        **metrics.summary(period).as_dict(),
        "period": {
            "from": serializers.timestamp(period.start),
            "to": serializers.timestamp(period.end),
            "category_id": period.category_id,
        },
    }


# What each api.md field means (domain.md "Outcome metrics"); the other Summary fields are the parts behind them.
DESCRIPTIONS = {
    "response_rate": "Questions with at least one reply from someone other than the asker / questions asked.",
    "median_first_response_s": "Median seconds from a question to its first reply by someone else.",
    "solve_rate": "Questions with an accepted solution / questions asked.",
    "peer_solve_rate": "Solved questions whose accepted reply is by a non-staff user / solved questions.",
    "escalation_rate": "Questions that got a case / questions asked.",
    "sla_breach_rate": "Cases whose first staff response came after its due time (or is overdue) / cases opened.",
    "median_case_resolution_s": "Median seconds from case creation to resolution.",
    "satisfaction": "Share of the askers' feedback saying the issue was resolved.",
    "sentiment_shift": "Average VADER compound of the asker's last post minus their first, per thread.",
    "article_deflections": "Articles opened from the ask page in the period (in the category: articles of it) "
                           "after which the asker posted no question within knowledge.deflection_minutes; at most "
                           "one per asker and ask-page visit, counted once the window has passed.",
    "deflections": "Deflections by solved threads and articles together (article_deflections included); in the "
                   "category: suggestions of it.",
}
RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
SECONDS = {"type": ["integer", "null"], "minimum": 0}


def _field_schema(name: str) -> openapi.Schema:
    """Rates are fractions 0..1 and durations whole seconds, both null when there is nothing to measure."""
    if name.endswith("_rate") or name == "satisfaction":
        schema: openapi.Schema = dict(RATE)
    elif name.endswith("_s"):
        schema = dict(SECONDS)
    elif name == "sentiment_shift":
        schema = {"type": ["number", "null"], "minimum": -2, "maximum": 2}
    elif name == "satisfaction_average_rating":
        schema = {"type": ["number", "null"], "minimum": 1, "maximum": 5, "description": "Average rating 1..5."}
    else:
        schema = {"type": "integer", "minimum": 0, "description": "A count behind the rates."}
    if name in DESCRIPTIONS:
        schema["description"] = DESCRIPTIONS[name]
    return schema


def _summary_schema() -> openapi.Schema:
    names = [field.name for field in fields(metrics.Summary)]
    period = openapi.obj(
        {"from": openapi.TIME, "to": {**openapi.TIME, "description": "Exclusive end."},
         "category_id": {"type": ["integer", "null"]}},
        ["from", "to", "category_id"],
    )
    return openapi.obj({**{name: _field_schema(name) for name in names}, "period": period}, [*names, "period"])


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    params = [
        o.query("from", "Start: a UTC day (2026-11-01) or an RFC 3339 time; default 30 days before `to`.", o.STRING),
        o.query("to", "End: a UTC day, included whole (2026-11-30), or an RFC 3339 time; default now.", o.STRING),
        o.query("category", "A category id or slug: only questions (and their cases), and suggested threads and "
                            "articles, in that category.", o.STRING),
    ]
    return {"/metrics/summary": {"get": o.operation(
        "Outcome metrics for the questions asked, cases opened and ask-page suggestions opened in a period "
        "(agents, admins); 422 names the bad field (from, to or category)",
        (200, "The metrics", _summary_schema()), (401, 403, 422), params=params,
    )}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add this route to the served OpenAPI document (as recognition.py does for its own)."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
