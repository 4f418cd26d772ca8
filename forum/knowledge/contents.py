"""The table of contents of a long article: anchors on its headings and the entries of a "Contents" list.

It works on the stored body_html, the sanitizer's canonical output, where a heading is a bare <h2> or
<h3> (the allowlist keeps no attribute on headings), so finding them needs no HTML parser. Each heading
gets an id made only of [a-z0-9-], prefixed "kb-" so it can never collide with an id of the page around
it, and unique within the article (a repeated heading becomes "kb-fix-2"). The entries' text is the
heading's text with its markup dropped, escaped here, so a heading can never put markup in the list.
Shorter articles (fewer than MIN_HEADINGS headings) are returned as they are, without a list.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

MIN_HEADINGS = 3
MAX_ID_WORDS_CHARS = 60
ID_PREFIX = "kb-"
FALLBACK_ID = "section"  # a heading with no letter or digit a URL can carry (emoji, CJK text)
_HEADING = re.compile(r"<(h[23])>(.*?)</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Entry:
    """One line of the Contents list: level 2 or 3, the heading's id, its text (escaped)."""

    level: int
    id: str
    text: Markup


def heading_text(inner_html: str) -> str:
    """The plain text of a heading's inner HTML: tags dropped, entities read back, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub("", inner_html)).split())


def anchor_words(text: str) -> str:
    """The text as an id's words: ASCII letters and digits joined by hyphens ("Über uns" → "uber-uns")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:MAX_ID_WORDS_CHARS].rstrip("-") or FALLBACK_ID


def _unique(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def table_of_contents(body_html: str) -> tuple[Markup, list[Entry]]:
    """The body with an id on every <h2>/<h3> and the Contents entries, when it has at least MIN_HEADINGS
    such headings; otherwise the body unchanged and no entries.

    The body is returned as Markup because it is the stored, sanitized HTML with nothing added but ids
    this function made from [a-z0-9-].
    """
    headings = list(_HEADING.finditer(body_html or ""))
    if len(headings) < MIN_HEADINGS:
        return Markup(body_html or ""), []  # nosec B704  # sanitized by services.markup on write
    taken: set[str] = set()
    entries: list[Entry] = []
    parts: list[str] = []
    position = 0
    for match in headings:
        tag, inner = match.group(1), match.group(2)
        text = heading_text(inner)
        anchor = _unique(ID_PREFIX + anchor_words(text), taken)
        entries.append(Entry(level=int(tag[1]), id=anchor, text=escape(text)))
        parts.append(body_html[position:match.start()])
        parts.append(f'<{tag} id="{anchor}">{inner}</{tag}>')
        position = match.end()
    parts.append(body_html[position:])
    return Markup("".join(parts)), entries  # nosec B704  # sanitized HTML plus ids of [a-z0-9-] only
