"""Job names mapped to their handlers; filled by create_app from each package's init."""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[[dict], None]

_handlers: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    _handlers[name] = handler


def handler_for(name: str) -> Handler | None:
    return _handlers.get(name)


def names() -> set[str]:
    return set(_handlers)
