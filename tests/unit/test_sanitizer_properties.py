"""Property: whatever anyone types, the Markdown sanitizer's output carries nothing a browser would run.

tests/unit/test_markup.py pins known vectors; here Hypothesis mixes random text (control characters,
unicode, Markdown punctuation) with fragments of those vectors and with obfuscated script URLs, and the
output of render_markdown (posts, replies, previews, case and incident messages: every body_html) is
parsed the way a browser parses it (html5lib implements the WHATWG algorithm) and checked against the
allowlist that forum/services/markup.py documents. A URL is judged the way a browser resolves it:
entities decoded by the parser, tab/CR/LF removed anywhere, leading and trailing controls and spaces
stripped, backslash read as slash, scheme case-folded.

Examples are derandomized so CI sees the same cases on every run; the file runs in a few seconds.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import bleach
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.services.markup import (
    ALLOWED_TAGS,
    LINK_REL,
    mentioned_usernames,
    plain_text,
    render_markdown,
    sanitize_html,
)

try:  # bleach 6 vendors html5lib rather than depending on it; a standalone install works the same
    from bleach._vendor import html5lib
except ImportError:  # pragma: no cover - depends on the bleach release
    import html5lib

PROPERTY = settings(max_examples=250, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

NEVER = {"script", "style", "iframe", "frame", "object", "embed", "form", "svg", "math", "base", "meta",
         "link", "input", "button", "textarea", "select", "template", "noscript", "xmp", "noembed"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
SAFE_SCHEMES = {"a": {"http", "https", "mailto"}, "img": {"https"}}
# What a browser ignores or strips when it reads a URL (WHATWG URL parser: C0 controls and space at
# the ends, ASCII tab and newlines anywhere).
EDGE = "".join(chr(code) for code in range(0x21))
INSIDE = str.maketrans("", "", "\t\n\r")

VECTORS = [
    "<script>alert(1)</script>", "<script", "</script>", "<SCRIPT SRC=//evil.example/x.js>",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:", "jav&#x09;ascript:", "java\u200bscript:", "java\x00script:",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:image/svg+xml,<svg onload=alert(1)>",
    "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>", "<iframe src=javascript:alert(1)>",
    "<style>*{x:expression(alert(1))}</style>", '<a href="  javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">', " onmouseover=alert(1) ", '" onfocus="alert(1)',
    "<a href='https://ok.example' onclick='alert(1)'>", "<object data=javascript:alert(1)>", "<embed src=x>",
    "<form action=javascript:alert(1)><button>", "<!--", "-->", "<![CDATA[", "]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "[x](javascript:alert(1))", "[x](  javascript:alert(1))", "[x](<javascript:alert(1)>)", "![x](javascript:alert(1))",
    "![x](http://img.example/a.png)", "![x](data:image/png;base64,AAAA)", "<javascript:alert(1)>",
    "<https://ok.example/a>", "[x]: javascript:alert(1)\n\n[x]", "[x][x]", "[@ana](javascript:alert(1))",
    "[x](//evil.example)", "[x](/\\evil.example)", "[x](\\\\evil.example)", "[x](#top)", "[x](/u/ana)",
    "https://ok.example/?q=<script>", "www.example.com", "mail@example.com", "mailto:a@example.com",
    "@ana", "@ana.b-c", "`<script>`", "```html\n<script>alert(1)</script>\n```", "```\"onload=x\n```",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:1) |", "> <script>", "1. x\n2. y",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")', "![x](https://i.example/a.png \"t\" onerror=1)",
]
PUNCTUATION = ["[", "]", "(", ")", "![", "](", "<", ">", "`", "```", "\n", "\n\n", " ", "&", "&#", ";", '"',
               "'", "=", "/", "\\", ":", "*", "_", "~~", "#", "|", "-", "@", "!", "&lt;", "&amp;", "&quot;"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _obfuscated_letter(letter: str) -> st.SearchStrategy[str]:
    """One letter of a scheme as an attacker might write it: case, entity, or padded with an invisible."""
    code = ord(letter)
    forms = [letter, letter.upper(), f"&#{code};", f"&#x{code:x};", f"&#x{code:X};", f"&#000{code}",
             letter + "\t", letter + "\n", letter + "\x00", letter + "\u200b", letter + "&#9;", letter + "&Tab;"]
    return st.sampled_from(forms)


def _obfuscated(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(_obfuscated_letter(letter) for letter in word)).map("".join)


SCRIPT_URL = st.builds(
    lambda padding, scheme, colon, payload: padding + scheme + colon + payload,
    st.sampled_from(["", " ", "\x01", "\t", "&#32;", "&#x0A;", "%20", "\u00a0"]),
    st.one_of(_obfuscated("javascript"), _obfuscated("vbscript"), _obfuscated("data")),
    st.sampled_from([":", "&#58;", "&colon;", "&#x3A;", "%3A"]),
    st.sampled_from(["alert(1)", "text/html,<script>alert(1)</script>", "//%0aalert(1)", ""]),
)
URL = st.one_of(SCRIPT_URL, st.sampled_from(["https://ok.example/a", "/u/ana", "#x", "//evil.example",
                                             "/\\evil.example", "mailto:a@example.com", "ftp://x"]))
LINKISH = st.builds(
    lambda template, url, text: template.format(url=url, text=text),
    st.sampled_from(["[{text}]({url})", "![{text}]({url})", "<{url}>", '<a href="{url}">{text}</a>',
                     "<img src={url} alt={text}>", "[{text}]\n\n[{text}]: {url}", "[{text}]({url} \"{text}\")",
                     "[![{text}]({url})]({url})", "[{text}[{text}]]({url})"]),
    URL,
    TEXT,
)
MARKDOWNISH = st.lists(
    st.one_of(st.sampled_from(VECTORS), st.sampled_from(PUNCTUATION), TEXT, LINKISH), max_size=14
).map("".join)


def _url_as_browser_reads(value: str) -> str:
    return value.strip(EDGE).translate(INSIDE).replace("\\", "/").casefold()


def _unsafe_url(tag: str, value: str) -> bool:
    """A URL outside the policy: links http/https/mailto, images https only, or a site path or fragment."""
    url = _url_as_browser_reads(value)
    scheme = SCHEME.match(url)
    if scheme:
        return scheme.group(1) not in SAFE_SCHEMES[tag]
    site_path = url.startswith("/") and not url.startswith("//")
    return not (site_path or (tag == "a" and url.startswith("#")))


def _element_problems(element, rendered: bool) -> list[str]:
    namespace, _, tag = element.tag.rpartition("}")
    problems = []
    if namespace or tag not in ALLOWED_TAGS or tag in NEVER:
        problems.append(f"<{element.tag}>")
    for name, value in element.attrib.items():
        name = name if isinstance(name, str) else name[1]  # html5lib keys foreign attributes as (ns, name)
        if name.lower().startswith("on") or name.lower() in {"style", "srcdoc", "formaction", "xlink:href"}:
            problems.append(f"{tag}[{name}]")
        if name in {"href", "src"} and (tag not in SAFE_SCHEMES or _unsafe_url(tag, value)):
            problems.append(f"{tag}[{name}={value!r}]")
    if rendered and tag == "a" and element.get("rel") != LINK_REL:  # markup.py's link_open rule adds it
        problems.append(f"a without rel={LINK_REL!r}")
    return problems


def executable_constructs(html: str, rendered: bool = True) -> list[str]:
    """Everything in `html`, as a browser builds it, that the allowlist says must not be there.

    `rendered`: the HTML came from render_markdown, so every link must also carry LINK_REL.
    """
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    problems = []
    for element in fragment.iter():
        if element is not fragment and isinstance(element.tag, str):  # comments have a function as tag
            problems.extend(_element_problems(element, rendered))
    return problems


class _StartTags(HTMLParser):
    """A second, simpler parser (stdlib): a construct one parser misses the other may still see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def stdlib_view_problems(html: str) -> list[str]:
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}>")
        problems.extend(f"{tag}[{name}]" for name in attrs if name.startswith("on") or name == "style")
        for name in ("href", "src"):
            if attrs.get(name) is not None and (tag not in SAFE_SCHEMES or _unsafe_url(tag, attrs[name])):
                problems.append(f"{tag}[{name}={attrs[name]!r}]")
    return problems


@PROPERTY
@given(MARKDOWNISH)
def test_rendered_markdown_never_contains_an_executable_construct(source):
    html = render_markdown(source)
    assert executable_constructs(html) == [], html
    assert stdlib_view_problems(html) == [], html


@PROPERTY
@given(st.lists(LINKISH, min_size=1, max_size=4).map(" ".join))
def test_links_and_images_keep_only_safe_urls(source):
    html = render_markdown(source)
    assert executable_constructs(html) == [], html


@PROPERTY
@given(st.lists(st.one_of(st.sampled_from(VECTORS), LINKISH, TEXT), max_size=10).map("".join))
def test_raw_html_passed_straight_to_the_sanitizer_is_made_inert(html):
    """sanitize_html is the last line of defence even for HTML markdown-it never produced."""
    assert executable_constructs(sanitize_html(html), rendered=False) == [], sanitize_html(html)


@PROPERTY
@given(MARKDOWNISH)
def test_sanitizing_rendered_output_again_changes_nothing(source):
    """Stored body_html can be re-sanitized (or re-checked) without drifting."""
    html = render_markdown(source)
    assert sanitize_html(html) == html


@PROPERTY
@given(MARKDOWNISH)
def test_plain_text_and_mentions_never_raise_and_carry_no_markup(source):
    """plain_text is the rendered page's decoded text (for sentiment): the same words bleach's stripping gives."""
    text = plain_text(source)
    stripped = html.unescape(bleach.clean(render_markdown(source), tags=set(), strip=True))
    assert "".join(re.findall(r"\w+", text)) == "".join(re.findall(r"\w+", stripped))  # controls may differ
    assert all(re.fullmatch(r"[a-z0-9_][a-z0-9_.\-]{1,30}[a-z0-9_]", name) for name in mentioned_usernames(source))


def test_the_checker_catches_what_it_must():
    """The properties would pass vacuously if the checker saw nothing; it sees each kind of escape."""
    found = executable_constructs(
        '<a href=" JAVA&#x0A;SCRIPT:x" rel="nofollow ugc noopener">a</a><img src="http://x/a.png">'
        '<p style="x" onclick="y">p</p><svg><a href="/"></a></svg><a href="/ok">no rel</a>'
        '<a href="/\\evil.example" rel="nofollow ugc noopener">b</a>'
    )
    assert found == [
        "a[href=' JAVA\\nSCRIPT:x']",
        "img[src='http://x/a.png']",
        "p[style]",
        "p[onclick]",
        "<{http://www.w3.org/2000/svg}svg>",
        "<{http://www.w3.org/2000/svg}a>",
        "a without rel='nofollow ugc noopener'",
        "a without rel='nofollow ugc noopener'",
        "a[href='/\\\\evil.example']",
    ]
    assert stdlib_view_problems("<script>x</script><b onmouseover=1>") == ["<script>", "<b>", "b[onmouseover]"]
