"""Notifications that tell many members of one moderation act, each in their own language.

A notification keeps its words as text (Notification.message), so a notice is written once per language
its recipients read, inside forum.core.i18n.reading_as, and each group gets its own rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import select

from forum.core import i18n
from forum.core.extensions import db
from forum.models import NotificationKind, Thread, User
from forum.services import notifications


def notify_in_their_language(recipient_ids: Iterable[int], kind: NotificationKind, thread: Thread | None,
                             actor: User | None, words: Callable[[], str]) -> None:
    """notifications.notify for each language among the recipients; words() writes the message in the current one."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return
    by_language: dict[str | None, list[int]] = defaultdict(list)
    for user_id, language in db.session.execute(select(User.id, User.language).where(User.id.in_(ids))):
        by_language[i18n.supported(language)].append(user_id)
    for language, group in sorted(by_language.items(), key=lambda pair: pair[0] or ""):
        with i18n.reading_as(language):
            message = words()
        notifications.notify(group, notifications.Event(kind, thread, None, actor, message))
