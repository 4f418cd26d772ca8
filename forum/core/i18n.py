"""The languages Horseshoe speaks, and the one way code marks text for translation.

Every string a person reads goes through these names, so `pybabel extract` (babel.cfg) finds it and
scripts/check_i18n can tell a marked string from a forgotten one:

- `_("...")` translates now, in the language of whoever is being answered (a request, or the reader an
  email is rendered for: `reading_as`). Use it where the text is built per request.
- `_l("...")` is a lazy string for text built at import time (form labels, validator messages,
  setting labels): it is translated each time it is shown.
- `N_("...")` only marks: the text stays English where it is stored (a problem's title, which also
  names its type) and is translated where it is shown.

Catalogues live in forum/translations (`make translations` compiles them; `compile_catalogues` does it
for tests and `make run`). Domain code imports from here, never flask_babel, so the translation library
stays swappable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path

import pytz  # Flask-Babel's own time zone type (a dependency of Flask-Babel)
from babel import dates as babel_dates
from babel.dates import get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask_babel import _get_current_context as babel_context
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_timedelta,
    get_locale,
    get_timezone,
    get_translations,
    lazy_gettext,
    lazy_ngettext,
)
from jinja2 import pass_eval_context
from markupsafe import Markup

__all__ = [
    "LANGUAGES", "DEFAULT_LANGUAGE", "N_", "_", "_l", "ngettext", "lazy_ngettext", "current_language",
    "reading_as", "format_date", "format_datetime", "format_decimal", "format_number", "format_timedelta",
    "supported", "compile_catalogues", "CATALOGUES", "format_moment", "relative_time",
]

# Language code → its own name, as the switcher shows it (a German reader looks for "Deutsch").
LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español"}
DEFAULT_LANGUAGE = "en"
# The Babel locale each language's dates and numbers are written in: English as in Britain ("20 November 2026,
# 09:05", as Horseshoe wrote dates before it had Babel), the others as their CLDR defaults.
FORMAT_LOCALES = {"en": "en_GB"}


def babel_locale(language: str | None) -> str:
    """The locale to hand Babel for a language code ("en" → "en_GB"); unknown codes get English."""
    code = supported(language) or DEFAULT_LANGUAGE
    return FORMAT_LOCALES.get(code, code)
CATALOGUES = Path(__file__).resolve().parent.parent / "translations"

_l = lazy_gettext
_NULL = NullTranslations()


def translations() -> NullTranslations:
    """The catalogue text is being written from now: one lookup a page instead of Flask-Babel's three context
    reads per string (a page holds a few hundred). Kept on Flask-Babel's own context with the locale it is
    for, so reading_as (force_locale) switching the locale switches the catalogue too."""
    context = babel_context()
    if context is None:
        return _NULL
    locale = getattr(context, "babel_locale", None)
    cached = getattr(context, "horseshoe_translations", None)
    if cached is None or locale is None or cached[0] is not locale:
        catalogue = get_translations()
        cached = context.horseshoe_translations = (getattr(context, "babel_locale", None), catalogue)
    return cached[1]


def _(string: str, **variables) -> str:
    """Translate now, in the language being written (see the module docstring)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural form for num (as the language counts), num available as %(num)d."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def _as_template_text(eval_context, text: str) -> str:
    """A catalogue's text is template source, as trusted as the template itself: marked safe under autoescape,
    so only the variables %-formatted into it are escaped (what Jinja's own newstyle gettext does)."""
    if not eval_context.autoescape:
        return text
    return Markup(text)  # nosec B704  # the translation of our own template text, never user input


def template_callables(catalogue: NullTranslations | None = None) -> dict:
    """Jinja's _(), gettext(), ngettext() and pgettext() over one catalogue (newstyle, as Jinja's i18n
    extension defines them: variables %-formatted in, autoescaped). Without a catalogue each call looks up
    the current one: the template globals, used by imported macros. A page's own context gets them bound to
    its catalogue (forum.http.languages), looked up once instead of a few hundred times: issue 27 item 4."""
    current = (lambda: catalogue) if catalogue is not None else translations

    @pass_eval_context
    def gettext(eval_context, string: str, **variables):
        text = current().ugettext(string)
        return _as_template_text(eval_context, text) % variables

    @pass_eval_context
    def ngettext(eval_context, singular: str, plural: str, num: int, **variables):
        variables.setdefault("num", num)
        text = current().ungettext(singular, plural, num)
        return _as_template_text(eval_context, text) % variables

    @pass_eval_context
    def pgettext(eval_context, context: str, string: str, **variables):
        variables.setdefault("context", context)
        text = current().upgettext(context, string)
        return _as_template_text(eval_context, text) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}


def install_in_templates(environment) -> None:
    """Replace the gettext callables Flask-Babel installed with template_callables' (one context call each,
    not Jinja's wrapper around Flask-Babel's wrapper)."""
    environment.globals.update(template_callables())


def N_(text: str) -> str:  # noqa: N802 (gettext's own name for "mark, don't translate")
    """Mark text for extraction without translating it here; it is translated where it is shown."""
    return text


def supported(code: str | None) -> str | None:
    """The language code if Horseshoe speaks it ("de-AT" counts as "de"), else None."""
    if not code:
        return None
    base = str(code).replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def current_language() -> str:
    """The language of the text being produced now ("en" outside a request)."""
    return _current_locale()[1]


def _current_locale() -> tuple[str, str]:
    """(Babel's locale name, our language code) of the text being produced now.

    Asked a few dozen times a page (every template load, every "3 hr ago"): kept beside Flask-Babel's
    locale, for that locale object only, so reading_as switching the locale switches the answer (as
    translations() does)."""
    context = babel_context()
    if context is None:
        return babel_locale(None), DEFAULT_LANGUAGE
    locale = getattr(context, "babel_locale", None) or get_locale()  # Flask-Babel's own slot, else its lookup
    if not locale:
        return babel_locale(None), DEFAULT_LANGUAGE
    cached = getattr(context, "horseshoe_language", None)
    if cached is None or cached[0] is not locale:
        name = str(locale)
        cached = context.horseshoe_language = (locale, (name, supported(name) or DEFAULT_LANGUAGE))
    return cached[1]


@contextmanager
def reading_as(language: str | None, time_zone: str | None = None) -> Iterator[None]:
    """Produce text for one reader: their language and time zone, whoever's request this is.

    An email to a German member, rendered while an English member's reply request runs, must be German
    and show times in the recipient's zone; outside any context (a bare script) this changes nothing.
    """
    context = babel_context()
    if context is None:
        yield
        return
    saved_zone = getattr(context, "babel_tzinfo", None)
    with force_locale(babel_locale(language)):
        if time_zone:
            try:
                context.babel_tzinfo = pytz.timezone(time_zone)
            except pytz.UnknownTimeZoneError:
                context.babel_tzinfo = pytz.UTC
        try:
            yield
        finally:
            if time_zone:
                context.babel_tzinfo = saved_zone


def relative_time(moment: datetime, now: datetime) -> str:
    """"3 hr ago", "vor 3 Std.", "hace 3 h": how long ago in the reader's language (Babel's short form,
    which fits a thread row); "just now" under a minute, as a clock a little ahead of ours is not "in 1 min"."""
    elapsed = now - moment
    if elapsed < timedelta(minutes=1):
        return _("just now")
    return _minutes_ago(_current_locale()[0], int(elapsed.total_seconds() // 60))


@lru_cache(maxsize=8192)
def _minutes_ago(locale: str, minutes: int) -> str:
    """Babel's wording of a whole number of minutes ago, kept: a page of thread rows asks for the same few."""
    return babel_dates.format_timedelta(timedelta(minutes=-minutes), granularity="minute", threshold=1,
                                        add_direction=True, format="short", locale=locale)


def format_moment(moment: datetime, zone: tzinfo | None = None, date_style: str = "long") -> str:
    """A date and time as the reader writes them, without seconds: "7 December 2026, 09:30", "7. Dezember 2026,
    09:30" (date_style "medium": "7 Dec 2026, 09:30", for dense lists).

    In zone when given (the zone is then named after it: "… Europe/Paris"), else in the reader's zone, with
    " UTC" after it when that is UTC (visitors, emails to members without one), so nobody takes it for theirs.
    """
    locale = get_locale() or babel_locale(None)
    shown_zone = zone or get_timezone()
    pattern = get_datetime_format(date_style, locale=locale).replace("'", "")  # en's long form quotes "at"
    date = babel_dates.format_date(moment.astimezone(shown_zone), date_style, locale=locale)
    time = babel_dates.format_time(moment, "short", tzinfo=shown_zone, locale=locale)
    text = pattern.replace("{1}", date).replace("{0}", time)
    name = getattr(shown_zone, "key", None) or getattr(shown_zone, "zone", None) or str(shown_zone)
    return f"{text} {name}" if zone is not None or name == "UTC" else text


def compile_catalogues(directory: Path = CATALOGUES) -> list[Path]:
    """Compile every messages.po whose messages.mo is missing or older; the compiled files returned.

    Gettext reads only compiled catalogues. `make translations` runs `pybabel compile`; this does the same
    through Babel's own reader and writer for test runs and servers started without make, so an edited
    catalogue never leaves a stale translation behind.
    """
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalogue = read_po(source, locale=po_path.parent.parent.name)
        partial = mo_path.with_name(f"messages.mo.{os.getpid()}")  # gunicorn workers start together: each
        with partial.open("wb") as target:                         # writes its own file, then swaps it in whole
            write_mo(target, catalogue, use_fuzzy=False)
        os.replace(partial, mo_path)
        written.append(mo_path)
    return written
