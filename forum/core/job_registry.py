"""Job names mapped to their handlers, and which jobs recur; filled by create_app."""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[[dict], object]

_handlers: dict[str, Handler] = {}
_periodic: dict[str, Callable[[], float]] = {}


def register(name: str, handler: Handler, every_s: Callable[[], float] | None = None) -> None:
    """Register a handler; every_s (read at scheduling time) makes the job recur."""
    _handlers[name] = handler
    if every_s is not None:
        _periodic[name] = every_s


def handler_for(name: str) -> Handler | None:
    return _handlers.get(name)


def names() -> set[str]:
    return set(_handlers)


def periodic() -> dict[str, Callable[[], float]]:
    return dict(_periodic)
