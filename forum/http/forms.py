"""The site's form base, and carrying a service's field errors onto a form so each shows beside its field."""

from __future__ import annotations

import flask_wtf
from wtforms import SelectChoice

from forum.core.errors import DomainError
from forum.core.i18n import _
from forum.core.text import NUL, NUL_MESSAGE
from forum.services import categories


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form, refusing a NUL character in any field: every form of the site derives from this one.

    PostgreSQL cannot store a NUL (the insert failed with a 500) while SQLite kept it, so the refusal
    happens here, once for every form, as an error beside the field; the views already answer a form
    that does not validate with its page again (422). tests/security/test_nul_bytes.py checks that
    every form class in the app derives from this one.
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if any(isinstance(raw, str) and NUL in raw for raw in field.raw_data or ()):
                field.errors = [NUL_MESSAGE]  # other complaints about the same input would only confuse
                valid = False
        return valid


def errors_in_one_line(source: FlaskForm | DomainError) -> str:
    """Every message of a form that did not validate, or of a service's refusal, for a flash before redirecting."""
    errors = source.errors if isinstance(source, FlaskForm) else (source.errors or {"": [source.detail]})
    return " ".join(message for messages in errors.values() for message in messages) or _("Please try again.")


def show_errors(form: FlaskForm, exc: DomainError) -> None:
    """Attach each message to its field; messages for unknown fields go to the form as a whole."""
    for name, messages in (exc.errors or {"": [exc.detail]}).items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)


def category_choices(kind: str = "threads") -> list[SelectChoice]:
    """The categories of one kind as a select's choices, in the site's order (the Ask form, thread moves, the
    article editor: "threads"; an idea's moves: "ideas"), as posting refuses a thread in the other kind."""
    return [SelectChoice(category.id, category.name) for category, _count in categories.list_categories()
            if category.kind == kind]
