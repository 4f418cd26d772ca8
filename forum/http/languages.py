"""Which language and time zone a request is answered in.

Pages: the member's own setting; for visitors the `language` cookie the switcher sets, else the best
match for Accept-Language, else English. The API answers in the Accept-Language match only, English when
the header is absent, so an integrator's parsing never depends on a member's setting (a problem's `type`
never changes; its `title` and `detail` follow the header).

Times: signed-in pages in the member's time zone; signed-out pages in UTC inside `<time datetime>`, which
forum/static/localtime.js rewrites in the visitor's own zone, so one cached page serves every visitor.
"""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import Flask, request
from flask_babel import Babel
from wtforms.i18n import messages_path

from forum.accounts import preferences
from forum.core import i18n
from forum.http.auth import acting_user

LANGUAGE_COOKIE = "language"  # a visitor's choice (forum.accounts.pages.preferences sets it)
MAX_RETURN_QUERY = 120


def _header_language() -> str | None:
    return request.accept_languages.best_match(list(i18n.LANGUAGES)) if request.accept_languages else None


def chosen_locale() -> str:
    """Flask-Babel's locale for this request: the chosen language, English formatted as in Britain.

    Also hands Flask-WTF the WTForms catalogue for it (field messages such as "This field is required."),
    kept per process: Flask-WTF reads the catalogue's file from disk on every request that builds a form
    (a tenth of a millisecond of each signed-in thread page, issue 21), and looks in the request's
    `wtforms_translations` first. Were that name to change, forms would load their catalogue as before.
    """
    locale = i18n.babel_locale(chosen_language())
    if request:
        request.wtforms_translations = _wtforms_catalogue(locale)
    return locale


@lru_cache(maxsize=len(i18n.LANGUAGES) + 1)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def chosen_language() -> str:
    """The language this request is answered in (see the module docstring for the order)."""
    if not request:
        return i18n.DEFAULT_LANGUAGE
    if request.path.startswith("/api/"):
        return _header_language() or i18n.DEFAULT_LANGUAGE
    user = acting_user()
    own = i18n.supported(getattr(user, "language", None)) if user else None
    return (own or i18n.supported(request.cookies.get(LANGUAGE_COOKIE)) or _header_language()
            or i18n.DEFAULT_LANGUAGE)


def chosen_time_zone() -> str:
    """The member's time zone on their own pages; UTC for visitors and the API (the script localises)."""
    if not request or request.path.startswith("/api/"):
        return "UTC"
    user = acting_user()
    return (getattr(user, "time_zone", None) or "UTC") if user else "UTC"


def chosen_theme() -> str:
    """`<html data-theme>`: the member's choice; "auto" for visitors, whose own choice theme.js applies."""
    user = acting_user()
    return (getattr(user, "theme", None) or "auto") if user else "auto"


def switcher_return_path() -> str:
    """Where the footer's switchers come back to: this page, with its query when that is short (a prefilled
    question title or a long search is not copied into every form of the page)."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query and len(query) <= MAX_RETURN_QUERY else request.path


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(i18n.CATALOGUES))
    try:
        i18n.compile_catalogues()
    except OSError:  # a read-only install: the catalogues compiled at install time are used as they are
        pass
    app.config.setdefault("BABEL_DEFAULT_LOCALE", i18n.babel_locale(None))
    Babel(app, locale_selector=chosen_locale, timezone_selector=chosen_time_zone)
    i18n.install_in_templates(app.jinja_env)  # after Babel: the same catalogue lookup as Python's _()
    # {% trans %} blocks: line breaks and indentation inside them are not part of the message.
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.after_request
    def say_the_language(response):
        """Content-Language on every page; Vary: Accept-Language where the header chose it (no member
        setting, no switcher cookie), so a shared cache keeps one copy per language."""
        if response.mimetype in ("text/html", "application/problem+json", "application/atom+xml"):
            response.headers.setdefault("Content-Language", i18n.current_language())
            response.vary.add("Accept-Language")
        return response

    @app.context_processor
    def language_helpers() -> dict:
        return i18n.template_callables(i18n.translations()) | {
            "languages": i18n.LANGUAGES,
            "current_language": i18n.current_language,
            "chosen_theme": chosen_theme,
            "theme_labels": preferences.theme_labels,
            "switcher_return_path": switcher_return_path,
        }
