"""The translation catalogues: extracted from the code, kept complete, checked in CI.

forum/translations/messages.pot is what `pybabel extract -F babel.cfg` finds; each language's messages.po
holds a translation for every entry of it. `flask translations update` re-extracts and merges new text into
the catalogues; `flask translations check` (make test) fails when code holds text that is not marked
(forum.cli.i18n_lint), when extraction would change the committed template (text was added, changed or
removed without running update), or when a catalogue leaves an entry untranslated, fuzzy, or with
a placeholder the English does not fill (leaving one out is allowed: German may say "this post"
where English names the post's kind).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from forum.cli.i18n_lint import unmarked
from forum.core import i18n

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = i18n.CATALOGUES / "messages.pot"
KEYWORDS = ("_l", "N_", "lazy_ngettext:1,2")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# Everything members, staff and visitors read; not forum/cli, whose output is for the operator at a console
# (and whose demo community is content, like any member's post).
CHECKED_PATHS = ["templates", *(f"forum/{p.name}" for p in sorted((ROOT / "forum").iterdir())
                                if p.is_dir() and p.name not in {"cli", "static", "translations", "__pycache__"}),
                 "forum/hooks.py", "moderation", "search"]


@dataclass
class Report:
    """What `flask translations check` found; ok when every list is empty."""

    unmarked: list[str] = field(default_factory=list)
    template_drift: list[str] = field(default_factory=list)
    untranslated: dict[str, list[str]] = field(default_factory=dict)
    statistics: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.unmarked or self.template_drift or any(self.untranslated.values()))


def extract(target: Path) -> None:
    """pybabel extract over the project into target (no source locations, so moving code changes nothing)."""
    # --ignore-dirs: pybabel skips folders starting with "_" by default, which would leave out _partials and _macros
    arguments = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output",
                 "--ignore-dirs", ".* __pycache__",
                 "--project", "Horseshoe", "--copyright-holder", "Horseshoe contributors", "-o", str(target)]
    for keyword in KEYWORDS:
        arguments += ["-k", keyword]
    CommandLineInterface().run([*arguments, str(ROOT)])


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language)


def _ids(catalogue: Catalog) -> set:
    return {message.id for message in catalogue if message.id}


def template_drift() -> list[str]:
    """Entries extraction would add to or remove from the committed template."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "messages.pot"
        extract(fresh)
        now, committed = _ids(read(fresh)), _ids(read(TEMPLATE)) if TEMPLATE.exists() else set()
    return [f"new: {_shown(entry)}" for entry in sorted(now - committed, key=str)] + \
        [f"gone: {_shown(entry)}" for entry in sorted(committed - now, key=str)]


def _shown(entry: str | tuple) -> str:
    return repr(entry[0] if isinstance(entry, tuple) else entry)[:100]


def problems_in(language: str) -> list[str]:
    """Entries of the template this language's catalogue does not translate fully and faithfully."""
    template = read(TEMPLATE)
    path = i18n.CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return [f"{path} is missing"]
    catalogue = read(path, language)
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        if translated is None or not translated.string or not all(_as_list(translated.string)):
            problems.append(f"untranslated: {_shown(message.id)}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {_shown(message.id)}")
        elif not _placeholders(translated.string) <= _placeholders(message.id):
            problems.append(f"a placeholder the English does not fill: {_shown(message.id)}")
    return problems


def _as_list(text: str | tuple) -> list[str]:
    return list(text) if isinstance(text, (tuple, list)) else [text]


def _placeholders(text: str | tuple) -> set[str]:
    """The placeholders a text fills; for plural forms, all forms together less the count itself (a language
    may say "one answer" in words: "eine Antwort")."""
    found = set()
    for part in _as_list(text):
        found |= set(PLACEHOLDER.findall(part))
    return found - {"%(num)d", "%(num)s", "%d"} if isinstance(text, (tuple, list)) else found


def statistics(language: str) -> str:
    """pybabel compile --statistics' figure, as the issue asks CI to show: "1234 of 1234 messages (100%)"."""
    path = i18n.CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    catalogue = read(path, language)
    total = sum(1 for message in catalogue if message.id)
    done = sum(1 for message in catalogue if message.id and all(_as_list(message.string)) and not message.fuzzy)
    return f"{done} of {total} messages translated ({100 * done // max(total, 1)}%)"


def check() -> Report:
    """Everything `flask translations check` asks (see the module docstring)."""
    report = Report(unmarked=[str(finding) for finding in unmarked(ROOT, CHECKED_PATHS)])
    report.template_drift = template_drift()
    for language in i18n.LANGUAGES:
        if language == i18n.DEFAULT_LANGUAGE:
            continue
        report.untranslated[language] = problems_in(language)
        report.statistics[language] = statistics(language)
    return report


def update() -> list[str]:
    """Re-extract the template and merge it into every catalogue (new entries empty, gone ones dropped)."""
    extract(TEMPLATE)
    changed = []
    for language in i18n.LANGUAGES:
        if language == i18n.DEFAULT_LANGUAGE:
            continue
        folder = i18n.CATALOGUES / language / "LC_MESSAGES"
        command = "update" if (folder / "messages.po").exists() else "init"
        arguments = ["pybabel", "-q", command, "-i", str(TEMPLATE), "-d", str(i18n.CATALOGUES), "-l", language,
                     "--no-wrap"]
        CommandLineInterface().run(arguments + (["--ignore-obsolete"] if command == "update" else []))
        changed.append(str(folder / "messages.po"))
    i18n.compile_catalogues()
    return changed
