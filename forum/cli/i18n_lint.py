"""Find text people read that was not marked for translation (issue 27: CI fails on anything unmarked).

Two passes, both syntactic, so they run without an app or a database:

- Templates (Jinja's own lexer): text between tags, and the title, alt, placeholder, aria-label and submit
  `value` attributes, outside {% trans %} blocks; plus string literals in expressions that read like words
  ("Leaderboard", "Not yet") and are not the argument of `_()`/`ngettext()`.
- Python (the ast module): the call sites whose text reaches a person: flash(), abort(code, text), domain
  errors raised with a message, `errors.add(field, message)`, WTForms labels, choices and `message=`,
  email subjects, problem+json titles and details, and DomainError subclasses' `title`.

A line that holds text on purpose untranslated says so with `# i18n: ok` (Python) or `{# i18n: ok #}`
(templates), or the word sits in ALLOWED_WORDS.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

OPT_OUT = "i18n: ok"
MARKERS = frozenset({"_", "_l", "N_", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "pgettext"})
# Words that are the same in every language Horseshoe speaks: names, formats, protocols.
ALLOWED_WORDS = frozenset({
    "Horseshoe", "API", "JSON", "CSV", "RSS", "Atom", "OpenID", "OIDC", "SLA", "URL", "ID", "OK", "TOTP", "SMTP",
    "HTTP", "HTTPS", "HMAC", "SHA", "Markdown", "GitHub", "Zendesk", "Freshdesk", "Gravatar", "UTC", "GMT",
    "Slack", "Google", "Microsoft", "IMAP", "DKIM", "SPF", "DMARC", "PNG", "JPEG", "WebP", "GIF", "SVG", "PDF", "Email",
    "Python", "Flask", "SQLAlchemy", "PostgreSQL", "SQLite",
})
SHOWN_ATTRIBUTES = re.compile(r'\b(title|alt|placeholder|aria-label)="([^"{]*)')
SUBMIT_VALUE = re.compile(r'<input[^>]*type="submit"[^>]*\bvalue="([^"{]*)')
WORDS = re.compile(r"[A-Za-z][a-z]+|[A-Z]{2,}")
ENTITY = re.compile(r"&#?\w+;")
LOOKS_LIKE_WORDS = re.compile(r"^[A-Z][a-z]+(?:[ ,.:;!?'’-]|$)|^[a-z]+ [a-z]+ [a-z]+")
NOT_PROSE = re.compile(r"^[\w-]*[._][\w.-]*$|^[a-z0-9 _-]+$|%|/|\{|=")  # endpoints, CSS classes, formats
CODE_TAG = re.compile(r"(/?)(?:script|style|pre|code)\b")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: unmarked text: {self.text!r}"


def _reads_as_words(text: str) -> bool:
    """Text a person reads: a word of two letters or more that is not a name every language shares."""
    return any(word not in ALLOWED_WORDS for word in WORDS.findall(text) if len(word) > 1)


# ---------------------------------------------------------------- templates

class Markup:
    """Where a template's raw text stands as chunks between expressions are read: inside a tag (and which
    quote), or inside <script>/<style>/<pre>/<code>, whose text is not prose."""

    def __init__(self) -> None:
        self.in_tag = False
        self.quote = ""
        self.tag = ""
        self.in_code = False

    def visible(self, data: str) -> str:
        """The characters of this chunk that show as text; the state carries on to the next chunk."""
        data = re.sub(r"<!--.*?-->", " ", data, flags=re.S)
        shown = []
        for char in data:
            if not self.in_tag:
                if char == "<":
                    self.in_tag, self.tag = True, ""
                elif not self.in_code:
                    shown.append(char)
            elif self.quote:
                self.quote = "" if char == self.quote else self.quote
            elif char in "\"'":
                self.quote = char
            elif char == ">":
                self.in_tag = False
                self._entered(self.tag)
                shown.append(" ")
            else:
                self.tag += char
        return ENTITY.sub(" ", "".join(shown))

    def _entered(self, tag: str) -> None:
        match = CODE_TAG.match(tag)
        if match:
            self.in_code = not match.group(1)


def _data_findings(path: str, line: int, data: str, markup: Markup) -> Iterator[Finding]:
    for match in SHOWN_ATTRIBUTES.finditer(data):
        if _reads_as_words(match.group(2)):
            yield Finding(path, line, f'{match.group(1)}="{match.group(2).strip()}"')
    for match in SUBMIT_VALUE.finditer(data):
        if _reads_as_words(match.group(1)):
            yield Finding(path, line, f'value="{match.group(1)}"')
    text = " ".join(markup.visible(data).split())
    if _reads_as_words(text):
        yield Finding(path, line, text[:80])


def _block_argument(recent: list[tuple[str, str]], block_name: str | None, data: str) -> bool:
    """`{% block layout %}wide{% endblock %}`: a one-word block filling a class name or the like."""
    return block_name == "block" and recent[-1][0] == "block_end" and re.fullmatch(r"\s*[a-z-]+\s*", data) is not None


def _marked(recent: list[tuple[str, str]]) -> bool:
    """The last two tokens open a marker's call: `_(`, `pgettext(`."""
    return recent[-2][0] == "name" and recent[-2][1] in MARKERS and recent[-1] == ("operator", "(")


def template_findings(path: Path, source: str, environment: Environment | None = None) -> list[Finding]:
    """Unmarked text in one template, found from Jinja's token stream."""
    environment = environment or Environment(extensions=["jinja2.ext.i18n"])  # nosec B701  # lexing only
    findings: list[Finding] = []
    in_trans = False
    markup = Markup()
    block_name = None
    marker_depth = 0  # inside the parentheses of _(), pgettext() ...: every string there is marked
    recent: list[tuple[str, str]] = [("", ""), ("", "")]  # the last two tokens that are not whitespace
    for line, kind, value in environment.lex(source):
        if kind == "name" and recent[-1][0] == "block_begin":
            block_name = value
            in_trans = {"trans": True, "endtrans": False}.get(value, in_trans)
        elif kind == "data" and not in_trans and not _block_argument(recent, block_name, value):
            findings.extend(_data_findings(str(path), line, value, markup))
        elif kind == "data":
            markup.visible(value)
        elif kind == "operator" and value in "()" and (marker_depth or _marked(recent + [(kind, value)])):
            marker_depth += 1 if value == "(" else -1
        elif kind == "string" and not in_trans and block_name != "trans" and not marker_depth:
            text = value[1:-1]  # the lexer keeps the quotes
            if LOOKS_LIKE_WORDS.match(text) and not NOT_PROSE.search(text) and _reads_as_words(text):
                findings.append(Finding(str(path), line, text))
        if kind != "whitespace":
            recent = [recent[-1], (kind, value)]
    lines = source.splitlines()
    return [finding for finding in findings if OPT_OUT not in lines[min(finding.line, len(lines)) - 1]]


# ---------------------------------------------------------------- Python

QUIET_EXCEPTIONS = frozenset({
    "OperationalError", "DatabaseError", "IntegrityError", "ProgrammingError",
    "ValueError", "TypeError", "KeyError", "RuntimeError", "AssertionError", "NotImplementedError", "SystemExit",
    "LookupError", "AttributeError", "OSError", "ClickException", "UsageError", "BadParameter", "Abort",
    "StopIteration", "ImportError", "PermissionError", "FileNotFoundError", "TimeoutError", "ConnectionError",
    # Shown only on the operator's console by `flask backup` and `flask import`, in English like all command output.
    "BackupError", "DumpError",
})
FORM_FIELD = re.compile(r"(Field|Area)$")
SHOWN_KEYWORDS = frozenset({"message", "label", "description", "detail", "subject", "title"})


def _literal(node: ast.AST | None) -> str | None:
    """The text of an unmarked literal (a string, f-string or "..." % x / .format()), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _literal(node.left) or _literal(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal(node.func.value)
    return None


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


DOMAIN_ERRORS = frozenset({"Invalid", "Forbidden", "NotFound", "Conflict", "NotAuthenticated", "TooLarge", "TooLong"})
ERROR_ENDINGS = ("Error", "Refused", "Reached")


def _is_domain_error(name: str) -> bool:
    return name in DOMAIN_ERRORS or (
        name[:1].isupper() and name.endswith(ERROR_ENDINGS) and name not in QUIET_EXCEPTIONS)


def _shown_positionals(call: ast.Call) -> list[ast.AST]:
    """The positional arguments a person reads, by what the call is."""
    name, arguments = _name(call.func), call.args
    if name == "flash" or FORM_FIELD.search(name):
        return arguments[:1]
    if name in {"abort", "problem"}:
        return arguments[1:3]
    if name == "queue_email":
        return arguments[1:2]
    if name == "add" and "error" in _name(getattr(call.func, "value", call.func)).lower():
        return arguments[1:2]
    if _is_domain_error(name) and arguments:
        first = arguments[0]
        if isinstance(first, ast.Dict):  # Invalid({"field": ["message"]})
            return [item for value in first.values if isinstance(value, ast.List) for item in value.elts]
        return [first]
    return []


def _shown_arguments(call: ast.Call) -> Iterator[ast.AST]:
    """Every argument of a call that a person reads: positionals by the call, keywords by their name."""
    yield from _shown_positionals(call)
    for keyword in call.keywords:
        if keyword.arg in SHOWN_KEYWORDS:
            yield keyword.value
        elif keyword.arg == "choices" and isinstance(keyword.value, (ast.List, ast.Tuple)):
            yield from (pair.elts[1] for pair in keyword.value.elts
                        if isinstance(pair, ast.Tuple) and len(pair.elts) == 2)


def _class_titles(node: ast.ClassDef) -> Iterator[ast.AST]:
    """`title = "..."` in a DomainError subclass (the problem title pages and the API show)."""
    if not any(_is_domain_error(_name(base)) or _name(base) == "DomainError" for base in node.bases):
        return
    for statement in node.body:
        if isinstance(statement, ast.Assign) and any(_name(target) == "title" for target in statement.targets):
            yield statement.value


def python_findings(path: Path, source: str) -> list[Finding]:
    """Unmarked text at the call sites that show it (see the module docstring)."""
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    findings = []
    for node in ast.walk(tree):
        candidates: Iterator[ast.AST] = iter(())
        if isinstance(node, ast.Call) and _name(node.func) not in MARKERS:
            candidates = _shown_arguments(node)
        elif isinstance(node, ast.ClassDef):
            candidates = _class_titles(node)
        for candidate in candidates:
            text = _literal(candidate)
            line = getattr(candidate, "lineno", node.lineno)
            if text and _reads_as_words(text) and OPT_OUT not in lines[line - 1]:
                findings.append(Finding(str(path), line, text[:80]))
    return findings


def unmarked(root: Path, paths: list[str]) -> list[Finding]:
    """Every finding under the given files or folders (templates: .html/.txt/.xml; Python: .py)."""
    environment = Environment(extensions=["jinja2.ext.i18n"])  # nosec B701  # lexing only, nothing rendered
    findings: list[Finding] = []
    for target in paths:
        base = root / target
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for file in files:
            relative = file.relative_to(root)
            if file.suffix == ".py":
                findings.extend(python_findings(relative, file.read_text(encoding="utf-8")))
            elif file.suffix in {".html", ".txt", ".xml"}:
                findings.extend(template_findings(relative, file.read_text(encoding="utf-8"), environment))
    return findings
