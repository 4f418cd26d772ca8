"""Who hears of an idea's status change, and in which words: its voters and its watchers, once each.

Voters hear of every change, even after their vote was given back (shipped, declined, merged): they
asked for the idea, so "it shipped" is the news they waited for. Watchers (the author, repliers, anyone
who pressed watch) hear too; a member who muted the idea hears nothing, voter or not, because a mute
is the one thing a member says explicitly. The actor is never told of their own change, a note-only
edit (same status) tells nobody, and while the idea is held, hidden or deleted only its author and staff
hear of it.

A notification keeps its words as text (Notification.message), so the message is written once per
language among the recipients, inside i18n.reading_as, and each group gets its rows in one INSERT
(notifications.notify): the cost is one statement for the recipients plus one per language, never one
per member. Email and the daily digest then follow each member's own preference, as for any notice.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, or_, select, union

from forum.core import i18n
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import NotificationKind, Subscription, User, Visibility
from forum.models.ideas import STATUS_WORDS, Idea, IdeaStatus, IdeaStatusChange, IdeaVote
from forum.models.relations import STAFF_ROLES
from forum.services import notifications


def tell_status(idea: Idea, change: IdeaStatusChange, actor: User | None) -> None:
    """Notify the idea's voters (open or given back) and unmuted watchers of a status change, never the actor.

    Callers commit (status.change_status, in the same transaction as the change itself).
    """
    if change.from_status == change.to_status:
        return
    by_language: dict[str | None, list[int]] = defaultdict(list)
    for user_id, language in db.session.execute(_recipients(idea, actor)):
        by_language[i18n.supported(language)].append(user_id)
    for language, group in sorted(by_language.items(), key=lambda pair: pair[0] or ""):
        with i18n.reading_as(language):
            words = status_message(change)
        notifications.notify(group, notifications.Event(NotificationKind.IDEA, idea.thread, actor=actor,
                                                        message=words))


def _recipients(idea: Idea, actor: User | None) -> Select:
    """(user id, language) of every voter and watcher of the idea, minus who muted it, the actor and erased accounts."""
    # A merge moves the source's votes onto the target (ballots.merge_votes): they still name the source.
    voters = select(IdeaVote.user_id).where(or_(IdeaVote.idea_id == idea.thread_id,
                                                IdeaVote.moved_from_id == idea.thread_id))
    watchers = select(Subscription.user_id).where(Subscription.thread_id == idea.thread_id,
                                                  Subscription.muted.is_(False))
    muted = select(Subscription.user_id).where(Subscription.thread_id == idea.thread_id,
                                               Subscription.muted.is_(True))
    statement = select(User.id, User.language).where(
        User.id.in_(union(voters, watchers)), User.id.not_in(muted), User.anonymized_at.is_(None))
    if actor is not None:
        statement = statement.where(User.id != actor.id)
    thread = idea.thread
    if thread.deleted_at is not None or thread.visibility != Visibility.PUBLIC.value:
        # Held, hidden or deleted: only who may still open it hears (its author and staff), so a
        # notification never names an idea its reader cannot see.
        statement = statement.where(or_(User.id == thread.author_id, User.role.in_(STAFF_ROLES)))
    return statement.order_by(User.id)


def status_message(change: IdeaStatusChange) -> str:
    """The change in the current language: the new status (or the idea it was merged into), then staff's note."""
    if change.to_status == IdeaStatus.DUPLICATE.value and change.duplicate_of_id is not None:
        target = db.session.get(Idea, change.duplicate_of_id)
        head = _("Merged into “%(title)s”", title=target.thread.title) if target is not None else _(
            STATUS_WORDS[change.to_status])
    else:
        head = _("Status: %(status)s", status=_(STATUS_WORDS.get(change.to_status, change.to_status)))
    note = (change.note or "").strip()
    return f"{head} — {note}" if note else head
