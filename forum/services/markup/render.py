"""The Markdown renderer: markdown-it with raw HTML off, plus this site's rules.

@mentions link to profiles, links get rel="nofollow ugc noopener", this site's uploaded images show
as linked thumbnails, and code blocks are highlighted on the server (highlight.py). The output still
goes through the sanitizer (render_markdown in __init__), which is the second layer.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_inline import StateInline

from forum.services.markup.highlight import code_block
from forum.services.markup.sanitizer import LINK_REL, LOCAL_UPLOAD

THUMBNAIL_QUERY = "?rendition=thumbnail"
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


def _fence(self, tokens, idx, options, env) -> str:
    """A fenced block, highlighted in the language its info string names first ("```py title" → py)."""
    token = tokens[idx]
    info = unescapeAll(token.info).strip() if token.info else ""
    return code_block(token.content, info.split(maxsplit=1)[0] if info else "")


def _indented_code(self, tokens, idx, options, env) -> str:
    """An indented block has no info string: highlighted only when its language is unmistakable."""
    return code_block(tokens[idx].content, "")


def build_renderer() -> MarkdownIt:
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
    renderer.add_render_rule("fence", _fence)
    renderer.add_render_rule("code_block", _indented_code)
    return renderer


def _inside_link(before) -> bool:
    depth = 0
    for token in before:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0
