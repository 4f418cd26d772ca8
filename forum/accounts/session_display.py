"""The sessions page's words for a signed-in browser: which browser on which system, roughly where, and when.

A member recognises their own browsers by name ("Firefox 128 on Linux") and rough place, not by a raw
User-Agent header or a full IP address, which is more personal data than the page needs to show. So the
address is shown as its network (sessions.network_of) or, where the operator installed a GeoIP database
(HORSESHOE_GEOIP_DB, with the optional "geoip" extra that brings maxminddb), as a place. A missing
package, a missing or broken file, or an address the database does not know costs the place, never the page.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import ua_parser
from flask import current_app

from forum.accounts import sessions
from forum.core.i18n import N_, _
from forum.core.local_time import local_time
from forum.models import User

try:  # the optional "geoip" extra; without it places fall back to networks
    import maxminddb
except ImportError:  # pragma: no cover - exercised by replacing the module with None in tests
    maxminddb = None

log = logging.getLogger(__name__)
UNKNOWN_BROWSER = N_("Unknown browser")


@dataclass(frozen=True)
class SessionSummary:
    """One live session as the page lists it."""

    id: int
    browser: str
    location: str
    created_at: datetime
    created_label: str  # the absolute time, in the member's time zone
    last_seen_at: datetime
    last_seen_label: str
    is_current: bool


def describe_browser(user_agent: str) -> str:
    """ "Firefox 128 on Linux", "Mobile Safari 17 on iOS 17", or "Unknown browser" for what ua-parser can't name."""
    result = ua_parser.parse(user_agent or "")
    browser = _named(result.user_agent.family, result.user_agent.major) if result.user_agent else ""
    system = _named(result.os.family, result.os.major) if result.os else ""
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser:
        return browser
    return _("%(browser)s on %(system)s", browser=_(UNKNOWN_BROWSER), system=system) if system else _(UNKNOWN_BROWSER)


def _named(family: str, major: str | None) -> str:
    if not family or family == "Other":
        return ""
    return f"{family} {major}" if major else family


def describe_location(ip_address: str | None, geoip_db: str = "") -> str:
    """A place from the GeoIP database when one is configured and knows the address, else the network."""
    place = _place(ip_address, geoip_db) if geoip_db and ip_address else None
    return place or sessions.network_of(ip_address)


def _place(ip_address: str, path: str) -> str | None:
    if maxminddb is None:
        log.warning("HORSESHOE_GEOIP_DB is set but maxminddb is not installed (pip install 'horseshoe[geoip]')")
        return None
    try:
        record = _reader(path, os.stat(path).st_mtime_ns).get(ip_address)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        log.warning("GeoIP lookup in %s failed: %s", path, exc)
        return None
    return _place_name(record)


@lru_cache(maxsize=2)
def _reader(path: str, _modified_ns: int):
    """One open reader per file version: a database replaced by its monthly update is reopened."""
    return maxminddb.open_database(path)


def _place_name(record: object) -> str | None:
    """ "Lyon, France" from a City database record, "France" from a Country one; None when it names neither."""
    if not isinstance(record, dict):
        return None
    names = [_english_name(record.get(part)) for part in ("city", "country")]
    return ", ".join(name for name in names if name) or None


def _english_name(entry: object) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("names"), dict):
        return ""
    name = entry["names"].get("en")
    return name if isinstance(name, str) else ""


def summaries(user: User) -> list[SessionSummary]:
    """The user's live sessions described for the page: this browser first, then the most recently used."""
    geoip_db = current_app.config["HORSESHOE"].geoip_db
    current = getattr(user, "current_session_id", None)
    listed = [
        SessionSummary(
            id=row.id, browser=describe_browser(row.user_agent), location=describe_location(row.ip_address, geoip_db),
            created_at=row.created_at, created_label=local_time(row.created_at, user.time_zone),
            last_seen_at=row.last_seen_at, last_seen_label=local_time(row.last_seen_at, user.time_zone),
            is_current=row.id == current,
        )
        for row in sessions.live_sessions(user)
    ]
    return sorted(listed, key=lambda summary: not summary.is_current)
