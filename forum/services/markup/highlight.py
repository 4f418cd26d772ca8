"""Code blocks highlighted on the server: Pygments token spans inside <pre><code>, no client script.

The fence's language names the lexer (any Pygments alias: "py", "python3", "c++"); an unknown one
shows the code plain. Without a language only what is unmistakable is guessed (a Python traceback,
JSON that parses, a shell session, log lines with timestamps or levels): a wrong guess colours prose
as code, which is worse than no colour. Very large blocks are only escaped, so a paste of a whole log
cannot make rendering slow. Spans carry Pygments' short standard classes only, the ones the
sanitizer allows; forum/static/code.css colours them (see palette.py).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache

from markdown_it.common.utils import escapeHtml
from pygments import lex
from pygments.lexer import Lexer, RegexLexer, bygroups
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, Comment, Generic, Keyword, Literal, Name, Number, String, Text, Whitespace
from pygments.util import ClassNotFound

from forum.services.markup.sanitizer import LANGUAGE_NAME

MAX_HIGHLIGHT_CHARS = 20_000
MAX_HIGHLIGHT_LINES = 500

_TIMESTAMP = r"\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\]?"
_SYSLOG_TIME = r"[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}"
_LEVEL = r"\[?(?:ERROR|FATAL|CRITICAL|SEVERE|WARN|WARNING|INFO|NOTICE|DEBUG|TRACE)\]?(?=[\s:]|$)"
LOG_LINE = re.compile(rf"^(?:{_TIMESTAMP}|{_SYSLOG_TIME}|{_LEVEL})")


class LogLexer(RegexLexer):
    """Application and system log lines: timestamps, levels, quoted strings and numbers."""

    name = "Log"
    aliases = ["log", "logs"]
    tokens = {
        "root": [
            (_TIMESTAMP, Literal.Date),
            (_SYSLOG_TIME, Literal.Date),
            (r"(ERROR|FATAL|CRITICAL|SEVERE)\b", Generic.Error),
            (r"(WARN|WARNING)\b", Generic.Strong),
            (r"(INFO|NOTICE)\b", Keyword),
            (r"(DEBUG|TRACE)\b", Comment),
            (r'"[^"\n]*"', String),
            (r"([A-Za-z_][\w.-]*)(=)", bygroups(Name.Attribute, Text)),
            (r"[A-Za-z_]\w*", Text),
            (r"0x[0-9a-fA-F]+|\d+(?:\.\d+)?", Number),
            (r"\s+", Whitespace),
            (r".", Text),
        ]
    }


_OWN_LEXERS = {alias: LogLexer for alias in LogLexer.aliases}


@lru_cache(maxsize=64)
def lexer_for(name: str) -> Lexer | None:
    """The lexer a fence's language names, or None (unknown: the code stays plain)."""
    options = {"stripnl": False, "ensurenl": False}  # the text shown (and copied) is exactly what was written
    if name in _OWN_LEXERS:
        return _OWN_LEXERS[name](**options)
    try:
        return get_lexer_by_name(name, **options)
    except ClassNotFound:
        return None


def guess_language(code: str) -> str | None:
    """A language for a block without one, only when it cannot be anything else; else None."""
    text = code.strip()
    if text.startswith("Traceback (most recent call last):"):
        return "pytb"
    if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
        try:
            json.loads(text)
        except ValueError:
            return None
        return "json"
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    if lines[0].startswith("$ "):
        return "console"
    matching = sum(1 for line in lines if LOG_LINE.match(line))
    if LOG_LINE.match(lines[0]) and matching * 2 >= len(lines):
        return "log"
    return None


@cache
def token_class(ttype) -> str:
    """The short standard class of a token type, or of its nearest standard parent ("" for plain text).

    Lexers define their own subtypes; their HTML class would be outside the sanitizer's allowlist.
    """
    if ttype in Whitespace:
        return ""
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


def _spans(code: str, lexer: Lexer) -> str:
    """The code as escaped text in token spans, neighbouring tokens of one class merged."""
    parts: list[str] = []
    current, run = "", []
    for ttype, value in lex(code, lexer):
        name = token_class(ttype)
        if name != current and run:
            parts.append(_span(current, "".join(run)))
            run = []
        current = name
        run.append(value)
    if run:
        parts.append(_span(current, "".join(run)))
    return "".join(parts)


def _span(name: str, text: str) -> str:
    return f'<span class="{name}">{escapeHtml(text)}</span>' if name else escapeHtml(text)


def too_large(code: str) -> bool:
    return len(code) > MAX_HIGHLIGHT_CHARS or code.count("\n") > MAX_HIGHLIGHT_LINES


def code_block(code: str, info: str) -> str:
    """One fenced or indented block as <pre tabindex="0"><code class="language-x">…</code></pre>.

    info is the fence's language word as written (may be empty); the class keeps it when it is a plain
    name, so "py" stays "language-py" whichever lexer it maps to.
    """
    name = info.lower()
    language = name if LANGUAGE_NAME.fullmatch(name) else ""
    if not name and not too_large(code):
        language = guess_language(code) or ""
    lexer = lexer_for(language) if language and not too_large(code) else None
    body = _spans(code, lexer) if lexer is not None else escapeHtml(code)
    label = f' class="language-{language}"' if language else ""
    return f'<pre tabindex="0"><code{label}>{body}</code></pre>\n'
