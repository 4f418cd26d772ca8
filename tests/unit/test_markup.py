"""The sanitizer: whatever a user writes, stored HTML carries no executable construct."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from forum.services.markup import plain_text, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\u200bscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![x](javascript:alert(1))",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><button formaction=javascript:alert(1)>x</button></form>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "[x](  jav&#x09;ascript:alert(1))",
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    "`<script>alert(1)</script>`",
]

DANGEROUS_TAGS = {"script", "iframe", "svg", "math", "style", "form", "object", "embed", "button", "input", "base"}
SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/)|#)", re.IGNORECASE)


class ElementCollector(HTMLParser):
    """Collect every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def executable_constructs(html: str) -> list[str]:
    parser = ElementCollector()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.elements:
        if tag in DANGEROUS_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "formaction", "srcdoc"}:
                problems.append(f"{tag}[{name}]")
            if name in {"href", "src"} and not SAFE_URL.match(value or ""):
                problems.append(f"{tag}[{name}={value}]")
    return problems


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_vectors_render_without_anything_executable(attack):
    html = render_markdown(attack)
    assert executable_constructs(html) == [], html


def test_the_checker_itself_catches_executable_html():
    assert executable_constructs('<a href="javascript:x" onclick="y">a</a><script></script>') == [
        "a[href=javascript:x]", "a[onclick]", "<script>"
    ]


def test_raw_html_is_shown_as_text_not_dropped():
    html = render_markdown("Use <b>bold</b> here")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("See [docs](https://example.com/help) or https://example.org")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.com/help"' in html
    assert 'href="https://example.org"' in html


def test_only_http_https_and_mailto_links_keep_their_target():
    html = render_markdown("[a](ftp://files.example) [b](mailto:help@example.com) [c](//evil.example)")
    assert "ftp://" not in html
    assert "//evil.example" not in html
    assert 'href="mailto:help@example.com"' in html


def test_images_only_over_https():
    html = render_markdown("![plain](http://img.example/a.png) ![secure](https://img.example/b.png)")
    assert 'src="http://img.example/a.png"' not in html
    assert 'src="https://img.example/b.png"' in html


def test_markdown_features_survive_sanitizing():
    source = "# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ **new**\n\n```py\nx = 1\n```"
    html = render_markdown(source)
    for fragment in ("<h1>", "<li>one</li>", "<table>", "<td>1</td>", "<s>old</s>", "<strong>new</strong>",
                     '<code class="language-py">'):
        assert fragment in html


def test_plain_text_strips_markup():
    assert plain_text("**Hello** [world](https://example.com)") == "Hello world"
