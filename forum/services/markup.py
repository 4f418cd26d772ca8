"""Markdown to safe HTML: the only producer of post HTML.

Two layers: markdown-it renders with raw HTML off (raw HTML is escaped, not parsed),
then an allowlist sanitizer removes anything outside a small, inert vocabulary. The
sanitizer sits behind sanitize_html() alone so bleach (no longer maintained) can be
swapped for nh3 without touching callers. Bump RENDERER_VERSION whenever output changes
so stored posts can be re-rendered.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import bleach
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

RENDERER_VERSION = 3  # 2: @mentions link to profiles; 3: this site's uploaded images as linked thumbnails
LINK_REL = "nofollow ugc noopener"

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Site-relative paths ("/u/ana") and fragments stay; anything else must name a safe scheme.
SAFE_LINK_PREFIXES = ("http://", "https://", "mailto:", "#")
SITE_PATH_PREFIX = "/"
# This site's own upload address (forum.uploads): the one image source allowed besides https. The route
# checks who may see the file, so the stored HTML stays the same for every reader and never expires.
LOCAL_UPLOAD = re.compile(r"^/uploads/[0-9]+/[^/?#\\\s\"'<>]+$")
LOCAL_UPLOAD_IMAGE = re.compile(r"^/uploads/[0-9]+/[^/?#\\\s\"'<>]+(\?rendition=thumbnail)?$")
THUMBNAIL_QUERY = "?rendition=thumbnail"
_URL_EDGE = "".join(chr(code) for code in range(0x21))  # C0 controls and space
_URL_INSIDE = str.maketrans({"\t": None, "\n": None, "\r": None, "\\": "/"})


def _url_as_browser_reads(value: str) -> str:
    """The URL a browser would follow: ends trimmed, tabs/newlines dropped, "\\" read as "/".

    Without this "/\\evil.example" looks like a site path yet leaves the site like "//evil.example".
    """
    return value.strip(_URL_EDGE).translate(_URL_INSIDE).lower()


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Allow only the attributes markdown produces, with safe values."""
    if tag == "a":
        if name == "rel":
            return value == LINK_REL
        if name == "href":
            url = _url_as_browser_reads(value)
            site_path = url.startswith(SITE_PATH_PREFIX) and not url.startswith("//")
            return site_path or url.startswith(SAFE_LINK_PREFIXES)
        return name == "title"
    if tag == "img":
        if name == "src":
            url = _url_as_browser_reads(value)
            return url.startswith("https://") or bool(LOCAL_UPLOAD_IMAGE.match(url))
        return name in {"alt", "title"}
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "code":
        return name == "class" and value.startswith("language-") and value[9:].replace("-", "").isalnum()
    return False


MENTION = re.compile(r"@([A-Za-z0-9_][A-Za-z0-9_.-]{1,30}[A-Za-z0-9_])")


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """Turn "@username" into a link to the profile, and note the name in env["mentions"].

    Only after a non-word character, so email addresses (ana@example.com) stay as they are.
    """
    start = state.pos
    if state.src[start] != "@" or (start > 0 and (state.src[start - 1].isalnum() or state.src[start - 1] in "_.-")):
        return False
    match = MENTION.match(state.src, start)
    if match is None:
        return False
    username = match.group(1)
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": f"/u/{username}"}
        state.push("text", "", 0).content = "@" + username
        state.push("link_close", "a", -1)
        state.env.setdefault("mentions", set()).add(username.lower())
    state.pos = match.end()
    return True


def _build_renderer() -> MarkdownIt:
    renderer = MarkdownIt("js-default", {"linkify": True, "html": False}).enable(
        ["linkify", "table", "strikethrough"]
    )
    renderer.inline.ruler.before("emphasis", "mention", _mention_rule)

    def link_open(self, tokens, idx, options, env):
        tokens[idx].attrSet("rel", LINK_REL)
        return self.renderToken(tokens, idx, options, env)

    renderer.add_render_rule("link_open", link_open)
    default_image = renderer.renderer.rules["image"]

    def image(self, tokens, idx, options, env):
        """An uploaded image shows as its thumbnail, linking to the full size (unless already inside a link)."""
        token = tokens[idx]
        src = token.attrGet("src") or ""
        if not LOCAL_UPLOAD.match(src):
            return default_image(tokens, idx, options, env)
        token.attrSet("src", src + THUMBNAIL_QUERY)
        html = default_image(tokens, idx, options, env)
        token.attrSet("src", src)
        if _inside_link(tokens[:idx]):
            return html
        return f'<a href="{src}">{html}</a>'  # LOCAL_UPLOAD admits no quote or angle bracket

    renderer.add_render_rule("image", image)
    return renderer


def _inside_link(before) -> bool:
    depth = 0
    for token in before:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


_renderer = _build_renderer()


def sanitize_html(html: str) -> str:
    """Reduce HTML to the allowlist; everything else is stripped or escaped."""
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return cleaned


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


_BLOCKS = frozenset({"p", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, _attrs) -> None:
        if tag == "br":  # "line<br>break" is two words, not "linebreak"
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")


def visible_text(html: str) -> str:
    """The text of already-sanitized HTML, entities decoded (for search documents and excerpts).

    The standard library's parser, not bleach: the input is our own sanitized output, so there is
    nothing to clean, and bleach's html5lib pass was a fifth of a full search reindex.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def plain_text(source: str) -> str:
    """Markdown source as decoded plain text (for sentiment scoring): text, not HTML, so escape it to show it."""
    return visible_text(render_markdown(source)).strip()
