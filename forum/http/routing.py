"""URL converters shared by pages and the API."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from forum.core.i18n import N_

MAX_ID = 2**31 - 1  # ids are 32-bit integer columns; larger numbers cannot name a row


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a positive id the database can hold; anything else is a 404.

    Raising NotFound here (not a ValidationError) keeps werkzeug from answering 405 when
    another rule on the same path has a different method, and keeps huge numbers away from
    the database (SQLite cannot bind them: that was a 500).
    """

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound(N_("No such item."))  # translated where shown (forum.http.errors)
        return number


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
