"""Audit entries as people read them: who did what to which thing, when (in the reader's time zone), and
what changed, in words ("Visibility: Public → Hidden", never "None →" or a microsecond timestamp).

describe() takes a page of entries and loads what they name once for the page: one query per kind
(posts with their threads, threads, members, categories, tags, cases), never one per entry. Posts and
threads come through the visibility filters, and cases through the case rule, so a thing the reader
may not open is named only by its number, never by its title. Links are left to the page: a Ref
carries the loaded object, or None when it must stay plain text.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from forum.core import local_time
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.models import AuditEntry, Case, Category, Post, Tag, Thread, User, Visibility
from forum.services import community_settings
from forum.services.permissions import Action, can, visible_posts, visible_threads
from moderation.services import audit_labels

LONG_TEXT = 120  # characters shown of a longer value; the whole value stays one click away
WITHHELD = {"body", "title", "tags"}  # the words of a post or thread the reader may not open
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


@dataclass(frozen=True)
class Ref:
    """Something an entry names. target is what a link opens (a loaded row, or a settings key), None for
    plain text: the reader may not open it, it is gone, or it has no page."""

    kind: str
    text: str
    target: Any = None
    note: str = ""  # "deleted", "hidden": the state of a thing only staff can open anyway


@dataclass(frozen=True)
class Shown:
    """One value in words; full holds the whole text when text is cut short."""

    text: str
    full: str = ""
    ref: Ref | None = None


@dataclass(frozen=True)
class Change:
    label: str
    before: Shown | None  # None: the entry kept no earlier value (something created)
    after: Shown | None  # None: nothing after (something deleted)


@dataclass(frozen=True)
class EntryView:
    id: int
    action: str  # the code, for the filter
    actor: User | None  # None: the system
    summary: str  # "hid a reply in"
    target: Ref | None  # None when the summary says it all (the actor's own account)
    created_at: datetime
    when: str  # "6 Dec 2026, 14:05" in the reader's zone
    reason: str
    changes: list[Change] = field(default_factory=list)


def _state(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class _Loaded:
    """What a page of entries names, loaded once: kind → id → row (only rows the reader may open)."""

    rows: dict[str, dict[int, Any]]
    zone: ZoneInfo
    viewer: User | None

    def get(self, kind: str, ident: Any) -> Any:
        return self.rows.get(kind, {}).get(ident) if isinstance(ident, int) else None


def _wanted(entries: Iterable[tuple[AuditEntry, dict, dict]]) -> dict[str, set[int]]:
    """kind → ids the entries name: their targets, the members appeals name, ids in referring fields."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry, before, after in entries:
        if entry.target_type in ("post", "thread", "user", "category", "tag"):
            wanted[entry.target_type].add(entry.target_id)
        for state in (before, after):
            for name, kind in audit_labels.REFERENCES.items():
                if isinstance(state.get(name), int) and not isinstance(state.get(name), bool):
                    wanted[kind].add(state[name])
    return wanted


def _load(viewer: User | None, wanted: dict[str, set[int]]) -> dict[str, dict[int, Any]]:
    queries = {
        "post": visible_posts(viewer).options(contains_eager(Post.thread)).where(Post.id.in_(wanted["post"])),
        "thread": visible_threads(viewer).where(Thread.id.in_(wanted["thread"])),
        "user": select(User).where(User.id.in_(wanted["user"])),
        "category": select(Category).where(Category.id.in_(wanted["category"])),
        "tag": select(Tag).where(Tag.id.in_(wanted["tag"])),
        "case": select(Case).where(Case.id.in_(wanted["case"])),
    }
    rows = {kind: {row.id: row for row in db.session.scalars(query).unique()}
            for kind, query in queries.items() if wanted.get(kind)}
    rows["case"] = {ident: case for ident, case in rows.get("case", {}).items() if can(viewer, Action.CASE_VIEW, case)}
    return rows


def describe(viewer: User | None, entries: list[AuditEntry]) -> list[EntryView]:
    """Entries (their actors loaded) as the audit page shows them to viewer."""
    parsed = [(entry, _state(entry.before_json), _state(entry.after_json)) for entry in entries]
    loaded = _Loaded(_load(viewer, _wanted(parsed)), local_time.zone_of(getattr(viewer, "time_zone", None)), viewer)
    return [_entry_view(entry, before, after, loaded) for entry, before, after in parsed]


def _entry_view(entry: AuditEntry, before: dict, after: dict, loaded: _Loaded) -> EntryView:
    summary, target = _summary_and_target(entry, before, after, loaded)
    return EntryView(
        id=entry.id, action=entry.action, actor=entry.actor, summary=summary, target=target,
        created_at=entry.created_at, when=local_time.short_moment(entry.created_at, loaded.zone),
        reason=entry.reason or "",
        changes=_changes(entry, before, after, loaded),
    )


def _readable_code(code: str) -> str:
    return code.replace(".", " ").replace("_", " ")


def _summary_and_target(entry: AuditEntry, before: dict, after: dict, loaded: _Loaded) -> tuple[str, Ref | None]:
    phrase = str(audit_labels.ACTIONS.get(entry.action) or _readable_code(entry.action))
    if entry.target_type == "post":
        noun, target = _post(entry.target_id, loaded)
        return (phrase.replace("{post}", noun) if "{post}" in phrase else f"{phrase} {noun}"), target
    if entry.action == "settings.update":
        return _settings(after or before, loaded)
    own_account = entry.target_type == "user" and entry.actor_id == entry.target_id
    if own_account and entry.action in audit_labels.ACTIONS:
        return phrase, None
    return phrase, _target(entry, {**before, **after}, loaded)


def _post(post_id: int, loaded: _Loaded) -> tuple[str, Ref]:
    """("a reply in", “Title”) for a post the reader may open; ("a post", #449) otherwise."""
    post = loaded.get("post", post_id)
    if post is None:
        return _("a post"), Ref("post", f"#{post_id}")
    note = _("deleted") if post.deleted_at is not None or post.thread.deleted_at is not None else (
        "" if post.visibility == Visibility.PUBLIC.value else _visibility_word(post.visibility))
    return (_("the question") if post.is_question else _("a reply in")), Ref("post", f"“{post.thread.title}”", post,
                                                                             note)


def _visibility_word(visibility: str) -> str:
    return str(audit_labels.VALUES["visibility"].get(visibility, visibility)).lower()


def _settings(changed: dict, loaded: _Loaded) -> tuple[str, Ref]:
    names = [f"“{_setting_label(key, with_unit=False)}”" for key in changed]
    phrase = (str(audit_labels.ACTIONS["settings.update"]) if len(names) <= 1 else
              ngettext("changed %(num)d setting:", "changed %(num)d settings:", len(names)))
    text = _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1]) if len(names) > 1 else (
        names[0] if names else "")
    may_open = can(loaded.viewer, Action.SETTINGS_MANAGE)
    return phrase, Ref("settings", text or _("the settings"), next(iter(changed), "") if may_open else None)


def _setting_label(key: str, with_unit: bool = True) -> str:
    spec = community_settings.REGISTRY.get(key)
    if spec is None:
        return key
    return f"{spec.display_label} ({spec.unit})" if with_unit and spec.unit else str(spec.display_label)


def _named(kind: str, row: Any, text: str) -> Ref:
    return Ref(kind, text, row) if row is not None else Ref(kind, text)


def _target(entry: AuditEntry, state: dict, loaded: _Loaded) -> Ref:
    """The thing an entry acted on, named as well as the reader may know it."""
    kind, ident = entry.target_type, entry.target_id
    row = loaded.get(kind, ident)
    if kind == "thread":
        return _thread_ref(ident, loaded)
    if kind == "user":
        return _named("user", row, row.username) if row else Ref("user", _("an unknown account") if not ident else
                                                                _("account #%(number)s", number=ident))
    if kind in ("category", "tag"):
        return _named(kind, row, f"“{row.name}”") if row else Ref(kind, _quoted(state.get("name"), f"#{ident}"))
    if kind == "appeal":
        member = loaded.get("user", state.get("user_id"))
        return _named("user", member, member.username) if member else Ref("appeal", _("appeal #%(number)s",
                                                                                        number=ident))
    if kind == "watched_word":
        may_open = can(loaded.viewer, Action.WATCHED_WORDS_MANAGE)
        return Ref("watched_words", _quoted(state.get("phrase"), f"#{ident}"), True if may_open else None)
    texts = {"mission": state.get("title"), "article": state.get("title"), "upload": state.get("filename"),
             "api_token": state.get("name"), "job": state.get("name")}
    return Ref(kind, _quoted(texts.get(kind), f"#{ident}"))


def _thread_ref(thread_id: Any, loaded: _Loaded) -> Ref:
    thread = loaded.get("thread", thread_id)
    if thread is None:
        return Ref("thread", f"#{thread_id}")
    note = _("deleted") if thread.deleted_at is not None else (
        "" if thread.visibility == Visibility.PUBLIC.value else _visibility_word(thread.visibility))
    return Ref("thread", f"“{thread.title}”", thread, note)


def _quoted(text: Any, fallback: str) -> str:
    return f"“{text}”" if isinstance(text, str) and text else fallback


def _changes(entry: AuditEntry, before: dict, after: dict, loaded: _Loaded) -> list[Change]:
    settings = entry.action == "settings.update"
    unseen = entry.target_type in ("post", "thread") and loaded.get(entry.target_type, entry.target_id) is None
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if name in before and name in after and before[name] == after[name]:
            continue  # kept for the record; nothing to read
        label = _setting_label(name) if settings else str(audit_labels.FIELDS.get(name) or
                                                           _readable_code(name).capitalize())
        withheld = unseen and name in WITHHELD
        changes.append(Change(
            label,
            _shown(name, before[name], loaded, withheld) if name in before else None,
            _shown(name, after[name], loaded, withheld) if name in after else None,
        ))
    return changes


def _shown(name: str, value: Any, loaded: _Loaded, withheld: bool = False) -> Shown:
    if withheld:
        return Shown(_("(not shown)"))
    kind = audit_labels.REFERENCES.get(name)
    if kind is not None and isinstance(value, int) and not isinstance(value, bool):
        ref = _reference(kind, value, loaded)
        return Shown(ref.text, ref=ref)
    text = value_text(name, value, loaded.zone)
    if len(text) > LONG_TEXT:
        return Shown(text[:LONG_TEXT].rstrip() + "…", full=text)
    return Shown(text)


def _reference(kind: str, ident: int, loaded: _Loaded) -> Ref:
    row = loaded.get(kind, ident)
    if kind == "thread":
        return _thread_ref(ident, loaded)
    if kind == "user":
        return _named(kind, row, row.username if row else _("account #%(number)s", number=ident))
    if kind == "category":
        return _named(kind, row, row.name if row else _("category #%(number)s", number=ident))
    if kind == "case":
        return _named(kind, row, _("case #%(number)s", number=ident))
    return _named(kind, row, f"{kind} #{ident}")


def value_text(name: str, value: Any, zone: ZoneInfo) -> str:
    """A recorded value in words: (none), Yes/No, a moment without seconds in zone, codes as words."""
    if value is None:
        return _("(none)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(value_text(name, item, zone) for item in value) if value else _("(none)")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {value_text(key, item, zone)}" for key, item in value.items()) or _("(none)")
    if not isinstance(value, str):
        return str(value)
    if _MOMENT.fullmatch(value):
        try:
            return local_time.short_moment(datetime.fromisoformat(value.replace("Z", "+00:00")), zone)
        except (ValueError, OverflowError):  # not a date after all, or one the reader's zone carries off the calendar
            pass
    return str(audit_labels.VALUES.get(name, {}).get(value, value)) if value else _("(empty)")
