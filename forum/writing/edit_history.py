"""The edit history's rules: why a moderator changed someone's post, and thread changes as revisions.

A moderator who edits or deletes someone else's post says why: the reason is kept on the
revision, in the audit log, and in the author's notification. Title, tag and category changes
are revisions of the thread's question post, so one history shows every change to a question.
forum.services.posting calls these inside its own transaction; nothing here commits.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.core import clock
from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import Post, PostRevision, RevisionField, Thread, User
from forum.services import audit_writer, moderation_state
from forum.services.permissions import is_moderator

MAX_REASON = 1000  # shown to the author and kept in the audit log
REASON_NEEDED = N_("Say why: the author is told.")


def reason_required(actor: User, post: Post) -> bool:
    """A moderator acting on someone else's post must say why.

    Authors change their own posts freely; advocates' wiki edits may give a reason (kept on the revision).
    """
    return is_moderator(actor) and actor.id != post.author_id


def check_reason(errors: ErrorCollector, actor: User, post: Post, reason: str | None) -> str:
    """The trimmed reason for an edit or delete; a missing one is an error when reason_required."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason and reason_required(actor, post):
        errors.add("reason", _(REASON_NEEDED))
    elif len(reason) > MAX_REASON:
        errors.add("reason", _("Keep the reason under %(max)d characters.", max=MAX_REASON))
    return reason


def check_thread_reason(errors: ErrorCollector, reason: str | None) -> str:
    """A thread change's optional reason, trimmed (for the audit log and the revisions)."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) > MAX_REASON:
        errors.add("reason", _("Keep the reason under %(max)d characters.", max=MAX_REASON))
    return reason


def thread_fields(thread: Thread) -> dict[str, object]:
    """What each thread field the history keeps holds now, to tell which ones a change changed."""
    return {
        RevisionField.TITLE.value: thread.title,
        RevisionField.TAGS.value: ", ".join(sorted(tag.name for tag in thread.tags)),
        RevisionField.CATEGORY.value: thread.category_id,
    }


def record_thread_changes(actor: User, thread: Thread, before: dict[str, object], category: str, reason: str) -> int:
    """Add a revision to the question post for each of title, tags and category that really changed.

    before is thread_fields() from before the change; category is the previous category's name
    (the revision keeps text, not the id). A moderator retitling or retagging someone else's question
    is audited and the asker told why, as for a body edit (moves are audited by posting). Returns how
    many revisions were added.
    """
    after = thread_fields(thread)
    changed = [name for name in before if after[name] != before[name]]
    question = db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(True))
    ) if changed else None
    if question is None:
        return 0
    moment = clock.now()
    for name in changed:
        text = category if name == RevisionField.CATEGORY.value else str(before[name])
        db.session.add(PostRevision(post_id=question.id, editor_id=actor.id, field=name, body=text,
                                    reason=reason or None, created_at=moment))
    wording = [name for name in changed if name != RevisionField.CATEGORY.value]
    if wording and reason_required(actor, question):
        audit_writer.record(actor, "thread.edit", "thread", thread.id, reason,
                            {name: before[name] for name in wording}, {name: after[name] for name in wording})
        moderation_state.tell_author_of_edit(question, actor, reason)
    return len(changed)
