"""Code blocks are highlighted on the server: token spans from the fence's language, plain when unknown,
guessed only for what is unmistakable, never for a huge block; the colours in forum/static/code.css are
generated from two Pygments styles and stay readable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum.services import markup
from forum.services.markup import highlight, palette
from forum.services.markup.sanitizer import TOKEN_CLASSES

ROOT = Path(__file__).resolve().parents[2]
SPAN = re.compile(r'<span class="([^"]*)">')


def classes(html: str) -> set[str]:
    return {name for found in SPAN.findall(html) for name in found.split()}


def test_a_python_fence_gets_token_spans_inside_a_scrollable_block():
    html = markup.render_markdown("```python\ndef greet(name):\n    return 'hi ' + name  # say it\n```")
    assert html.startswith('<pre tabindex="0"><code class="language-python"><span class="k">def</span>')
    assert {"k", "nf", "s1", "c1"} <= classes(html)
    assert markup.visible_text(html) == "def greet(name):\n    return 'hi ' + name  # say it\n\n\n"


def test_aliases_name_the_lexer_and_the_class_keeps_the_word_written():
    html = markup.render_markdown("```py3 some title\nimport os\n```")
    assert '<code class="language-py3">' in html
    assert '<span class="kn">import</span>' in html


def test_an_unknown_language_is_escaped_plain_text():
    html = markup.render_markdown("```klingon\n<b>qapla'</b> & x\n```")
    assert html == ('<pre tabindex="0"><code class="language-klingon">'
                    "&lt;b&gt;qapla'&lt;/b&gt; &amp; x\n</code></pre>\n")


def test_a_language_word_outside_the_allowed_names_gets_no_class():
    html = markup.render_markdown('```"onload=alert(1)\nx = 1\n```')
    assert html == '<pre tabindex="0"><code>x = 1\n</code></pre>\n'


def test_html_inside_highlighted_code_is_escaped():
    html = markup.render_markdown('```html\n<script>alert("x")</script>\n<img src=x onerror=alert(1)>\n```')
    assert "<script" not in html and "<img" not in html
    assert "&lt;" in html and "nt" in classes(html)
    assert markup.visible_text(html).startswith('<script>alert("x")</script>')


@pytest.mark.parametrize(("source", "language"), [
    ('Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    main()\nKeyError: \'x\'\n',
     "pytb"),
    ('{"user": "ana", "ids": [1, 2], "ok": true}\n', "json"),
    ("$ pip install horseshoe\nCollecting horseshoe\n", "console"),
    ("2026-03-01 12:00:01 ERROR worker died\n2026-03-01 12:00:02 INFO restarting\nstill going\n", "log"),
    ("[2026-03-01T12:00:01Z] WARN disk at 91%\n", "log"),
    ("Mar  1 12:00:01 host sshd[42]: Accepted key\n", "log"),
])
def test_unmistakable_blocks_without_a_language_are_guessed(source, language):
    html = markup.render_markdown(f"```\n{source}```")
    assert f'<code class="language-{language}">' in html
    assert classes(html)


@pytest.mark.parametrize("source", [
    "Restart the router, then wait a minute.\nIf it still drops, call us.\n",
    "x = 1\nprint(x)\n",  # looks like Python, but nothing said so: a guess could colour prose
    "{not json at all}\n",
    "See the error log below\n2026-03-01 nothing\nmore text\nand more\n",
    "# heading-like comment\nls -la\n",
])
def test_anything_else_without_a_language_stays_plain(source):
    html = markup.render_markdown(f"```\n{source}```")
    assert html.startswith('<pre tabindex="0"><code>')
    assert "<span" not in html


def test_an_indented_block_is_guessed_the_same_way():
    html = markup.render_markdown('Output:\n\n    {"ok": false, "error": "timeout"}\n')
    assert '<code class="language-json">' in html and classes(html)
    assert '<pre tabindex="0"><code>print(1)' in markup.render_markdown("Run:\n\n    print(1)\n")


def test_a_huge_block_is_escaped_but_not_highlighted():
    code = "x = '<b>'\n" * (highlight.MAX_HIGHLIGHT_LINES + 1)
    html = markup.render_markdown(f"```python\n{code}```")
    assert '<code class="language-python">' in html
    assert "<span" not in html and "&lt;b&gt;" in html
    long_line = "a" * (highlight.MAX_HIGHLIGHT_CHARS + 1)
    assert "<span" not in markup.render_markdown(f"```python\n{long_line}\n```")
    just_under = markup.render_markdown("```python\n" + "x = 1\n" * highlight.MAX_HIGHLIGHT_LINES + "```")
    assert "<span" in just_under


def test_inline_code_is_not_highlighted():
    assert markup.render_markdown("Run `print(1)` now") == "<p>Run <code>print(1)</code> now</p>\n"


def test_every_span_class_any_lexer_can_produce_is_allowed():
    """Lexers define their own token subtypes; their class is the nearest standard parent's."""
    samples = {"python": "@dataclass\nclass A:\n    x: int = 0x1F\n", "diff": "-a\n+b\n@@ x @@\n",
               "sql": "SELECT * FROM t WHERE id = $1;", "yaml": "a: [1, 'b']\n", "rust": "fn main() { 'a: loop {} }",
               "css": "a:hover { color: #fff !important }", "bash": 'echo "${HOME}" | grep -q x'}
    for language, code in samples.items():
        produced = classes(highlight.code_block(code, language))
        assert produced and produced <= TOKEN_CLASSES, (language, produced - TOKEN_CLASSES)


def test_the_committed_stylesheet_is_the_generated_one():
    assert (ROOT / "forum" / "static" / "code.css").read_text() == palette.code_css()


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    colour = "".join(c * 2 for c in colour) if len(colour) == 3 else colour
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("style", [palette.LIGHT_STYLE, palette.DARK_STYLE])
def test_every_token_colour_reads_at_4_5_to_1_on_its_background(style):
    rules = palette.palette(style, ":root")
    background = re.search(r"background: (#\w+)", rules[0]).group(1)
    low = []
    for rule in rules[1:]:
        colour = re.search(r"(?<!-)color: (#\w+)", rule)
        behind = re.search(r"background-color: (#\w+)", rule)
        if colour and _contrast(colour.group(1), behind.group(1) if behind else background) < 4.5:
            low.append(rule)
    assert low == []
    assert len(rules) > 40


def test_the_contrast_check_itself_flags_a_pale_colour():
    assert _contrast("#bbbbbb", "#f8f8f8") < 4.5 < _contrast("#3D7B7B", "#f8f8f8")
