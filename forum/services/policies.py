"""Content checks other packages plug in (watched words, spam score, new-user approval).

forum never imports moderation; moderation registers its checks here at app creation and
posting runs them on every title and body before anything is stored. A check may refuse
(errors shown on the form), rewrite the text (censor, link), or hold the post for review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from forum.core.errors import Invalid
from forum.models import Thread, User


@dataclass(frozen=True)
class Draft:
    """What someone is about to publish: kind is "thread", "reply" or "edit"."""

    author: User
    kind: str
    body: str
    title: str | None = None
    thread: Thread | None = None
    post_id: int | None = None


@dataclass
class Verdict:
    """The outcome of one check: refuse with errors, rewrite title/body, and/or hold with a reason."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    title: str | None = None
    body: str | None = None
    hold_reason: str | None = None


@dataclass(frozen=True)
class Review:
    """Every check's verdict combined: the text to store and why (if at all) it waits for review."""

    title: str | None
    body: str
    hold_reasons: tuple[str, ...]

    @property
    def held(self) -> bool:
        return bool(self.hold_reasons)


Check = Callable[[Draft], Verdict | None]
_checks: list[tuple[str, Check]] = []


def register(name: str, check: Check) -> None:
    """Add (or replace, by name) a content check; checks run in registration order."""
    _checks[:] = [(n, c) for n, c in _checks if n != name]
    _checks.append((name, check))


def review(draft: Draft) -> Review:
    """Run every check; raise Invalid with all refusals, else return the (possibly rewritten) text.

    Each check sees the text as rewritten by the checks before it.
    """
    errors: dict[str, list[str]] = {}
    title, body, holds = draft.title, draft.body, []
    for _name, check in _checks:
        verdict = check(Draft(draft.author, draft.kind, body, title, draft.thread, draft.post_id))
        if verdict is None:
            continue
        for key, messages in verdict.errors.items():
            errors.setdefault(key, []).extend(messages)
        title = verdict.title if verdict.title is not None else title
        body = verdict.body if verdict.body is not None else body
        if verdict.hold_reason:
            holds.append(verdict.hold_reason)
    if errors:
        raise Invalid(errors)
    return Review(title, body, tuple(holds))
