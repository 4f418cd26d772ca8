"""Flags: members tell moderators a post is spam, offensive, off topic, or needs staff.

Each flag weighs what its flagger's standing earns (the settings moderation.flag_weight.*: member 1,
advocate 2, staff 3 by default), taken when it is raised. When
the open flags on a public post reach moderation.hide_threshold, the post is hidden pending
review and its author told why; needs_staff flags never hide anything: they raise the post
to staff in the review queue. One flag per user per post (a repeat is a 409).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.core import clock
from forum.core.errors import Conflict, ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.models import Post, Role, User, Visibility
from forum.services import audit_writer, community_settings, moderation_state
from forum.services.permissions import Action, is_moderator, is_staff, require
from moderation import settings  # noqa: F401  (registers moderation.flag_weight.*)
from moderation.models import Flag, FlagReason, ReviewKind
from moderation.services import review_queue

MAX_NOTE = 500
REASON_LABELS = {
    FlagReason.SPAM.value: _l("spam"),
    FlagReason.OFFENSIVE.value: _l("offensive"),
    FlagReason.OFF_TOPIC.value: _l("off topic"),
    FlagReason.NEEDS_STAFF.value: _l("needs staff attention"),
    FlagReason.OTHER.value: _l("something else"),
}


@dataclass(frozen=True)
class NewFlag:
    reason: str
    note: str = ""


def flag_weight(user: User) -> int:
    """Trust weighs in: staff most, then advocates, then members (community settings, read per flag)."""
    if is_staff(user):
        standing = "staff"
    else:
        standing = "advocate" if user.role_enum is Role.ADVOCATE else "member"
    return community_settings.cached_setting(f"moderation.flag_weight.{standing}")


def _validate(data: NewFlag) -> None:
    errors = ErrorCollector()
    if data.reason not in REASON_LABELS:
        errors.add("reason", _("Choose a reason: %(reasons)s.", reasons=", ".join(REASON_LABELS)))
    if len(data.note or "") > MAX_NOTE:
        errors.add("note", _("Keep the note under %(most)d characters.", most=MAX_NOTE))
    if data.reason == FlagReason.OTHER.value and not (data.note or "").strip():
        errors.add("note", _("Say what is wrong with the post."))
    errors.raise_if_any()


def flag_post(actor: User | None, post: Post, data: NewFlag) -> Flag:
    """Record actor's flag; hide the post at the threshold, or raise it to staff for needs_staff."""
    require(actor, Action.POST_FLAG, post)
    _validate(data)
    _lock(post)
    flag = Flag(post_id=post.id, user_id=actor.id, reason=data.reason, note=(data.note or "").strip(),
                weight=flag_weight(actor), created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError as exc:  # the unique key: one flag per user per post
        raise Conflict(_("You have already flagged this post; moderators will look at it.")) from exc
    if data.reason == FlagReason.NEEDS_STAFF.value:
        review_queue.open_item(post, ReviewKind.NEEDS_STAFF, _describe(flag))
    else:
        review_queue.open_item(post, ReviewKind.FLAGGED, _describe(flag))
        _hide_at_threshold(post)
    db.session.commit()
    return flag


def _lock(post: Post) -> None:
    """Take the post's row lock (PostgreSQL; SQLite writers are serial already) and re-read it.

    Flags on one post then count one after another: without it, flaggers acting at once
    (READ COMMITTED) each see only their own weight and nobody's sum reaches the threshold.
    """
    db.session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    db.session.refresh(post)


def _describe(flag: Flag) -> str:
    """The queue item's reason, in the flagger's language (it is kept as text)."""
    label = REASON_LABELS[flag.reason]
    if flag.note:
        return _("Flagged as %(label)s: %(note)s", label=label, note=flag.note)
    return _("Flagged as %(label)s", label=label)


def score(post_id: int) -> int:
    """The weight of the post's open flags that count toward hiding (needs_staff does not)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Flag.weight), 0)).where(
            Flag.post_id == post_id, Flag.resolved_at.is_(None), Flag.reason != FlagReason.NEEDS_STAFF.value
        )
    ) or 0


def _hide_at_threshold(post: Post) -> None:
    """At the threshold a public post is hidden pending review; the system is the audited actor."""
    if post.visibility != Visibility.PUBLIC.value or post.is_deleted:
        return
    threshold = community_settings.get_setting("moderation.hide_threshold")
    points = score(post.id)
    if points < threshold:
        return
    reasons = sorted({str(REASON_LABELS[r]) for r in db.session.scalars(
        select(Flag.reason).where(Flag.post_id == post.id, Flag.resolved_at.is_(None),
                                  Flag.reason != FlagReason.NEEDS_STAFF.value))})
    reason = _("Community members flagged it (%(reasons)s); a moderator will review it.", reasons=", ".join(reasons))
    if moderation_state.hide_post(post, None, reason):
        audit_writer.record(None, "flags.hide", "post", post.id, reason, {"visibility": Visibility.PUBLIC.value},
                     {"visibility": Visibility.HIDDEN.value, "flag_score": points, "threshold": threshold})


def flags_on(post_ids: list[int], viewer: User | None) -> dict[int, list[Flag]]:
    """Every flag (open and settled) on these posts the viewer may read, oldest first.

    needs_staff flags (their notes may hold private matters) are for moderators only.
    """
    found: dict[int, list[Flag]] = {post_id: [] for post_id in post_ids}
    if not post_ids:
        return found
    query = select(Flag).options(joinedload(Flag.user)).where(Flag.post_id.in_(post_ids))
    if not is_moderator(viewer):
        query = query.where(Flag.reason != FlagReason.NEEDS_STAFF.value)
    rows = db.session.scalars(query.order_by(Flag.id))
    for flag in rows:
        found[flag.post_id].append(flag)
    return found


def accuracy(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(upheld, rejected) flag counts per flagger: approving a flagged post lowers its flaggers' accuracy."""
    counts = {user_id: [0, 0] for user_id in user_ids}
    if user_ids:
        rows = db.session.execute(
            select(Flag.user_id, Flag.outcome, func.count(Flag.id))
            .where(Flag.user_id.in_(user_ids), Flag.outcome.in_(("upheld", "rejected")))
            .group_by(Flag.user_id, Flag.outcome)
        )
        for user_id, outcome, count in rows:
            counts[user_id][0 if outcome == "upheld" else 1] = count
    return {user_id: (upheld, rejected) for user_id, (upheld, rejected) in counts.items()}


def has_flagged(user: User | None, post_ids: list[int]) -> set[int]:
    """Which of these posts the user already flagged (the page shows "flagged" instead of the form)."""
    if user is None or not getattr(user, "is_authenticated", False) or not post_ids:
        return set()
    return set(db.session.scalars(select(Flag.post_id).where(Flag.user_id == user.id, Flag.post_id.in_(post_ids))))
