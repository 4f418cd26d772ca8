"""Link previews and canonical addresses: what a search result or a shared link shows of a page.

A page has one address search engines should keep (the canonical link): the configured base URL, the
page's path with its current slug, and no query parameter but `page` above 1 (sorts, filters, cursors
and tracking parameters name the same page). OpenGraph and Twitter card tags describe the page with its
title and a plain-text excerpt; Jinja escapes both into the attributes.
"""

from __future__ import annotations

import re

from forum.core.i18n import _l
from forum.mail.sending import absolute_url  # from the configured base URL, never the Host header
from forum.models import Thread
from forum.services.markup import visible_text
from forum.services.permissions import ANONYMOUS, Action

SITE_NAME = _l("Horseshoe community")  # as the <title> of every page ends, in the reader's language
DESCRIPTION_CHARS = 200  # search results show about this much; previews less
_SPACES = re.compile(r"\s+")


def canonical_url(path: str, page: int | None = None) -> str:
    """The page's one address: its path from the base URL, with ?page=N only when N is above 1."""
    return absolute_url(path) + (f"?page={page}" if page is not None and page > 1 else "")


def excerpt(html: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    """Plain text from sanitized HTML (a post, an article), shortened."""
    return shorten(visible_text(html or ""), limit)


def shorten(text: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    """Plain text with whitespace folded, cut at a word within limit characters ("…" marks a cut)."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.;:") + "…"


def is_public(thread: Thread) -> bool:
    """Whether a signed-out visitor may read the thread: only then do previews and structured data describe it."""
    return ANONYMOUS.can(Action.THREAD_VIEW, thread)
