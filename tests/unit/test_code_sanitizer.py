"""Security: highlighting opened the allowlist by three doors (span, pre tabindex, code language class);
nothing but exactly what the highlighter makes gets through them, whoever wrote the HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from forum.services.markup import TOKEN_CLASSES, render_markdown, sanitize_html
from forum.services.markup.sanitizer import LANGUAGE_CLASS


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def code_problems(html: str) -> list[str]:
    """Anything on a span, pre or code that the highlighter would not have made."""
    problems = []
    for tag, attrs in elements(html):
        if tag == "span" and (set(attrs) != {"class"} or not set((attrs["class"] or "").split()) <= TOKEN_CLASSES
                              or not attrs["class"]):
            problems.append(f"span {attrs}")
        if tag == "pre" and attrs not in ({}, {"tabindex": "0"}):
            problems.append(f"pre {attrs}")
        if tag == "code" and attrs and (set(attrs) != {"class"} or not LANGUAGE_CLASS.fullmatch(attrs["class"] or "")):
            problems.append(f"code {attrs}")
        if tag not in {"span", "pre", "code", "a"} and any(name.startswith("on") or name == "style" for name in attrs):
            problems.append(f"{tag} {attrs}")
        if tag == "a" and "javascript" in (attrs.get("href") or "").lower():
            problems.append(f"a {attrs}")
    return problems


# HTML handed straight to the sanitizer: what an attacker would need it to keep.
SANITIZER_INPUTS = {
    "style on a span": '<span class="k" style="color:red;background:url(javascript:alert(1))">x</span>',
    "handler on a span": '<span class="k" onmouseover="alert(1)">x</span>',
    "handler on a pre": '<pre tabindex="0" onfocus="alert(1)" autofocus><code>x</code></pre>',
    "other class on a span": '<span class="visually-hidden">x</span>',
    "token class mixed with another": '<span class="k skip-link">x</span>',
    "class-like injection": '<span class="k&quot; onclick=&quot;alert(1)">x</span>',
    "span id and data": '<span class="k" id="main" data-x="1" title="t">x</span>',
    "bare span": "<span>x</span>",
    "span wrapping a script": '<span class="k"><script>alert(1)</script></span>',
    "negative tabindex": '<pre tabindex="-1"><code>x</code></pre>',
    "large tabindex": '<pre tabindex="10"><code>x</code></pre>',
    "tabindex elsewhere": '<p tabindex="0">x</p><code tabindex="0">y</code><span class="k" tabindex="0">z</span>',
    "style on a pre": '<pre style="position:fixed;inset:0"><code>x</code></pre>',
    "pre class": '<pre class="skip-link"><code>x</code></pre>',
    "code with two classes": '<code class="language-py nav-cta">x</code>',
    "code with another class": '<code class="button">x</code>',
    "code class with markup": '<code class="language-&lt;img&gt;">x</code>',
    "unicode language": '<code class="language-pythön">x</code>',
    "language too long": f'<code class="language-{"a" * 40}">x</code>',
    "javascript link in code": '<pre><code><a href="javascript:alert(1)">x</a></code></pre>',
    "nested spans, one bad": '<span class="k"><span class="bad">a</span><span class="s">b</span></span>',
}


@pytest.mark.parametrize("html", SANITIZER_INPUTS.values(), ids=SANITIZER_INPUTS.keys())
def test_the_sanitizer_keeps_nothing_beyond_what_the_highlighter_makes(html):
    cleaned = sanitize_html(html)
    assert code_problems(cleaned) == [], cleaned
    assert "<script" not in cleaned
    assert sanitize_html(cleaned) == cleaned


def test_what_survives_is_the_text_and_the_allowed_attributes():
    assert sanitize_html('<span class="k skip-link">x</span>') == "x"
    assert sanitize_html('<span class="k" style="color:red" onclick="y">x</span>') == '<span class="k">x</span>'
    assert sanitize_html('<span class="k"><span class="bad">a</span><span class="s">b</span></span>') == (
        '<span class="k">a<span class="s">b</span></span>')
    assert sanitize_html('<pre tabindex="-1"><code class="button">x</code></pre>') == "<pre><code>x</code></pre>"
    assert sanitize_html('<pre tabindex="0"><code class="language-c++">x</code></pre>') == (
        '<pre tabindex="0"><code class="language-c++">x</code></pre>')


# Markdown whose code blocks try to smuggle something out (raw HTML is off, so all of it is text).
MARKDOWN_INPUTS = {
    "raw span in markdown": '<span class="k" onclick="alert(1)">hi</span>',
    "raw pre in markdown": '<pre tabindex="0" onfocus="alert(1)">x</pre>',
    "javascript url inside a fence": "```js\nlocation = 'javascript:alert(1)'\n```",
    "link syntax inside a fence": "```markdown\n[x](javascript:alert(1)) <a href=javascript:alert(1)>y</a>\n```",
    "html fence with handlers": '```html\n<div style="x" onclick="alert(1)"><span class="k">x</span></div>\n```',
    "info string breaking out": '```py" onmouseover="alert(1)\nx\n```',
    "info string with a class": "```language-py skip-link\nx\n```",
    "closing the code early": "```py\n</code></pre><script>alert(1)</script>\n```",
    "guessed json with html": '```\n{"a": "<img src=x onerror=alert(1)>"}\n```',
    "guessed log with a script": "```\n2026-01-01 10:00:00 ERROR <script>alert(1)</script>\n```",
    "indented block with html": '    <span class="k" style="x">x</span>\n',
    "inline code with html": '`<span class="k" onclick="x">`',
}


@pytest.mark.parametrize("source", MARKDOWN_INPUTS.values(), ids=MARKDOWN_INPUTS.keys())
def test_rendered_code_carries_only_token_spans_and_no_executable_attribute(source):
    html = render_markdown(source)
    assert code_problems(html) == [], html
    assert all(tag in {"pre", "code", "span", "p"} for tag, _attrs in elements(html)), html
    assert not any(tag == "script" for tag, _attrs in elements(html))


def test_the_checker_sees_each_kind_of_leftover():
    found = code_problems('<span class="k" style="x">a</span><span class="zz">b</span><span>c</span>'
                          '<pre tabindex="-1">d</pre><code class="nav">e</code><p onclick="f">g</p>'
                          '<a href="javascript:h">i</a>')
    assert len(found) == 7, found
