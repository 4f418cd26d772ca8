"""Carry a service's field errors onto a WTForms form, so each shows beside its field."""

from __future__ import annotations

from flask_wtf import FlaskForm

from forum.core.errors import DomainError


def show_errors(form: FlaskForm, exc: DomainError) -> None:
    """Attach each message to its field; messages for unknown fields go to the form as a whole."""
    for name, messages in (exc.errors or {"": [exc.detail]}).items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)
