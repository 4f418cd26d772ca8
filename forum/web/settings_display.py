"""The admin settings page's view of the settings: grouped by what they govern, named, with units and defaults.

A setting's group comes from its key's prefix (`sentiment.` → Sentiment) through the small GROUPS table,
so a feature that registers `sentiment.something` joins that group with no further edit; a new prefix
needs one line here (tests/web/test_settings_page.py fails until it has one). Label, unit and help are
optional fields of the setting's spec (forum.services.community_settings.Presentation). No Flask here:
plain data for the template, translated here (the registry keeps its words English for the API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forum.core.i18n import N_, _
from forum.services import community_settings
from forum.services.community_settings import AnySetting


@dataclass(frozen=True)
class Group:
    slug: str  # the heading's id on the page
    title: str  # English (marked with N_); grouped() translates it
    prefixes: tuple[str, ...]
    intro: str = ""  # what holds for the whole group, shown under its heading (N_ too)


# Page order. The longest matching prefix wins, so a group may take some keys of another's prefix.
GROUPS = (
    Group("reputation", N_("Reputation"), ("reputation.", "badges.", "missions."),
          N_("Changing points applies to reputation earned from now on: reputation already earned keeps its points, "
             "and undoing it (a withdrawn vote, a removed post) takes back exactly what it gave.")),
    Group("ranks", N_("Ranks and privileges"), ("ranks.", "privileges.")),
    Group("bounties", N_("Bounties"), ("bounty.", "bounties."),
          N_("Changing the bounty's points applies to bounties won from now on.")),
    Group("moderation", N_("Moderation and spam"),
          ("moderation.", "flags.", "spam.", "accounts.signup_", "accounts.blocked_email_domains")),
    Group("limits", N_("Rate limits"), ("limits.",)),
    Group("cases", N_("Service cases and SLA"), ("sla.", "case.", "cases.", "scorecard.")),
    Group("sentiment", N_("Sentiment"), ("sentiment.",)),
    Group("incidents", N_("Incidents"), ("incident.", "incidents.")),
    Group("accounts", N_("Accounts and sign-in"), ("accounts.",)),
    Group("privacy", N_("Privacy"), ("privacy.",)),
    Group("notifications", N_("Notifications and email"), ("notifications.", "mail.", "email.", "digest.")),
    Group("conversations", N_("Conversations"), ("conversations.",)),
    Group("knowledge", N_("Knowledge base"), ("knowledge.",)),
    Group("ideas", N_("Ideas board"), ("ideas.",),
          N_("Lowering the vote budget takes no vote back: members above it cast no new vote until closed ideas "
             "give theirs back.")),
    Group("search", N_("Search"), ("search.",)),
    Group("uploads", N_("Uploads"), ("uploads.",)),
    Group("tags", N_("Tags"), ("tags.", "tagging.")),
    Group("writing", N_("Writing and drafts"), ("writing.", "drafts.")),
    Group("branding", N_("Branding"), ("branding.",)),  # also on /admin/branding, with the logo upload
    Group("backup", N_("Backups"), ("backup.",)),
)
OTHER = Group("other", N_("Other settings"), ())


def group_of(key: str) -> Group | None:
    """The group whose longest prefix starts key; None when no prefix does (OTHER on the page)."""
    matches = [(len(prefix), group) for group in GROUPS for prefix in group.prefixes if key.startswith(prefix)]
    return max(matches, key=lambda match: match[0])[1] if matches else None


def value_text(spec: AnySetting, value: Any) -> str:
    """A value in words: On/Off, numbers without a needless .0 and with their unit, lists comma-separated."""
    if isinstance(value, bool):
        return _("On") if value else _("Off")
    if isinstance(value, list | tuple):
        return ", ".join(value) if value else _("(none)")
    if isinstance(value, str):
        return value or _("(empty)")
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number} {_unit(spec)}" if spec.unit else number


def _shown(text: str) -> str:
    """Registry text (English, marked with N_) in the reader's language; empty stays empty."""
    return _(text) if text else ""


def _unit(spec: AnySetting) -> str:
    """The unit in the reader's language; units are %-formats ("%% of questions" reads "% of questions")."""
    return _shown(spec.unit) % {}


@dataclass(frozen=True)
class SettingView:
    """One setting on the page: its field is form[key]; the rest says what it is and how it stands."""

    key: str
    label: str
    description: str
    help: str
    unit: str
    shape: str
    minimum: float | None
    maximum: float | None
    step: str  # the number input's step: "1" for whole numbers, "any" otherwise
    default_text: str
    changed: bool  # differs from the default
    rows: int  # a list's text box: one line per item, and one to spare


@dataclass(frozen=True)
class GroupView:
    slug: str
    title: str
    settings: list[SettingView]
    intro: str = ""

    @property
    def changed_count(self) -> int:
        return sum(setting.changed for setting in self.settings)


def _default(spec: AnySetting) -> Any:
    return list(spec.default) if isinstance(spec.default, tuple) else spec.default


def _view(spec: AnySetting, value: Any) -> SettingView:
    numeric = spec.shape in ("integer", "number")
    items = len(value) if isinstance(value, list) else 0
    return SettingView(
        key=spec.key, label=_shown(spec.label) or spec.display_label, description=_shown(spec.description),
        help=_shown(spec.help), unit=_unit(spec), shape=spec.shape,
        minimum=spec.minimum if numeric else None, maximum=spec.maximum if numeric else None,
        step="1" if spec.shape == "integer" else "any", default_text=value_text(spec, _default(spec)),
        changed=value != _default(spec), rows=min(max(items + 1, 3), 12),
    )


def grouped(values: dict[str, Any]) -> list[GroupView]:
    """Every registered setting with its current value (from all_settings()), in GROUPS order then
    registration order; keys no group claims come last, under OTHER."""
    members: dict[Group, list[SettingView]] = {}
    for key, spec in community_settings.REGISTRY.items():
        members.setdefault(group_of(key) or OTHER, []).append(_view(spec, values[key]))
    return [GroupView(group.slug, _(group.title), members[group], _shown(group.intro))
            for group in (*GROUPS, OTHER) if group in members]

