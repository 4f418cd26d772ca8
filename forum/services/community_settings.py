"""Community rules stored in the database: typed, validated, with defaults.

Every number in domain.md is a setting an admin can change without a restart; later
features add their keys to REGISTRY. Values are read from the database on use.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from forum.core import clock
from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.models import CommunitySetting, User
from forum.services import audit_writer
from forum.services.permissions import Action, require


@dataclass(frozen=True)
class SettingSpec:
    """A setting's type, default and allowed range."""

    key: str
    kind: type
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None

    def parse(self, value: Any) -> Any:
        """Return value coerced to this setting's type, or raise ValueError with a reason."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        try:
            if not math.isfinite(value):
                raise ValueError("must be a finite number")
            if self.kind is int and float(value) != int(value):
                raise ValueError("must be a whole number")
            value = self.kind(value)
        except OverflowError as exc:
            raise ValueError("is far too large") from exc
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum:g}")
        return value


def _hours(key: str, default: float, description: str) -> SettingSpec:
    return SettingSpec(key, float, default, description, minimum=0.05, maximum=24 * 90)


REGISTRY: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in [
        _hours("sla.first_reply_hours", 4, "Hours a question may wait for any reply before escalation."),
        _hours("sla.solution_hours", 48, "Hours a question may wait for an accepted solution."),
        SettingSpec("sla.sweep_interval_seconds", int, 60, "How often the SLA sweeper runs.", 5, 86400),
        SettingSpec("reputation.daily_vote_cap", int, 200, "Most points a user earns from votes per day.", 0, 100000),
        SettingSpec("moderation.hide_threshold", int, 3, "Flag score that hides a post pending review.", 1, 100),
        SettingSpec("sentiment.escalate_below", float, -0.6, "VADER compound at or below which to escalate.", -1, 1),
        _hours("case.first_response_hours.urgent", 1, "First staff response target for urgent cases."),
        _hours("case.first_response_hours.high", 4, "First staff response target for high cases."),
        _hours("case.first_response_hours.normal", 8, "First staff response target for normal cases."),
        _hours("case.first_response_hours.low", 24, "First staff response target for low cases."),
        _hours("incident.window_hours", 2, "How far back the incident detector looks for similar questions."),
        SettingSpec("incident.min_questions", int, 5, "Similar unsolved questions that make a possible incident.",
                    2, 1000),
        SettingSpec("incident.similarity", float, 0.2, "How alike (0..1, cosine of stemmed words) questions must be.",
                    0.05, 1),
    ]
}


def get_setting(key: str) -> Any:
    """The current value of key: the stored override, else the default."""
    spec = REGISTRY[key]
    row = db.session.get(CommunitySetting, key)
    return spec.default if row is None else spec.kind(json.loads(row.value_json))


def all_settings() -> dict[str, Any]:
    """Every setting as one flat {key: value} object (the API's settings shape)."""
    stored = {row.key: row for row in db.session.scalars(db.select(CommunitySetting))}
    values = {}
    for key, spec in REGISTRY.items():
        row = stored.get(key)
        values[key] = spec.default if row is None else spec.kind(json.loads(row.value_json))
    return values


def update_settings(actor: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate every change first, then store them all or none."""
    require(actor, Action.SETTINGS_MANAGE)
    errors = ErrorCollector()
    parsed: dict[str, Any] = {}
    for key, raw in changes.items():
        spec = REGISTRY.get(key)
        if spec is None:
            errors.add(key, "Unknown setting.")
            continue
        try:
            parsed[key] = spec.parse(raw)
        except ValueError as exc:
            errors.add(key, f"{spec.description} It {exc}.")
    errors.raise_if_any()
    before = all_settings()
    changed = {key: value for key, value in parsed.items() if before[key] != value}
    if changed:
        audit_writer.record(actor, "settings.update", "settings", 0,
                     before={key: before[key] for key in changed}, after=changed)
    for key, value in parsed.items():
        row = db.session.get(CommunitySetting, key) or CommunitySetting(key=key)
        row.value_json = json.dumps(value)
        row.updated_at = clock.now()
        row.updated_by_id = actor.id
        db.session.add(row)
    db.session.commit()
    return all_settings()


def sweep_interval_s() -> float:
    """How often the periodic sweeps run (SLA, bounties, Q&A care): read when the worker schedules them."""
    return get_setting("sla.sweep_interval_seconds")
