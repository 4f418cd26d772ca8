"""Domain events: core services announce what happened; listeners registered at app start react.

publish() runs every listener inside the caller's transaction, so whatever a listener writes
(a webhook delivery row and its job: a transactional outbox) commits or rolls back with the
change itself. Forum core never imports the integrations that listen.

Event data carries ids (and small flags), never ORM objects, with one exception: a case
message is passed as the object, because its id is only known once the session flushes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]
_listeners: dict[str, Listener] = {}


def subscribe(name: str, listener: Listener) -> None:
    """Register (or replace, by name) a listener for every event; it runs in the publisher's transaction."""
    _listeners[name] = listener


def publish(event_type: str, **data: Any) -> None:
    """Tell every listener that event_type happened; the caller commits."""
    for listener in list(_listeners.values()):
        listener(event_type, data)
