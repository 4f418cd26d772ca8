"""Markdown to safe HTML: the only producer of post HTML.

Two layers: markdown-it renders with raw HTML off (raw HTML is escaped, not parsed; render.py, with
code highlighted on the server by highlight.py), then an allowlist sanitizer removes anything outside
a small, inert vocabulary (sanitizer.py, the one place the allowlist lives). Bump RENDERER_VERSION
whenever output changes: `flask --app wsgi rerender-posts` (forum.writing.rerender) re-renders what
an older version stored.
"""

from __future__ import annotations

from functools import lru_cache

from forum.services.markup.render import build_renderer
from forum.services.markup.sanitizer import ALLOWED_PROTOCOLS, ALLOWED_TAGS, LINK_REL, TOKEN_CLASSES, sanitize_html
from forum.services.markup.text import visible_text

# 2: @mentions link to profiles; 3: this site's uploaded images as linked thumbnails;
# 4: code blocks highlighted with Pygments token spans, <pre tabindex="0"> so long lines scroll by keyboard.
RENDERER_VERSION = 4

__all__ = [
    "ALLOWED_PROTOCOLS", "ALLOWED_TAGS", "LINK_REL", "RENDERER_VERSION", "TOKEN_CLASSES", "mentioned_usernames",
    "plain_text", "render_markdown", "sanitize_html", "visible_text",
]

_renderer = build_renderer()


@lru_cache(maxsize=128)
def render_markdown(source: str) -> str:
    """Render user Markdown to sanitized HTML, ready to be stored as body_html.

    Cached by source text: posting one reply renders it for the stored HTML, the spam check's
    link count and the sentiment score (a third of a reply's CPU went to the same three renders).
    The output depends on the text alone, so the cache can never show one post's HTML for another.
    """
    return sanitize_html(_renderer.render(source))


def mentioned_usernames(source: str) -> set[str]:
    """Lower-cased usernames @mentioned in the source (outside code), for notifications."""
    env: dict = {}
    _renderer.parse(source, env)
    return env.get("mentions", set())


def plain_text(source: str) -> str:
    """Markdown source as decoded plain text (for sentiment scoring): text, not HTML, so escape it to show it."""
    return visible_text(render_markdown(source)).strip()
