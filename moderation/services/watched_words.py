"""Watched words: phrases admins block, hold for approval, censor, or turn into a link.

Matching is case-insensitive, on whole words and phrases, and Unicode-aware ("café" does not
match inside "cafés", and any run of whitespace matches the space inside a phrase). The list
is read from the database on every check: it is one small query, and an admin's change then
applies at once in every process, with no cache to go stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from forum.core import clock
from forum.core.errors import Conflict, ErrorCollector, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import User
from forum.services import audit_writer
from forum.services.permissions import Action, require
from moderation.models import WatchedWord, WatchedWordMode

CENSORED = "■■■"
MAX_PHRASE = 100
MAX_URL = 500
# Spans a link replacement must not touch: code, existing Markdown links and bare URLs.
_PROTECTED = re.compile(
    r"```.*?```|~~~.*?~~~|`[^`\n]*`|!?\[[^\]\n]*\]\([^)\n]*\)|<[a-z][a-z0-9+.-]*:[^>\s]*>|\b(?:https?://|www\.)\S+",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class WatchedWordInput:
    phrase: str
    mode: str
    replacement: str = ""


@dataclass(frozen=True)
class Findings:
    """What the watched words make of one text: refusals, approval holds, and the rewritten text."""

    text: str
    blocked: tuple[str, ...] = ()
    held: tuple[str, ...] = ()


def normalize_phrase(phrase: str) -> str:
    """Trim and collapse inner whitespace, so "  buy   now " and "buy now" are the same entry."""
    return " ".join((phrase or "").split())


def pattern_for(phrase: str) -> re.Pattern[str]:
    """A case-insensitive, whole-word pattern for phrase; inner spaces match any whitespace run."""
    words = [re.escape(word) for word in normalize_phrase(phrase).split(" ")]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _safe_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not re.search(r"[\s<>\"'`]", url)


def _validate(data: WatchedWordInput) -> tuple[str, str]:
    errors = ErrorCollector()
    phrase = normalize_phrase(data.phrase)
    replacement = (data.replacement or "").strip()
    if not phrase or not re.search(r"\w", phrase):
        errors.add("phrase", _("Enter a word or phrase (letters or digits)."))
    elif len(phrase) > MAX_PHRASE:
        errors.add("phrase", _("Keep the phrase under %(most)d characters.", most=MAX_PHRASE))
    if data.mode not in {mode.value for mode in WatchedWordMode}:
        errors.add("mode", _("Choose block, require approval, censor or link."))
    elif data.mode == WatchedWordMode.LINK.value and (len(replacement) > MAX_URL or not _safe_url(replacement)):
        errors.add("replacement", _("Enter the http:// or https:// address the phrase should link to."))
    errors.raise_if_any()
    return phrase, replacement if data.mode == WatchedWordMode.LINK.value else ""


def add_watched_word(actor: User, data: WatchedWordInput) -> WatchedWord:
    """Watch a new phrase; each phrase appears once, whatever its case."""
    require(actor, Action.WATCHED_WORDS_MANAGE)
    phrase, replacement = _validate(data)
    taken = db.session.scalar(select(WatchedWord.id).where(func.lower(WatchedWord.phrase) == phrase.lower()))
    if taken:
        raise Conflict(_("That phrase is already watched."), {"phrase": [_("That phrase is already watched.")]})
    word = WatchedWord(
        phrase=phrase, mode=data.mode, replacement=replacement, created_by_id=actor.id, created_at=clock.now()
    )
    db.session.add(word)
    db.session.flush()
    audit_writer.record(actor, "watched_word.add", "watched_word", word.id, after=_state(word))
    db.session.commit()
    return word


def delete_watched_word(actor: User, word_id: int) -> None:
    """Stop watching a phrase; posts already rewritten keep their text."""
    require(actor, Action.WATCHED_WORDS_MANAGE)
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise NotFound(_("No such watched word."))
    audit_writer.record(actor, "watched_word.delete", "watched_word", word.id, before=_state(word))
    db.session.delete(word)
    db.session.commit()


def list_watched_words() -> list[WatchedWord]:
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.mode, func.lower(WatchedWord.phrase))))


def _state(word: WatchedWord) -> dict[str, str]:
    return {"phrase": word.phrase, "mode": word.mode, "replacement": word.replacement}


def _outside_protected(text: str, pattern: re.Pattern[str], replace) -> str:
    """Apply replace to matches of pattern in text, leaving code, links and URLs untouched."""
    pieces, last = [], 0
    for span in _PROTECTED.finditer(text):
        pieces.append(pattern.sub(replace, text[last:span.start()]))
        pieces.append(span.group(0))
        last = span.end()
    pieces.append(pattern.sub(replace, text[last:]))
    return "".join(pieces)


def _markdown_link(url: str):
    target = url.replace("(", "%28").replace(")", "%29")

    def replace(match: re.Match[str]) -> str:
        label = re.sub(r"([\\\[\]])", r"\\\1", match.group(0))
        return f"[{label}]({target})"

    return replace


def inspect(text: str, words: list[WatchedWord], *, markdown: bool) -> Findings:
    """Check text against words; censor and (for Markdown bodies) link rewrite it.

    Titles are plain text, so a link-mode phrase is left as it is there.
    """
    blocked, held = [], []
    for word in words:
        pattern = pattern_for(word.phrase)
        if not pattern.search(text):
            continue
        if word.mode == WatchedWordMode.BLOCK.value:
            blocked.append(word.phrase)
        elif word.mode == WatchedWordMode.REQUIRE_APPROVAL.value:
            held.append(word.phrase)
        elif word.mode == WatchedWordMode.CENSOR.value:
            text = pattern.sub(CENSORED, text)
        elif markdown:
            text = _outside_protected(text, pattern, _markdown_link(word.replacement))
    return Findings(text, tuple(blocked), tuple(held))
