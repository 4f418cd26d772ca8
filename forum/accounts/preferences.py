"""A member's reading preferences: the language pages and emails are written in, and the theme."""

from __future__ import annotations

from forum.core import i18n
from forum.core.errors import ErrorCollector, Invalid
from forum.core.extensions import db
from forum.models import User

THEMES = ("auto", "light", "dark")  # "auto" follows the system's light or dark setting


def theme_labels() -> dict[str, str]:
    """Each theme as the switcher and the settings page name it, in the reader's language."""
    return {"auto": i18n._("Automatic (as your system)"), "light": i18n._("Light"), "dark": i18n._("Dark")}


def choose_language(user: User, language: str | None) -> None:
    """Store the member's language; an unknown or empty code means "as my browser asks" (None)."""
    user.language = i18n.supported(language)
    db.session.commit()


def choose_theme(user: User, theme: str) -> None:
    if theme not in THEMES:
        raise Invalid({"theme": [i18n._("Choose automatic, light or dark.")]})
    user.theme = theme
    db.session.commit()


def language_choices() -> list[tuple[str, str]]:
    """The settings page's choices: the browser's choice first (stored as None), then each language by its own name."""
    return [("", i18n._("As my browser asks")), *i18n.LANGUAGES.items()]


def check(errors: ErrorCollector, language: str | None, theme: str | None) -> None:
    """Refusals for the profile form's language and theme, beside their fields (None: not being changed)."""
    if language is not None and language and i18n.supported(language) != language:
        errors.add("language", i18n._("Choose one of the languages listed."))
    if theme is not None and theme not in THEMES:
        errors.add("theme", i18n._("Choose automatic, light or dark."))


def apply(user: User, language: str | None, theme: str | None) -> None:
    """Store what check() accepted; the caller commits."""
    if language is not None:
        user.language = i18n.supported(language)
    if theme is not None:
        user.theme = theme
