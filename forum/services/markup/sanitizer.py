"""The allowlist every piece of stored HTML passes through: the one place that says what may stay.

Only sanitize_html() knows which library does the work, so bleach (no longer maintained) can be
swapped for nh3 without touching callers: the tags, the attribute rule (_allowed_attribute, a plain
function of tag, name and value, the shape of nh3's attribute_filter) and the bare-span rule below
are all it needs.
"""

from __future__ import annotations

import re

from bleach.sanitizer import Cleaner
from pygments.token import STANDARD_TYPES

try:  # bleach 6 vendors html5lib rather than depending on it; a standalone install works the same
    from bleach._vendor.html5lib.filters.base import Filter
except ImportError:  # pragma: no cover - depends on the bleach release
    from html5lib.filters.base import Filter

LINK_REL = "nofollow ugc noopener"

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td", "span",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Pygments' short token classes ("k", "nf", "s2"...): the only classes a <span> may carry, and a span
# with anything else (or nothing) is dropped, keeping its text. Colours come from forum/static/code.css.
TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
# A code block's language as the fence named it ("py", "c++", "c#", "objective-c"): one class, nothing else.
LANGUAGE_NAME = re.compile(r"[a-z0-9+#-]{1,32}")
LANGUAGE_CLASS = re.compile(r"language-[a-z0-9+#-]{1,32}")
# Site-relative paths ("/u/ana") and fragments stay; anything else must name a safe scheme.
SAFE_LINK_PREFIXES = ("http://", "https://", "mailto:", "#")
SITE_PATH_PREFIX = "/"
# This site's own upload address (forum.uploads): the one image source allowed besides https. The route
# checks who may see the file, so the stored HTML stays the same for every reader and never expires.
LOCAL_UPLOAD = re.compile(r"^/uploads/[0-9]+/[^/?#\\\s\"'<>]+$")
LOCAL_UPLOAD_IMAGE = re.compile(r"^/uploads/[0-9]+/[^/?#\\\s\"'<>]+(\?rendition=thumbnail)?$")
_URL_EDGE = "".join(chr(code) for code in range(0x21))  # C0 controls and space
_URL_INSIDE = str.maketrans({"\t": None, "\n": None, "\r": None, "\\": "/"})


def _url_as_browser_reads(value: str) -> str:
    """The URL a browser would follow: ends trimmed, tabs/newlines dropped, "\\" read as "/".

    Without this "/\\evil.example" looks like a site path yet leaves the site like "//evil.example".
    """
    return value.strip(_URL_EDGE).translate(_URL_INSIDE).lower()


def _allowed_link(name: str, value: str) -> bool:
    if name == "rel":
        return value == LINK_REL
    if name == "href":
        url = _url_as_browser_reads(value)
        site_path = url.startswith(SITE_PATH_PREFIX) and not url.startswith("//")
        return site_path or url.startswith(SAFE_LINK_PREFIXES)
    return name == "title"


def _allowed_image(name: str, value: str) -> bool:
    if name == "src":
        url = _url_as_browser_reads(value)
        return url.startswith("https://") or bool(LOCAL_UPLOAD_IMAGE.match(url))
    return name in {"alt", "title"}


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Allow only the attributes markdown (and the code highlighter) produce, with safe values."""
    if tag == "a":
        return _allowed_link(name, value)
    if tag == "img":
        return _allowed_image(name, value)
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "code":
        return name == "class" and bool(LANGUAGE_CLASS.fullmatch(value))
    if tag == "span":
        classes = value.split(" ")
        return name == "class" and all(token in TOKEN_CLASSES for token in classes)
    if tag == "pre":  # focusable, so keyboard users can scroll a long line sideways
        return name == "tabindex" and value == "0"
    return False


class _DropBareSpans(Filter):
    """A <span> left without its class carries no meaning: drop the tags, keep what is inside.

    Runs after the sanitizing filter, so a span whose class was refused arrives here bare.
    """

    def __iter__(self):
        kept: list[bool] = []
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "span":
                kept.append(bool(token["data"]))
                if not kept[-1]:
                    continue
            elif token["type"] == "EndTag" and token["name"] == "span" and kept and not kept.pop():
                continue
            yield token


def sanitize_html(html: str) -> str:
    """Reduce HTML to the allowlist; everything else is stripped or escaped.

    A Cleaner per call, as bleach.clean does: a Cleaner is not safe to share between threads.
    """
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_DropBareSpans],
    )
    return cleaner.clean(html)
