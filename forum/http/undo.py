"""The page side of forum.services.undo: offer Undo after an act, and say why a late or stray one did nothing.

The offer is a flash of category "undo" whose message carries the text, the Undo form's address and its
signed ticket; templates/_partials/flashes.html renders it as the notice with its button, and
forum/static/undo.js takes the button away when the window closes (the server refuses it after that anyway).
"""

from __future__ import annotations

from flask import current_app, flash
from wtforms import HiddenField

from forum.http.forms import FlaskForm, errors_in_one_line
from forum.services import undo

CATEGORY = "undo"


class UndoForm(FlaskForm):
    """The Undo button's form: the ticket, as forum.services.undo.issue signed it."""

    token = HiddenField()


def ticket() -> str | None:
    """The posted ticket (empty when none came: the service refuses that), or None after flashing why the form
    itself was refused (a NUL in it)."""
    form = UndoForm()
    if not form.validate_on_submit():
        flash(errors_in_one_line(form), "error")
        return None
    return form.token.data or ""


def secret_key() -> str:
    """What the tickets are signed with: the app's secret key (the service salts it for this use)."""
    return current_app.secret_key


def offer(text: str, action: str, token: str, what: str) -> None:
    """Flash text with an Undo button that POSTs token to action; what names the act for screen readers."""
    flash({"text": text, "action": action, "token": token, "what": what,
           "seconds": int(undo.WINDOW.total_seconds())}, CATEGORY)


def refused(exc: undo.Refused) -> None:
    """Why nothing was undone; a warning, not an error: the request was fine, only its moment had passed."""
    flash(exc.detail, "warning")
