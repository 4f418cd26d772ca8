"""The footer's switchers: the language pages are written in and the light or dark theme.

A member's choice is stored on their account (and shown on their settings page); a visitor's language is a
cookie and their theme lives in their browser (forum/static/theme.js), because anything per visitor in the
HTML would end the shared page cache for everyone.

A visitor's language form carries no CSRF token: a token would put a session in every cached page, and a
forged post could only change the language of its victim's next page. A member's choice is stored, so their
forms carry the token and it is checked here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms import StringField

from forum.accounts import preferences
from forum.core import i18n
from forum.core.extensions import csrf
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, errors_in_one_line
from forum.http.languages import LANGUAGE_COOKIE
from forum.http.standing import open_while
from forum.http.urls import same_site_path
from forum.services.permissions import Restriction

COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("preferences", __name__)


class SwitcherForm(FlaskForm):
    """A switcher's fields, refused with the site's NUL check like every form; CSRF is the views' own matter."""

    class Meta:
        csrf = False

    language = StringField()
    theme = StringField()
    next = StringField()


def _checked_form() -> SwitcherForm:
    form = SwitcherForm()
    if not form.validate():
        abort(422, errors_in_one_line(form))
    return form


def _back() -> Response:
    """Back where the switcher was used: a path on this site only (never another host)."""
    target = same_site_path(request.form.get("next"))
    if target is None:
        return redirect("/", code=303)
    parts = urlsplit(target)
    return redirect(parts.path + (f"?{parts.query}" if parts.query else ""), code=303)


@bp.post("/language")
@csrf.exempt
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def switch_language():
    """A member's language setting, or a visitor's cookie (see the module docstring for CSRF)."""
    language = i18n.supported(_checked_form().language.data) or i18n.DEFAULT_LANGUAGE
    response = _back()
    user = acting_user()
    if user is None:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
        return response
    csrf.protect()  # the check every other form gets (a 400 CSRF error when the token is missing or stale)
    preferences.choose_language(user, language)
    return response


@bp.post("/theme")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def switch_theme():
    """A member's theme, stored on their account (visitors switch in the browser: forum/static/theme.js)."""
    preferences.choose_theme(acting_user(), _checked_form().theme.data or "")
    return _back()
