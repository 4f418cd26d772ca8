"""The review queue: posts waiting for a decision (flagged, held for approval, raised to staff).

One open item per post (ReviewItem.open_post_id is unique while open). Reviewers are
moderators and trusted advocates (permissions.can_review); items raised to staff
(needs_staff) are for moderators only. Each decision is applied through
forum.services.moderation_state, settles the post's flags and is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import Post, Thread, User, Visibility
from forum.services import audit_writer, moderation_state
from forum.services.permissions import Action, can_review, is_moderator, require
from moderation.models import Flag, FlagReason, ReviewItem, ReviewKind

ACTIONS = ("approve", "hide", "delete", "dismiss")
MAX_NOTE = 1000
# When a post already has an open item, a weightier reason takes it over (an edit held for
# approval outranks flags: the post is out of view until someone approves it).
RANK = {ReviewKind.FLAGGED.value: 0, ReviewKind.NEEDS_STAFF.value: 1, ReviewKind.EDIT.value: 2,
        ReviewKind.APPROVAL.value: 3}
STAFF_ONLY = {ReviewKind.NEEDS_STAFF.value}
# How each decision settles the post's open flags (flaggers' accuracy counts upheld vs rejected).
FLAG_OUTCOMES = {"approve": "rejected", "hide": "upheld", "delete": "upheld", "dismiss": "dismissed"}
# The flag reasons as the author reads them when a moderator hides their post without a note.
FLAG_WORDS = {FlagReason.SPAM.value: _l("spam"), FlagReason.OFFENSIVE.value: _l("offensive"),
              FlagReason.OFF_TOPIC.value: _l("off topic"), FlagReason.NEEDS_STAFF.value: _l("needs staff"),
              FlagReason.OTHER.value: _l("other")}


@dataclass(frozen=True)
class Decision:
    action: str
    note: str = ""


def open_item(post: Post, kind: ReviewKind, reason: str) -> ReviewItem:
    """Open an item for post, or update the one already open; the caller commits."""
    item = _open_item_for(post.id)
    if item is None:
        item = ReviewItem(post_id=post.id, open_post_id=post.id, kind=kind.value, reason=reason,
                          created_at=clock.now())
        try:
            with db.session.begin_nested():
                db.session.add(item)
        except IntegrityError:  # opened concurrently: use that one
            item = _open_item_for(post.id)
        else:
            return item
    if RANK[kind.value] > RANK.get(item.kind, 0):
        item.kind = kind.value
    if reason and reason not in item.reason:
        item.reason = f"{item.reason}; {reason}" if item.reason else reason
    return item


def on_post_held(post: Post, reasons: tuple[str, ...], when: str) -> None:
    """moderation_state's hold listener: a held new post or edit waits in the queue."""
    kind = ReviewKind.APPROVAL if when == "new" else ReviewKind.EDIT
    open_item(post, kind, "; ".join(reasons) or _("Held for review."))


def _open_item_for(post_id: int) -> ReviewItem | None:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.open_post_id == post_id))


def _raised_to_staff(post_id):
    """The post has an open needs_staff flag: its item stays staff-only whatever kind it has become.

    An item's kind follows the weightiest reason (a held edit outranks needs_staff), so the kind
    alone would hand a post raised to staff, and the flag note that says why, to advocates.
    """
    return select(Flag.id).where(
        Flag.post_id == post_id, Flag.resolved_at.is_(None), Flag.reason == FlagReason.NEEDS_STAFF.value
    ).exists()


def _reviewable(viewer: User):
    """Open items the viewer may handle: items raised to staff need a moderator."""
    query = select(ReviewItem).where(ReviewItem.resolved_at.is_(None))
    if not is_moderator(viewer):
        query = query.where(ReviewItem.kind.not_in(STAFF_ONLY), ~_raised_to_staff(ReviewItem.post_id))
    return query


def _staff_only(item: ReviewItem) -> bool:
    return item.kind in STAFF_ONLY or bool(db.session.scalar(select(_raised_to_staff(item.post_id))))


def open_count(viewer: User | None) -> int:
    """How many items wait for this reviewer (the staff menu's count); 0 for non-reviewers."""
    if not can_review(viewer):
        return 0
    return db.session.scalar(select(func.count()).select_from(_reviewable(viewer).subquery())) or 0


def list_open(viewer: User | None, limit: int, cursor: str | None = None) -> Page[ReviewItem]:
    """Open items, oldest first (first come, first served), with their posts, threads and authors."""
    require(viewer, Action.MODERATION_REVIEW)
    query = _reviewable(viewer).options(
        joinedload(ReviewItem.post).joinedload(Post.author),
        joinedload(ReviewItem.post).joinedload(Post.thread).joinedload(Thread.category),
    )
    after = decode_cursor(cursor, [int])
    if after:
        query = query.where(ReviewItem.id > after[0])
    rows = list(db.session.scalars(query.order_by(ReviewItem.id).limit(limit + 1)).unique())
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page(rows[:limit], next_cursor)


def get_item(viewer: User | None, item_id: int) -> ReviewItem:
    """An item the viewer may review (open or not); NotFound for staff-only items and unknown ids."""
    require(viewer, Action.MODERATION_REVIEW)
    item = db.session.get(ReviewItem, item_id)
    if item is None or (not is_moderator(viewer) and _staff_only(item)):
        raise NotFound(_("That review item does not exist or is not yours to review."))
    return item


def _validate(item: ReviewItem, decision: Decision) -> None:
    errors: dict[str, list[str]] = {}
    if decision.action not in ACTIONS:
        errors["action"] = [_("Choose one of: %(actions)s.", actions=", ".join(ACTIONS))]
    elif decision.action == "dismiss" and item.post.visibility == Visibility.PENDING.value:
        errors["action"] = [_("A post waiting for approval needs a decision: approve, hide or delete it.")]
    elif decision.action == "dismiss" and item.post.visibility == Visibility.HIDDEN.value:
        # Dismissing would close the last item while the post stays hidden: nobody would look again.
        errors["action"] = [_("This post is hidden: approve to show it again, or hide or delete it.")]
    if len(decision.note) > MAX_NOTE:
        errors["note"] = [_("Keep the note under %(most)d characters.", most=MAX_NOTE)]
    if errors:
        raise Invalid(errors)


def resolve_item(actor: User | None, item_id: int, decision: Decision) -> ReviewItem:
    """Apply a reviewer's decision once (a second one is a 409), settle flags, write the audit entry."""
    item = get_item(actor, item_id)
    _validate(item, decision)
    claimed = db.session.execute(
        update(ReviewItem).where(ReviewItem.id == item.id, ReviewItem.resolved_at.is_(None)).values(
            resolved_at=clock.now(), open_post_id=None, resolved_by_id=actor.id, resolution=decision.action,
            note=decision.note,
        )
    ).rowcount
    if not claimed:
        raise Conflict(_("Someone already handled this item."))
    db.session.refresh(item)
    post = item.post
    before = post_state(post)
    _APPLY[decision.action](actor, item, post, decision.note)
    settle_flags(post.id, FLAG_OUTCOMES[decision.action])
    audit_writer.record(actor, f"queue.{decision.action}", "post", post.id, decision.note, before,
                 {**post_state(post), "review_item_id": item.id})
    db.session.commit()
    return item


def post_state(post: Post) -> dict:
    """What the audit log keeps about a post before and after a decision."""
    return {"visibility": post.visibility, "deleted": post.deleted_at is not None}


def _approve(actor: User, item: ReviewItem, post: Post, note: str) -> None:
    """Pending → published (announced unless it was an edit); hidden by flags → visible again."""
    if post.visibility == Visibility.PENDING.value:
        moderation_state.publish_post(post, actor, announce=item.kind != ReviewKind.EDIT.value)
    elif post.visibility == Visibility.HIDDEN.value:
        moderation_state.unhide_post(post, actor, note)


def _hide(actor: User, item: ReviewItem, post: Post, note: str) -> None:
    moderation_state.hide_post(post, actor, note or reason_for_author(item, post))


def reason_for_author(item: ReviewItem, post: Post) -> str:
    """Why the author's post was hidden, when the reviewer wrote no note.

    The flag reasons, never the flaggers' notes (those are for moderators, and the item's
    reason quotes them); a post held by the content checks gets the checks' reasons.
    """
    flagged = sorted(set(db.session.scalars(
        select(Flag.reason).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
    )))
    if flagged:
        labels = ", ".join(str(FLAG_WORDS.get(reason, reason.replace("_", " "))) for reason in flagged)
        return _("It was flagged (%(reasons)s) and a moderator agreed.", reasons=labels)
    return item.reason or _("A moderator reviewed it.")


def on_post_removed(post: Post, actor: User | None, reason: str) -> None:
    """However a post was deleted (its author, the API, a moderator), its open item is decided."""
    close_for_post(actor, post, "delete", reason)


def close_for_post(actor: User | None, post: Post, resolution: str, note: str = "") -> int | None:
    """A moderator acted on the post itself (hide, unhide, delete): its open item is decided too.

    Returns the closed item's id (None when none was open); its flags are settled as the
    decision would settle them, so the queue never offers a post someone already dealt with.
    """
    item_id = db.session.scalar(select(ReviewItem.id).where(ReviewItem.open_post_id == post.id))
    if item_id is None:
        return None
    closed = db.session.execute(
        update(ReviewItem).where(ReviewItem.id == item_id, ReviewItem.resolved_at.is_(None)).values(
            resolved_at=clock.now(), open_post_id=None, resolved_by_id=actor.id if actor is not None else None,
            resolution=resolution, note=note,
        )
    ).rowcount
    if not closed:
        return None
    settle_flags(post.id, FLAG_OUTCOMES[resolution])
    return item_id


def _delete(actor: User, _item: ReviewItem, post: Post, note: str) -> None:
    moderation_state.remove_post(post, actor, note, tell_author=True)


def _dismiss(_actor: User, _item: ReviewItem, _post: Post, _note: str) -> None:
    """Close the item and leave the post as it is; the flags count neither way."""


_APPLY = {"approve": _approve, "hide": _hide, "delete": _delete, "dismiss": _dismiss}


def settle_flags(post_id: int, outcome: str) -> int:
    """Close the post's open flags with outcome (upheld, rejected or dismissed)."""
    return db.session.execute(
        update(Flag).where(Flag.post_id == post_id, Flag.resolved_at.is_(None))
        .values(outcome=outcome, resolved_at=clock.now())
    ).rowcount


@dataclass(frozen=True)
class AuthorHistory:
    """What a reviewer should know about a post's author before deciding."""

    posts: int
    hidden: int
    deleted: int
    upheld_flags: int


def author_histories(user_ids: list[int]) -> dict[int, AuthorHistory]:
    """Each author's record in two grouped queries: posts, hidden and deleted ones, flags upheld against them."""
    ids = sorted(set(user_ids))
    counts = {user_id: [0, 0, 0, 0] for user_id in ids}
    if not ids:
        return {}
    hidden = func.sum(case((Post.visibility == Visibility.HIDDEN.value, 1), else_=0))
    deleted = func.sum(case((Post.deleted_at.is_not(None), 1), else_=0))
    for user_id, total, hidden_count, deleted_count in db.session.execute(
        select(Post.author_id, func.count(Post.id), hidden, deleted).where(Post.author_id.in_(ids))
        .group_by(Post.author_id)
    ):
        counts[user_id][:3] = [total, int(hidden_count or 0), int(deleted_count or 0)]
    for user_id, upheld in db.session.execute(
        select(Post.author_id, func.count(Flag.id)).join(Post, Flag.post_id == Post.id)
        .where(Post.author_id.in_(ids), Flag.outcome == "upheld").group_by(Post.author_id)
    ):
        counts[user_id][3] = upheld
    return {user_id: AuthorHistory(*values) for user_id, values in counts.items()}
