"""Community rules stored in the database: typed, validated, with defaults.

Every number in domain.md is a setting an admin can change without a restart; later
features add their keys to REGISTRY (forum.core.setting_registry, which defines the
kinds: number, boolean, string, list). Values are read from the database on use. Each kind
checks a value from any front end (a JSON body or a parsed form) and says in plain words why
it refuses one, so the page and the API give the same reasons.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from forum.core import clock
from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.setting_registry import (
    CROSS_CHECKS,
    REGISTRY,
    SAFE_FILE_TYPES,
    AnySetting,
    BooleanSetting,
    ListSetting,
    Presentation,
    SettingSpec,
    StringSetting,
    register,
    register_check,
)
from forum.models import CommunitySetting, User
from forum.services import audit_writer, permissions  # permissions imports this module too: use it by name

__all__ = [
    "REGISTRY", "SAFE_FILE_TYPES", "AnySetting", "BooleanSetting", "ListSetting", "Presentation", "SettingSpec",
    "StringSetting", "register", "register_check", "CACHE_KEY", "get_setting", "cached_setting", "forget_cached",
    "all_settings", "update_settings", "update_settings_from_console", "sweep_interval_s",
]
CACHE_KEY = "horseshoe_community_settings"


def _current(spec: AnySetting, value_json: str | None) -> Any:
    """The stored value as the setting's type; the default when none is stored, or when the stored one
    no longer passes the setting's rules (a tightened rule must not leave a value nothing can read)."""
    if value_json is not None:
        try:
            return spec.parse(json.loads(value_json))
        except ValueError:
            pass
    return list(spec.default) if isinstance(spec.default, tuple) else spec.default


def get_setting(key: str) -> Any:
    """The current value of key: the stored override, else the default."""
    row = db.session.get(CommunitySetting, key)
    return _current(REGISTRY[key], row.value_json if row is not None else None)


def cached_setting(key: str) -> Any:
    """Like get_setting, but every setting is read in one statement, once per database session (one
    request, one job): pages consult several (the permission rules, the editor's upload limits), and
    each would otherwise cost a query. update_settings() forgets what this session read.

    Kept on the session, not on flask.g: the job worker runs for hours in one app context, but it
    removes its database session after every job, so a changed rule reaches the next job.
    """
    cache = db.session.info.get(CACHE_KEY)
    if cache is None:
        cache = db.session.info[CACHE_KEY] = all_settings()
    return cache[key]


def forget_cached() -> None:
    db.session.info.pop(CACHE_KEY, None)


def all_settings() -> dict[str, Any]:
    """Every setting as one flat {key: value} object (the API's settings shape).

    Always one statement (another process may have changed a rule), but reading the stored text is
    all it does: the typed values come from _parsed, which keeps the result for the same stored text.
    Each call gets its own dict and its own lists, as when every call parsed afresh.
    """
    stored = tuple(sorted(tuple(row) for row in db.session.execute(_stored_statement())))
    return {key: list(value) if isinstance(value, list) else value for key, value in _parsed(stored).items()}


@functools.cache
def _stored_statement():
    return db.select(CommunitySetting.key, CommunitySetting.value_json)


class _ParsedSettings:
    """{key: value} for stored (key, value_json) rows, kept: parsing every setting was most of reading them (a
    few hundred microseconds of every page, issue 21). Keyed by the rows' text, so a change is a new entry, and
    dropped whenever the registry holds other specs (a feature or a test registering one)."""

    KEPT = 8

    def __init__(self) -> None:
        self.specs: tuple = ()
        self.values: dict[tuple, dict[str, Any]] = {}

    def __call__(self, stored: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        specs = tuple(REGISTRY.items())
        if specs != self.specs:  # element by element, identity first: C speed while nothing changed
            self.specs, self.values = specs, {}
        values = self.values.get(stored)
        if values is None:
            if len(self.values) >= self.KEPT:
                self.values = {}
            texts = dict(stored)
            values = self.values[stored] = {key: _current(spec, texts.get(key)) for key, spec in specs}
        return values


_parsed = _ParsedSettings()


def update_settings(actor: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate every change first, then store them all or none (admins, on the page or the API)."""
    permissions.require(actor, permissions.Action.SETTINGS_MANAGE)
    return _store(actor, changes)


def update_settings_from_console(changes: dict[str, Any]) -> dict[str, Any]:
    """The operator's `flask settings set`: no account needed, so rules can be set before any exists.

    Whoever runs commands on the server already holds the database; the audit log names no actor.
    """
    return _store(None, changes)


def _store(actor: User | None, changes: dict[str, Any]) -> dict[str, Any]:
    errors = ErrorCollector()
    parsed: dict[str, Any] = {}
    for key, raw in changes.items():
        spec = REGISTRY.get(key)
        if spec is None:
            errors.add(key, _("Unknown setting."))
            continue
        try:
            parsed[key] = spec.parse(raw)
        except ValueError as exc:
            errors.add(key, f"{_(spec.description)} {exc}")
    errors.raise_if_any()
    before = all_settings()
    changed = {key: value for key, value in parsed.items() if before[key] != value}
    for check in CROSS_CHECKS:
        for key, reason in check({**before, **parsed}, set(changed)).items():
            errors.add(key, f"{_(REGISTRY[key].description)} {reason}")
    errors.raise_if_any()
    if changed:
        audit_writer.record(actor, "settings.update", "settings", 0,
                            before={key: before[key] for key in changed}, after=changed)
    for key, value in parsed.items():
        row = db.session.get(CommunitySetting, key) or CommunitySetting(key=key)
        row.value_json = json.dumps(value)
        row.updated_at = clock.now()
        row.updated_by_id = actor.id if actor is not None else None
        db.session.add(row)
    db.session.commit()
    forget_cached()
    return all_settings()


def sweep_interval_s() -> float:
    """How often the periodic sweeps run (SLA, bounties, Q&A care): read when the worker schedules them."""
    return get_setting("sla.sweep_interval_seconds")
