"""Moderator actions on posts and threads: hide, delete, lock, pin, move, merge, split, edit any post.

Every action is checked (permissions: moderators and above), applied through
forum.services.moderation_state or forum.services.posting so counters stay exact, written
to the append-only audit log (who, what, target, reason, before, after), and committed once.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.core import clock
from forum.core.errors import ErrorCollector, Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.http.routing import MAX_ID
from forum.models import Post, Thread, ThreadStatus, User, Visibility
from forum.services import audit_writer, moderation_state, posting, subscriptions
from forum.services.permissions import Action, require
from forum.writing import edit_history
from moderation.services import merging, review_queue

MAX_REASON = edit_history.MAX_REASON
MAX_SPLIT = 500


def _check_reason(reason: str, *, required: bool = False) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise Invalid({"reason": [_("Say why: the author is told.")]})
    if len(reason) > MAX_REASON:
        raise Invalid({"reason": [_("Keep the reason under %(most)d characters.", most=MAX_REASON)]})
    return reason


def _state(post: Post) -> dict:
    return review_queue.post_state(post)


def hide_post(actor: User, post: Post, reason: str) -> bool:
    """Take a post out of view (a question takes its thread); the author is told the reason.

    Like every action here, returns whether it changed anything (False: the post already was so).
    """
    require(actor, Action.THREAD_MODERATE, post.thread)
    reason = _check_reason(reason, required=True)
    before = _state(post)
    changed = moderation_state.hide_post(post, actor, reason)
    if changed:
        audit_writer.record(actor, "post.hide", "post", post.id, reason, before,
                     _closing(actor, post, "hide", reason))
    db.session.commit()
    return changed


def _closing(actor: User, post: Post, resolution: str, reason: str) -> dict:
    """Decide the post's open review item too; the audit's after-state names the item it closed."""
    item_id = review_queue.close_for_post(actor, post, resolution, reason)
    return {**_state(post), "review_item_id": item_id} if item_id is not None else _state(post)


def unhide_post(actor: User, post: Post, reason: str = "") -> bool:
    """Make a hidden post visible again; its open flags are settled as rejected."""
    require(actor, Action.THREAD_MODERATE, post.thread)
    reason = _check_reason(reason)
    before = _state(post)
    changed = moderation_state.unhide_post(post, actor, reason)
    if changed:
        after = _closing(actor, post, "approve", reason)
        review_queue.settle_flags(post.id, "rejected")
        audit_writer.record(actor, "post.unhide", "post", post.id, reason, before, after)
    db.session.commit()
    return changed


def delete_post(actor: User, post: Post, reason: str = "") -> Post:
    """Soft-delete (reputation it earned is reversed) and decide its open review item; posting audits it.

    posting.delete_post commits the item's closing with the delete, or rolls both back when
    someone deleted the post first.
    """
    require(actor, Action.THREAD_MODERATE, post.thread)
    require(actor, Action.POST_DELETE, post)
    reason = _check_reason(reason, required=edit_history.reason_required(actor, post))  # before the item closes
    review_queue.close_for_post(actor, post, "delete", reason)
    posting.delete_post(actor, post, reason=reason)
    return post


def restore_post(actor: User, post: Post, reason: str = "") -> bool:
    """Undo a soft delete: the post (a question: its thread) is live again, counters and reputation back."""
    require(actor, Action.THREAD_MODERATE, post.thread)
    reason = _check_reason(reason)
    before = _state(post)
    changed = moderation_state.restore_post(post, actor)
    if changed:
        audit_writer.record(actor, "post.restore", "post", post.id, reason, before, _state(post))
    db.session.commit()
    return changed


def edit_post(actor: User, post: Post, body: str, reason: str = "") -> Post:
    """Edit any post; the old body is kept as a revision and posting audits the edit.

    Someone else's post needs a reason (posting refuses it without one): the author is told it.
    """
    require(actor, Action.THREAD_MODERATE, post.thread)
    return posting.edit_post(actor, post, body, reason=_check_reason(reason))


def _update_thread(actor: User, thread: Thread, change: posting.ThreadChange, field: str) -> bool:
    """Apply a moderator change to one field; False when the thread already had that value (nothing audited)."""
    before = getattr(thread, field)
    posting.update_thread(actor, thread, change)
    return getattr(thread, field) != before


def set_locked(actor: User, thread: Thread, locked: bool, reason: str = "") -> bool:
    return _update_thread(actor, thread, posting.ThreadChange(locked=locked, reason=_check_reason(reason)), "locked")


def set_pinned(actor: User, thread: Thread, pinned: bool, reason: str = "") -> bool:
    return _update_thread(actor, thread, posting.ThreadChange(pinned=pinned, reason=_check_reason(reason)), "pinned")


def move_thread(actor: User, thread: Thread, category_id: int | None, reason: str = "") -> bool:
    if not isinstance(category_id, int):
        raise Invalid({"category_id": [_("Choose an existing category.")]})
    change = posting.ThreadChange(category_id=category_id, reason=_check_reason(reason))
    return _update_thread(actor, thread, change, "category_id")


def _merge_target(source: Thread, target_id: int | None) -> Thread:
    target = db.session.get(Thread, target_id) if isinstance(target_id, int) else None
    if target is None or target.deleted_at is not None:
        raise Invalid({"target_id": [_("Give the number of an existing thread.")]})
    if target.id == source.id:
        raise Invalid({"target_id": [_("Choose a different thread: a thread can't be merged into itself.")]})
    if target.visibility != Visibility.PUBLIC.value:  # its followers would be sent where they cannot go
        raise Invalid({"target_id": [_("That thread is hidden or waiting for review: merge into one everyone can "
                                       "see.")]})
    return target


def merge_threads(actor: User, source: Thread, target_id: int | None, reason: str = "") -> Thread:
    """Move every post of source (its question becomes a reply) into target; source redirects there.

    Nothing is lost: deleted and hidden posts move too. Reputation stays with the posts that
    earned it; source's accepted solution stops being one without reversing the helper's points.
    Watchers, "me too"s, tags and the open case come along (moderation.services.merging, which
    also refuses with a Conflict what it cannot carry).
    """
    require(actor, Action.THREAD_MODERATE, source)
    reason = _check_reason(reason)
    merging.refuse_ideas("target_id", source)
    target = _merge_target(source, target_id)
    merging.refuse_ideas("target_id", target)
    case = merging.prepare(source, target)
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == source.id).order_by(Post.id)))
    before = {"thread_id": source.id, "post_ids": [p.id for p in posts], "target_reply_count": target.reply_count}
    for post in posts:
        post.thread = target
        post.is_question = False
    source.accepted_post_id = source.accepted_by_id = source.solved_at = source.solved_by = None
    source.status = ThreadStatus.CLOSED.value
    source.reply_count = 0
    source.first_reply_at = None
    source.merged_into_id = target.id
    source.deleted_at = clock.now()
    moderation_state.recount_thread(target)
    carried = merging.carry_over(actor, source, target, case)
    audit_writer.record(actor, "thread.merge", "thread", source.id, reason, before,
                 {"merged_into_id": target.id, "target_reply_count": target.reply_count, **carried.audit()})
    db.session.commit()
    return target


def _split_posts(errors: ErrorCollector, thread: Thread, post_ids: list[int]) -> list[Post]:
    ids = {i for i in post_ids if isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID}
    if not ids or len(ids) != len(post_ids) or len(ids) > MAX_SPLIT:
        errors.add("post_ids", _("Choose one or more replies to move."))
        return []
    posts = list(db.session.scalars(
        select(Post).where(Post.id.in_(ids), Post.thread_id == thread.id, Post.is_question.is_(False))
        .order_by(Post.created_at, Post.id)
    ))
    if len(posts) != len(ids):
        errors.add("post_ids", _("Choose replies from this thread (not its question)."))
    elif thread.accepted_post_id in ids:
        errors.add("post_ids", _("The accepted solution can't move: unaccept it first."))
    return posts


def split_thread(actor: User, thread: Thread, post_ids: list[int], title: str, reason: str = "") -> Thread:
    """Move chosen replies into a new thread in the same category; the earliest becomes its question."""
    require(actor, Action.THREAD_MODERATE, thread)
    reason = _check_reason(reason)
    merging.refuse_ideas("post_ids", thread)
    errors = ErrorCollector()
    posting.check_title(errors, title)
    posts = _split_posts(errors, thread, post_ids)
    errors.raise_if_any()
    first = posts[0]
    new = Thread(
        category_id=thread.category_id, author_id=first.author_id, kind=thread.kind, title=title.strip(),
        slug=posting.slugify(title), status=ThreadStatus.OPEN.value, locked=False, pinned=False, reply_count=0,
        created_at=first.created_at, last_activity_at=first.created_at, visibility=first.visibility,
        deleted_at=first.deleted_at, vote_count=first.vote_count,  # a question's votes count on its thread
    )
    db.session.add(new)
    for post in posts:
        post.thread = new
        post.is_question = post is first
    moderation_state.recount_thread(thread)
    moderation_state.recount_thread(new)
    subscriptions.watch(first.author, new, auto=True, commit=False)
    audit_writer.record(actor, "thread.split", "thread", thread.id, reason, {"post_ids": [p.id for p in posts]},
                 {"new_thread_id": new.id, "reply_count": thread.reply_count})
    db.session.commit()
    return new
