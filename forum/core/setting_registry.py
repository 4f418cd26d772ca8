"""Which community settings exist: their kinds (number, boolean, string, list) and the registry of every key.

forum.services.community_settings reads and stores their values (and re-exports these names). Each kind
checks a value from any front end (a JSON body or a parsed form) and says in plain words why it refuses
one, in the language of the request, so the page and the API give the same reasons. Label, unit, help
and description are marked with N_ only: the API and the OpenAPI document give them in English, and the
admin page translates them where it shows them (forum.web.settings_display).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forum.core import colours
from forum.core.i18n import N_, _, ngettext


def _hint(hint: str) -> str:
    """A pattern's description in words, translated where one is given."""
    return _(hint) if hint else _("in the expected form")


@dataclass(frozen=True, kw_only=True)
class Presentation:
    """How the admin page shows a setting (forum.web.settings_display groups it by its key's prefix).

    label names it in a few words; unit is what a number counts (hours, MB, per day: a %-format without
    placeholders, so a percent sign is written %%); help adds plain words after the description when the
    description alone leaves a question. All optional, so a key
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
        """Return value coerced to this setting's type, or raise ValueError with a reason (a sentence)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(_("It must be a number."))
        try:
            if not math.isfinite(value):
                raise ValueError(_("It must be a finite number."))
            if self.kind is int and float(value) != int(value):
                raise ValueError(_("It must be a whole number."))
            value = self.kind(value)
        except OverflowError as exc:
            raise ValueError(_("It is far too large.")) from exc
        if self.minimum is not None and value < self.minimum:
            raise ValueError(_("It must be at least %(minimum)s.", minimum=format(self.minimum, "g")))
        if self.maximum is not None and value > self.maximum:
            raise ValueError(_("It must be at most %(maximum)s.", maximum=format(self.maximum, "g")))
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
            raise ValueError(_("It must be true or false."))
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
            raise ValueError(_("It must be text."))
        value = value.strip()
        if self.choices and value not in self.choices:
            raise ValueError(_("It must be one of: %(choices)s.", choices=", ".join(self.choices)))
        if len(value) > self.max_length:
            raise ValueError(ngettext("It must be at most %(num)d character long.",
                                      "It must be at most %(num)d characters long.", self.max_length))
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueError(_("It must be %(hint)s.", hint=_hint(self.pattern_hint)))
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
            raise ValueError(_("It must be a list of text values."))
        for item in value:
            if not isinstance(item, str):
                raise ValueError(_("It must list text values only, and %(item)s is not text.", item=json.dumps(item)))
        items = list(dict.fromkeys(filter(None, (self._normalised(item) for item in value))))
        for item in items:
            self._check(item)
        if len(items) > self.max_items:
            raise ValueError(ngettext("It may hold at most %(num)d item, not %(count)d.",
                                      "It may hold at most %(num)d items, not %(count)d.", self.max_items,
                                      count=len(items)))
        return items

    def _normalised(self, item: str) -> str:
        item = item.strip().strip(self.trim).strip()
        return item.lower() if self.lowercase else item

    def _check(self, item: str) -> None:
        shown = json.dumps(item[:40])
        if len(item) > self.item_max_length:
            raise ValueError(ngettext("It may hold items of at most %(num)d character, and %(item)s… is longer.",
                                      "It may hold items of at most %(num)d characters, and %(item)s… is longer.",
                                      self.item_max_length, item=shown))
        if self.allowed and item not in self.allowed:
            raise ValueError(_("It cannot include %(item)s; allowed: %(allowed)s.", item=shown,
                               allowed=", ".join(self.allowed)))
        if self.item_pattern and not re.fullmatch(self.item_pattern, item):
            raise ValueError(_("It cannot include %(item)s: each item must be %(hint)s.", item=shown,
                               hint=_hint(self.item_hint)))


@dataclass(frozen=True)
class ColourSetting(StringSetting):
    """A colour "#rrggbb" that white text on it, and text in it on white, read at WCAG AA (4.5:1)."""

    pattern: str = "#[0-9a-fA-F]{6}"
    pattern_hint: str = N_("# and six hexadecimal digits, such as #1f5fbf")

    def parse(self, value: Any) -> str:
        value = super().parse(value).lower()
        ratio = colours.contrast(value, "#ffffff")
        if ratio < colours.AA_TEXT:
            raise ValueError(_("This colour is too light: white text on it has a contrast of %(ratio)s:1, and at "
                               "least %(minimum)s:1 is needed to read it. Choose a darker shade.",
                               ratio=format(ratio, ".1f"), minimum=colours.AA_TEXT))
        return value


AnySetting = SettingSpec | BooleanSetting | StringSetting | ListSetting


def _hours(key: str, default: float, description: str, label: str) -> SettingSpec:
    return SettingSpec(key, float, default, description, minimum=0.05, maximum=24 * 90, label=label,
                       unit=N_("hours"))


# File types (besides images) the uploads feature can verify by their content. Markup and programs
# (html, htm, svg, js, exe) are never among them: a browser or a desktop could run them.
SAFE_FILE_TYPES = ("pdf", "txt", "log", "csv", "json", "zip")
# uploads.allowed_file_types' description names them (a literal, so it can be translated): keep it in step.
_SAFE_TYPES_WORDS = N_("File types members may attach besides images, by extension; only types the server "
                       "verifies by their content: pdf, txt, log, csv, json, zip.")
ON_SCALE = N_("on a 0 to 1 scale")
DAYS, PER_DAY = N_("days"), N_("per day")

REGISTRY: dict[str, AnySetting] = {
    spec.key: spec
    for spec in [
        _hours("sla.first_reply_hours", 4, N_("Hours a question may wait for any reply before escalation."),
               N_("First reply target")),
        _hours("sla.solution_hours", 48, N_("Hours a question may wait for an accepted solution."),
               N_("Solution target")),
        SettingSpec("sla.sweep_interval_seconds", int, 60, N_("How often the SLA sweeper runs."), 5, 86400,
                    label=N_("How often SLA clocks are checked"), unit=N_("seconds"),
                    help=N_("The same sweep also runs bounty and follow-up reminders.")),
        SettingSpec("scorecard.first_reply_target_pct", int, 80,
                    N_("Share of questions the community aims to reply to within the first reply target; the "
                       "public scorecard shows its figure beside this."), 1, 100,
                    label=N_("Scorecard target: questions replied to in time"), unit=N_("%% of questions")),
        SettingSpec("reputation.daily_vote_cap", int, 200, N_("Most points a user earns from votes per day."),
                    0, 100000, label=N_("Reputation from votes per day"), unit=N_("points per day")),
        SettingSpec("moderation.hide_threshold", int, 3, N_("Flag score that hides a post pending review."), 1, 100,
                    label=N_("Flag score that hides a post"), unit=N_("flag points"),
                    help=N_("Flags from trusted members weigh more; the post goes to the review queue.")),
        SettingSpec("sentiment.escalate_below", float, -0.6, N_("VADER compound at or below which to escalate."),
                    -1, 1, label=N_("Escalate follow-ups this negative"), unit=N_("on a −1 to 1 scale"),
                    help=N_("Posts are scored from −1 (very upset) to 1 (very happy). An asker's follow-up on an "
                            "unsolved question at or below this score opens a case, or raises its priority.")),
        _hours("case.first_response_hours.urgent", 1, N_("First staff response target for urgent cases."),
               N_("First response target: urgent cases")),
        _hours("case.first_response_hours.high", 4, N_("First staff response target for high cases."),
               N_("First response target: high-priority cases")),
        _hours("case.first_response_hours.normal", 8, N_("First staff response target for normal cases."),
               N_("First response target: normal cases")),
        _hours("case.first_response_hours.low", 24, N_("First staff response target for low cases."),
               N_("First response target: low-priority cases")),
        _hours("incident.window_hours", 2, N_("How far back the incident detector looks for similar questions."),
               N_("Look-back window")),
        SettingSpec("incident.min_questions", int, 5, N_("Similar unsolved questions that make a possible incident."),
                    2, 1000, label=N_("Similar questions that suggest an incident"), unit=N_("questions")),
        SettingSpec("incident.similarity", float, 0.2,
                    N_("How alike (0..1, cosine of stemmed words) questions must be."), 0.05, 1,
                    label=N_("How alike questions must be"), unit=ON_SCALE,
                    help=N_("0 would match anything, 1 only the same wording; 0.2 finds reworded reports.")),
        BooleanSetting("uploads.enabled", True, N_("Members may attach images and files to posts and messages."),
                       label=N_("Allow uploads")),
        SettingSpec("uploads.max_image_mb", float, 10, N_("Largest image a member may upload, in MB."), 0.1, 100,
                    label=N_("Largest image"), unit=N_("MB")),
        SettingSpec("uploads.max_file_mb", float, 25, N_("Largest other file a member may upload, in MB."), 0.1, 500,
                    label=N_("Largest other file"), unit=N_("MB")),
        SettingSpec("uploads.daily_limit", int, 100, N_("Most uploads one member may make per day."), 0, 10000,
                    label=N_("Uploads per member"), unit=PER_DAY),
        ListSetting("uploads.allowed_file_types", ("pdf", "txt", "log"), _SAFE_TYPES_WORDS,
                    allowed=SAFE_FILE_TYPES, max_items=len(SAFE_FILE_TYPES), lowercase=True, trim=".",
                    label=N_("File types allowed besides images")),
        SettingSpec("uploads.hold_new_member_posts", int, 2,
                    N_("How many of the first posts with attachments by a new member are held for review."), 0, 20,
                    label=N_("New members' posts with attachments held for review"), unit=N_("posts")),
        BooleanSetting("accounts.require_verified_email", True,
                       N_("New accounts only read until their owner follows the link emailed at sign-up."),
                       label=N_("Require a confirmed email address")),
        BooleanSetting("accounts.staff_require_2fa", True,
                       N_("Staff must turn on two-factor sign-in before they can use staff powers."),
                       label=N_("Staff must use two-factor sign-in")),
        BooleanSetting("accounts.signup_honeypot", True,
                       N_("Sign-up carries a field people never see; a form that fills it in is refused."),
                       label=N_("Hidden trap field on sign-up")),
        SettingSpec("accounts.signup_min_seconds", int, 3,
                    N_("Sign-up forms sent back faster than this many seconds are refused (bots fill instantly)."),
                    0, 600, label=N_("Fastest sign-up accepted"), unit=N_("seconds")),
        ListSetting("accounts.blocked_email_domains", (),
                    N_("Email domains nobody may sign up with (a domain also blocks its subdomains)."),
                    max_items=1000, item_max_length=253, lowercase=True, trim="@.",
                    item_pattern=r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+",
                    item_hint=N_("a domain name such as example.com"), label=N_("Blocked email domains")),
        SettingSpec("privacy.ip_retention_days", int, 90,
                    N_("Days an IP address is kept with a session before it is dropped."), 1, 3650,
                    label=N_("Keep IP addresses for"), unit=DAYS),
        BooleanSetting("conversations.enabled", True,
                       N_("Members may write to each other in private conversations."),
                       label=N_("Allow private conversations")),
        SettingSpec("conversations.max_participants", int, 5,
                    N_("Most people in one private conversation, its starter included."), 2, 50,
                    label=N_("People per conversation"), unit=N_("people")),
        SettingSpec("conversations.min_account_days", int, 1,
                    N_("Days an account must exist before it may start a private conversation (staff exempt)."),
                    0, 365, label=N_("Account age before starting a conversation"), unit=DAYS),
        BooleanSetting("mail.reply_by_email", True,
                       N_("Members may answer a notification about a thread, case or conversation by replying to "
                          "its email."), label=N_("Reply by email")),
        SettingSpec("mail.reply_key_days", int, 90,
                    N_("Days the reply address in a notification email keeps working."), 1, 3650,
                    label=N_("Reply addresses work for"), unit=DAYS),
        SettingSpec("mail.max_message_mb", float, 10,
                    N_("Largest email accepted, attachments included; larger ones get a bounce."), 0.1, 50,
                    label=N_("Largest email received"), unit=N_("MB")),
        BooleanSetting("mail.staged_accounts", False,
                       N_("Mail to a category address from someone without an account makes one for them (no "
                          "password; they claim it later). Off: they are invited to sign up instead."),
                       label=N_("Accounts for people who write in")),
        SettingSpec("mail.confirmation_days", int, 7,
                    N_("Days a question sent by email waits for its sender to confirm it before it is dropped."),
                    1, 60, label=N_("Emailed questions wait for confirmation"), unit=DAYS),
        SettingSpec("mail.bounce_threshold", int, 3,
                    N_("Bounces after which notifications and digests to an address stop (sign-in mail is "
                       "always attempted)."), 1, 100,
                    label=N_("Bounces before mail to an address stops"), unit=N_("bounces")),
        SettingSpec("knowledge.review_interval_days", int, 180,
                    N_("Days after its last review when the owner of an article is reminded to check it is still "
                       "right."), 7, 3650, label=N_("Review articles every"), unit=DAYS),
        SettingSpec("knowledge.propose_reputation", int, 1000,
                    N_("Reputation a member needs to propose knowledge-base articles (the Expert rank; advocates "
                       "and staff always may)."), 0, 1_000_000,
                    label=N_("Reputation to propose articles"), unit=N_("points")),
        SettingSpec("knowledge.published_points", int, 25,
                    N_("Reputation a member earns when an article they proposed is published (staff earn none)."),
                    0, 1000, label=N_("Reputation for a published article"), unit=N_("points")),
        SettingSpec("knowledge.deflection_minutes", int, 30,
                    N_("Minutes after opening a suggestion from the ask page without posting a question that count "
                       "as a deflection."), 1, 1440, label=N_("Deflection window"), unit=N_("minutes")),
        SettingSpec("search.similar_shown", int, 10,
                    N_("Most similar questions and articles the ask page suggests while a question is written."),
                    1, 10, label=N_("Suggestions while asking"), unit=N_("suggestions")),
        SettingSpec("search.suggest_answer_votes", int, 3,
                    N_("Helpful votes on a reply that make an unsolved thread worth suggesting to someone asking "
                       "the same (a reply from staff always does)."), 1, 1000,
                    label=N_("Votes that make an answer worth suggesting"), unit=N_("helpful votes")),
        SettingSpec("search.duplicate_threshold", float, 0.5,
                    N_("How alike (0..1) a new question must be to an earlier one to be listed to moderators as a "
                       "possible duplicate."), 0.05, 1, label=N_("Possible duplicates: how alike"), unit=ON_SCALE,
                    help=N_("0 would list any question sharing a word, 1 only the same wording; 0.5 finds most "
                            "reworded duplicates.")),
        BooleanSetting("search.semantic_similar", False,
                       N_("Similar questions also weigh meaning, not only shared words (needs the optional semantic "
                          "package)."), label=N_("Similar questions by meaning")),
        SettingSpec("conversations.daily_limit", int, 10,
                    N_("Most private conversations one member may start per day (staff exempt)."), 1, 1000,
                    label=N_("Conversations a member may start"), unit=PER_DAY),
        # Branding (forum.appearance): changed on /admin/branding, where the logo is uploaded too.
        StringSetting("branding.site_name", "Horseshoe",
                      N_("The name of the community, in the header (without a logo) and in the title of every page."),
                      max_length=60, pattern=r".*\S.*", pattern_hint=N_("not empty"), label=N_("Community name")),
        ColourSetting("branding.accent_colour", "#1f5fbf", N_("The accent colour of links and buttons (the dark "
                      "theme uses a lighter shade of it)."), max_length=7, label=N_("Accent colour")),
        SettingSpec("branding.logo_upload_id", int, 0, N_("The upload shown as the logo (0: none); set by "
                    "uploading one on the branding page."), 0, 2**31 - 1, label=N_("Logo"), unit=N_("upload id")),
    ]
}


def register(*specs: AnySetting) -> None:
    """Add a domain package's settings to REGISTRY (each package keeps its numbers beside its rules).

    The ground floor may not import a domain package, so a package calls this from its own settings
    module, imported by its init_app. Registering the same spec again is harmless (an app per test);
    another spec under a taken key is a programming error.
    """
    for spec in specs:
        existing = REGISTRY.get(spec.key)
        if existing is not None and existing != spec:
            raise ValueError(f"setting {spec.key!r} is registered twice with different definitions")
        REGISTRY[spec.key] = spec


# A rule across settings (rank thresholds rise rank by rank): given every value as it would stand after a
# change and the keys the change moves, it returns {key: reason} for the keys it refuses (a changed one).
CrossCheck = Callable[[dict[str, Any], set[str]], dict[str, str]]
CROSS_CHECKS: list[CrossCheck] = []


def register_check(check: CrossCheck) -> None:
    """Add a rule that weighs several settings together; a package calls it beside register()."""
    if check not in CROSS_CHECKS:
        CROSS_CHECKS.append(check)
