"""Community rules stored in the database: typed, validated, with defaults.

Every number in domain.md is a setting an admin can change without a restart; later
features add their keys to REGISTRY. Values are read from the database on use.
A setting is a number, a boolean, a string or a list of strings; each kind checks a
value from any front end (a JSON body or a parsed form) and says in plain words why
it refuses one, so the page and the API give the same reasons.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from forum.core import clock
from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.models import CommunitySetting, User
from forum.services import audit_writer, permissions  # permissions imports this module too: use it by name


@dataclass(frozen=True, kw_only=True)
class Presentation:
    """How the admin page shows a setting (forum.web.settings_display groups it by its key's prefix).

    label names it in a few words; unit is what a number counts (hours, MB, per day); help adds plain
    words after the description when the description alone leaves a question. All optional, so a key
    without them still shows; tests/web/test_settings_page.py asks every registered key for a label
    (and a number for its unit).
    """

    label: str = ""
    unit: str = ""
    help: str = ""

    @property
    def display_label(self) -> str:
        """The label, else the key's last part made readable: "uploads.max_file_mb" → "Max file mb"."""
        words = self.label or self.key.rsplit(".", 1)[-1].replace("_", " ").strip()
        return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class SettingSpec(Presentation):
    """A numeric setting's type (int or float), default and allowed range."""

    key: str
    kind: type
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None

    @property
    def shape(self) -> str:
        """What front ends show and document: integer, number, boolean, string or list."""
        return "integer" if self.kind is int else "number"

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


@dataclass(frozen=True)
class BooleanSetting(Presentation):
    """An on/off setting: only a real true or false, never 0, 1 or "yes" (a typo must not switch it)."""

    key: str
    default: bool
    description: str
    shape = "boolean"

    def parse(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value


@dataclass(frozen=True)
class StringSetting(Presentation):
    """A text setting, trimmed; optionally one of some choices, at most max_length long, matching a pattern.

    pattern_hint says in words what the pattern means, since nobody reads a regular expression.
    """

    key: str
    default: str
    description: str
    choices: tuple[str, ...] = ()
    max_length: int = 200
    pattern: str = ""
    pattern_hint: str = ""
    shape = "string"

    def parse(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        value = value.strip()
        if self.choices and value not in self.choices:
            raise ValueError(f"must be one of: {', '.join(self.choices)}")
        if len(value) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters long")
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueError(f"must be {self.pattern_hint or 'in the expected form'}")
        return value


@dataclass(frozen=True)
class ListSetting(Presentation):
    """A list of strings, normalised: each item trimmed (of whitespace and trim), lowercased when asked,
    empty items dropped and repeats removed, first one kept. Then checked: allowed items, pattern, count.
    """

    key: str
    default: tuple[str, ...]
    description: str
    allowed: tuple[str, ...] = ()
    max_items: int = 50
    item_max_length: int = 100
    item_pattern: str = ""
    item_hint: str = ""
    lowercase: bool = False
    trim: str = ""
    shape = "list"

    def parse(self, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise ValueError("must be a list of text values")
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"must list text values only, and {json.dumps(item)} is not text")
        items = list(dict.fromkeys(filter(None, (self._normalised(item) for item in value))))
        for item in items:
            self._check(item)
        if len(items) > self.max_items:
            raise ValueError(f"may hold at most {self.max_items} items, not {len(items)}")
        return items

    def _normalised(self, item: str) -> str:
        item = item.strip().strip(self.trim).strip()
        return item.lower() if self.lowercase else item

    def _check(self, item: str) -> None:
        shown = json.dumps(item[:40])
        if len(item) > self.item_max_length:
            raise ValueError(f"may hold items of at most {self.item_max_length} characters, and {shown}… is longer")
        if self.allowed and item not in self.allowed:
            raise ValueError(f"cannot include {shown}; allowed: {', '.join(self.allowed)}")
        if self.item_pattern and not re.fullmatch(self.item_pattern, item):
            raise ValueError(f"cannot include {shown}: each item must be {self.item_hint or 'in the expected form'}")


AnySetting = SettingSpec | BooleanSetting | StringSetting | ListSetting
CACHE_KEY = "horseshoe_community_settings"


def _hours(key: str, default: float, description: str, label: str) -> SettingSpec:
    return SettingSpec(key, float, default, description, minimum=0.05, maximum=24 * 90, label=label, unit="hours")


# File types (besides images) the uploads feature can verify by their content. Markup and programs
# (html, htm, svg, js, exe) are never among them: a browser or a desktop could run them.
SAFE_FILE_TYPES = ("pdf", "txt", "log", "csv", "json", "zip")

REGISTRY: dict[str, AnySetting] = {
    spec.key: spec
    for spec in [
        _hours("sla.first_reply_hours", 4, "Hours a question may wait for any reply before escalation.",
               "First reply target"),
        _hours("sla.solution_hours", 48, "Hours a question may wait for an accepted solution.", "Solution target"),
        SettingSpec("sla.sweep_interval_seconds", int, 60, "How often the SLA sweeper runs.", 5, 86400,
                    label="How often SLA clocks are checked", unit="seconds",
                    help="The same sweep also runs bounty and follow-up reminders."),
        SettingSpec("scorecard.first_reply_target_pct", int, 80,
                    "Share of questions the community aims to reply to within the first reply target; the public "
                    "scorecard shows its figure beside this.", 1, 100,
                    label="Scorecard target: questions replied to in time", unit="% of questions"),
        SettingSpec("reputation.daily_vote_cap", int, 200, "Most points a user earns from votes per day.", 0, 100000,
                    label="Reputation from votes per day", unit="points per day"),
        SettingSpec("moderation.hide_threshold", int, 3, "Flag score that hides a post pending review.", 1, 100,
                    label="Flag score that hides a post", unit="flag points",
                    help="Flags from trusted members weigh more; the post goes to the review queue."),
        SettingSpec("sentiment.escalate_below", float, -0.6, "VADER compound at or below which to escalate.", -1, 1,
                    label="Escalate follow-ups this negative", unit="on a −1 to 1 scale",
                    help="Posts are scored from −1 (very upset) to 1 (very happy). An asker's follow-up on an "
                         "unsolved question at or below this score opens a case, or raises its priority."),
        _hours("case.first_response_hours.urgent", 1, "First staff response target for urgent cases.",
               "First response target: urgent cases"),
        _hours("case.first_response_hours.high", 4, "First staff response target for high cases.",
               "First response target: high-priority cases"),
        _hours("case.first_response_hours.normal", 8, "First staff response target for normal cases.",
               "First response target: normal cases"),
        _hours("case.first_response_hours.low", 24, "First staff response target for low cases.",
               "First response target: low-priority cases"),
        _hours("incident.window_hours", 2, "How far back the incident detector looks for similar questions.",
               "Look-back window"),
        SettingSpec("incident.min_questions", int, 5, "Similar unsolved questions that make a possible incident.",
                    2, 1000, label="Similar questions that suggest an incident", unit="questions"),
        SettingSpec("incident.similarity", float, 0.2, "How alike (0..1, cosine of stemmed words) questions must be.",
                    0.05, 1, label="How alike questions must be", unit="on a 0 to 1 scale",
                    help="0 would match anything, 1 only the same wording; 0.2 finds reworded reports."),
        BooleanSetting("uploads.enabled", True, "Members may attach images and files to posts and messages.",
                       label="Allow uploads"),
        SettingSpec("uploads.max_image_mb", float, 10, "Largest image a member may upload, in MB.", 0.1, 100,
                    label="Largest image", unit="MB"),
        SettingSpec("uploads.max_file_mb", float, 25, "Largest other file a member may upload, in MB.", 0.1, 500,
                    label="Largest other file", unit="MB"),
        SettingSpec("uploads.daily_limit", int, 100, "Most uploads one member may make per day.", 0, 10000,
                    label="Uploads per member", unit="per day"),
        ListSetting("uploads.allowed_file_types", ("pdf", "txt", "log"),
                    "File types members may attach besides images, by extension; only types the server "
                    f"verifies by their content: {', '.join(SAFE_FILE_TYPES)}.",
                    allowed=SAFE_FILE_TYPES, max_items=len(SAFE_FILE_TYPES), lowercase=True, trim=".",
                    label="File types allowed besides images"),
        SettingSpec("uploads.hold_new_member_posts", int, 2,
                    "How many of the first posts with attachments by a new member are held for review.", 0, 20,
                    label="New members' posts with attachments held for review", unit="posts"),
        BooleanSetting("accounts.require_verified_email", True,
                       "New accounts only read until their owner follows the link emailed at sign-up.",
                       label="Require a confirmed email address"),
        BooleanSetting("accounts.staff_require_2fa", True,
                       "Staff must turn on two-factor sign-in before they can use staff powers.",
                       label="Staff must use two-factor sign-in"),
        BooleanSetting("accounts.signup_honeypot", True,
                       "Sign-up carries a field people never see; a form that fills it in is refused.",
                       label="Hidden trap field on sign-up"),
        SettingSpec("accounts.signup_min_seconds", int, 3,
                    "Sign-up forms sent back faster than this many seconds are refused (bots fill instantly).",
                    0, 600, label="Fastest sign-up accepted", unit="seconds"),
        ListSetting("accounts.blocked_email_domains", (),
                    "Email domains nobody may sign up with (a domain also blocks its subdomains).",
                    max_items=1000, item_max_length=253, lowercase=True, trim="@.",
                    item_pattern=r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+",
                    item_hint="a domain name such as example.com", label="Blocked email domains"),
        SettingSpec("privacy.ip_retention_days", int, 90,
                    "Days an IP address is kept with a session before it is dropped.", 1, 3650,
                    label="Keep IP addresses for", unit="days"),
        BooleanSetting("conversations.enabled", True, "Members may write to each other in private conversations.",
                       label="Allow private conversations"),
        SettingSpec("conversations.max_participants", int, 5,
                    "Most people in one private conversation, its starter included.", 2, 50,
                    label="People per conversation", unit="people"),
        SettingSpec("conversations.min_account_days", int, 1,
                    "Days an account must exist before it may start a private conversation (staff exempt).", 0, 365,
                    label="Account age before starting a conversation", unit="days"),
        BooleanSetting("mail.reply_by_email", True,
                       "Members may answer a notification about a thread, case or conversation by replying to "
                       "its email.", label="Reply by email"),
        SettingSpec("mail.reply_key_days", int, 90,
                    "Days the reply address in a notification email keeps working.", 1, 3650,
                    label="Reply addresses work for", unit="days"),
        SettingSpec("mail.max_message_mb", float, 10,
                    "Largest email accepted, attachments included; larger ones get a bounce.", 0.1, 50,
                    label="Largest email received", unit="MB"),
        BooleanSetting("mail.staged_accounts", False,
                       "Mail to a category address from someone without an account makes one for them (no "
                       "password; they claim it later). Off: they are invited to sign up instead.",
                       label="Accounts for people who write in"),
        SettingSpec("mail.confirmation_days", int, 7,
                    "Days a question sent by email waits for its sender to confirm it before it is dropped.",
                    1, 60, label="Emailed questions wait for confirmation", unit="days"),
        SettingSpec("mail.bounce_threshold", int, 3,
                    "Bounces after which notifications and digests to an address stop (sign-in mail is "
                    "always attempted).", 1, 100, label="Bounces before mail to an address stops", unit="bounces"),
        SettingSpec("knowledge.review_interval_days", int, 180,
                    "Days after its last review when the owner of an article is reminded to check it is still right.",
                    7, 3650, label="Review articles every", unit="days"),
        SettingSpec("knowledge.propose_reputation", int, 1000,
                    "Reputation a member needs to propose knowledge-base articles (the Expert rank; advocates and "
                    "staff always may).", 0, 1_000_000, label="Reputation to propose articles", unit="points"),
        SettingSpec("knowledge.published_points", int, 25,
                    "Reputation a member earns when an article they proposed is published (staff earn none).",
                    0, 1000, label="Reputation for a published article", unit="points"),
        SettingSpec("knowledge.deflection_minutes", int, 30,
                    "Minutes after opening a suggestion from the ask page without posting a question that count "
                    "as a deflection.", 1, 1440, label="Deflection window", unit="minutes"),
        SettingSpec("search.similar_shown", int, 10,
                    "Most similar questions and articles the ask page suggests while a question is written.", 1, 10,
                    label="Suggestions while asking", unit="suggestions"),
        SettingSpec("search.suggest_answer_votes", int, 3,
                    "Helpful votes on a reply that make an unsolved thread worth suggesting to someone asking the "
                    "same (a reply from staff always does).", 1, 1000,
                    label="Votes that make an answer worth suggesting", unit="helpful votes"),
        SettingSpec("search.duplicate_threshold", float, 0.5,
                    "How alike (0..1) a new question must be to an earlier one to be listed to moderators as a "
                    "possible duplicate.", 0.05, 1, label="Possible duplicates: how alike", unit="on a 0 to 1 scale",
                    help="0 would list any question sharing a word, 1 only the same wording; 0.5 finds most "
                         "reworded duplicates."),
        BooleanSetting("search.semantic_similar", False, "Similar questions also weigh meaning, not only shared words "
                       "(needs the optional semantic package).", label="Similar questions by meaning"),
        SettingSpec("conversations.daily_limit", int, 10,
                    "Most private conversations one member may start per day (staff exempt).", 1, 1000,
                    label="Conversations a member may start", unit="per day"),
    ]
}


def _current(spec: AnySetting, row: CommunitySetting | None) -> Any:
    """The stored value as the setting's type; the default when none is stored, or when the stored one
    no longer passes the setting's rules (a tightened rule must not leave a value nothing can read)."""
    if row is not None:
        try:
            return spec.parse(json.loads(row.value_json))
        except ValueError:
            pass
    return list(spec.default) if isinstance(spec.default, tuple) else spec.default


def get_setting(key: str) -> Any:
    """The current value of key: the stored override, else the default."""
    return _current(REGISTRY[key], db.session.get(CommunitySetting, key))


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
    """Every setting as one flat {key: value} object (the API's settings shape)."""
    stored = {row.key: row for row in db.session.scalars(db.select(CommunitySetting))}
    return {key: _current(spec, stored.get(key)) for key, spec in REGISTRY.items()}


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
        row.updated_by_id = actor.id if actor is not None else None
        db.session.add(row)
    db.session.commit()
    forget_cached()
    return all_settings()


def sweep_interval_s() -> float:
    """How often the periodic sweeps run (SLA, bounties, Q&A care): read when the worker schedules them."""
    return get_setting("sla.sweep_interval_seconds")
