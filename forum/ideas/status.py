"""Staff move ideas along the board: a status, a public note, and merging a duplicate into another idea.

Any status may follow any other, except that nothing goes back to "new" (it means nobody looked yet) and
a duplicate is final: its votes moved to the idea it duplicates, and merges cannot be undone. Shipping or
declining gives the idea's open votes back; leaving shipped or declined does not charge them again, since
that could push members over their budget without their doing.

Everything happens in one transaction. The author's user row is locked first (the ledger may pay or
reverse their credit), then the idea rows by id: voting's order, user before ideas, so a status change and
a vote never wait on each other in a cycle. The status is read again under the lock, votes move, the
history row and the audit entry are written, voters and watchers are told, integrators hear
idea.status_changed, and the author's credit follows.
A note-only edit (the same status) keeps the history and tells nobody.
"""

from __future__ import annotations

from forum import recognition
from forum.core import clock, events
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.ideas import notifying
from forum.ideas.ballots import MergeCounts, lock_ideas, merge_votes, release_votes
from forum.models import IDEA_KIND, Idea, IdeaStatus, IdeaStatusChange, User, Visibility
from forum.recognition.reputation import lock_users
from forum.services import audit_writer
from forum.services.permissions import Action, can, require

# Closing an idea with one of these gives its open votes back.
RELEASING = frozenset({IdeaStatus.SHIPPED, IdeaStatus.DECLINED})


def change_status(actor: User, idea: Idea, status: str, note: str = "",
                  duplicate_of: Idea | int | None = None) -> Idea:
    """Set the idea's status and public note (status duplicate: merge it into duplicate_of). Commits once.

    Invalid (422) for an unknown status or a wrong duplicate_of; Conflict (409) for a move to "new" or any
    change to a duplicate.
    """
    require(actor, Action.IDEA_MANAGE, idea)
    new = _parse_status(status)
    target_id = _target_id(idea, new, duplicate_of)
    lock_users([idea.thread.author_id])  # shipping credits them: take the user before the ideas, as voting does
    lock_ideas([idea.thread_id] + ([target_id] if target_id is not None else []))
    db.session.refresh(idea)  # the status as it is now that nobody else may change it
    old = IdeaStatus(idea.status)
    _check_transition(old, new)
    target = _check_target(actor, target_id) if target_id is not None else None
    counts = merge_votes(idea, target) if target is not None else MergeCounts(0, 0, 0)
    if new in RELEASING and old != new:
        release_votes(idea)
    change = _record(actor, idea, old, new, note or "", target, counts)
    if old != new:
        _announce(actor, idea, change, old, new)
    db.session.commit()
    return idea


def _parse_status(status: str) -> IdeaStatus:
    try:
        return IdeaStatus(status)
    except ValueError:
        raise Invalid({"status": [_("Choose one of: %(statuses)s.",
                                    statuses=", ".join(s.value for s in IdeaStatus))]}) from None


def _target_id(idea: Idea, new: IdeaStatus, duplicate_of: Idea | int | None) -> int | None:
    """The id of the idea this one duplicates, checked for what needs no database: given exactly when the
    status is duplicate, and not the idea itself."""
    if new != IdeaStatus.DUPLICATE:
        if duplicate_of is not None:
            raise Invalid({"duplicate_of": [_("Only a duplicate names the idea it duplicates.")]})
        return None
    if duplicate_of is None:
        raise Invalid({"duplicate_of": [_("Say which idea this one duplicates.")]})
    target_id = duplicate_of.thread_id if isinstance(duplicate_of, Idea) else duplicate_of
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise Invalid({"duplicate_of": [_("Give the id of an idea.")]})
    if target_id == idea.thread_id:
        raise Invalid({"duplicate_of": [_("An idea cannot duplicate itself.")]})
    return target_id


def _check_transition(old: IdeaStatus, new: IdeaStatus) -> None:
    if old == IdeaStatus.DUPLICATE:
        raise Conflict(_("This idea was merged into another as a duplicate; a merge cannot be undone."))
    if new == IdeaStatus.NEW and old != IdeaStatus.NEW:
        raise Conflict(_("An idea cannot go back to new once staff have moved it."))


def _check_target(actor: User, target_id: int) -> Idea:
    """The idea to merge into, read under its lock: a public idea the actor sees that is no duplicate itself."""
    target = db.session.get(Idea, target_id, populate_existing=True)
    thread = target.thread if target is not None else None
    if (thread is None or thread.kind != IDEA_KIND or not can(actor, Action.THREAD_VIEW, thread)
            or thread.deleted_at is not None or thread.visibility != Visibility.PUBLIC.value):
        raise Invalid({"duplicate_of": [_("That is not an idea everyone can see.")]})
    if target.status == IdeaStatus.DUPLICATE.value:
        raise Invalid({"duplicate_of": [_("That idea is a duplicate itself: merge into the idea it duplicates.")]})
    return target


def _record(actor: User, idea: Idea, old: IdeaStatus, new: IdeaStatus, note: str, target: Idea | None,
            counts: MergeCounts) -> IdeaStatusChange:
    """Store the new state, its history row and the audit entry."""
    moment = clock.now()
    before = {"status": old.value, "status_note": idea.status_note}
    idea.status, idea.status_note = new.value, note
    idea.duplicate_of_id = target.thread_id if target is not None else None
    if old != new:
        idea.status_changed_at, idea.status_changed_by_id = moment, actor.id
    change = IdeaStatusChange(idea_id=idea.thread_id, from_status=old.value, to_status=new.value, note=note,
                              duplicate_of_id=idea.duplicate_of_id, moved_votes=counts.moved,
                              returned_votes=counts.returned, actor_id=actor.id, created_at=moment)
    db.session.add(change)
    after = {"status": new.value, "status_note": note}
    if target is not None:
        after |= {"duplicate_of": target.thread_id, "moved_votes": counts.moved,
                  "returned_votes": counts.returned, "watches_added": counts.watches_added}
    audit_writer.record(actor, "idea.merge" if target is not None else "idea.status", "thread", idea.thread_id,
                        note, before=before, after=after)
    db.session.flush()
    return change


def _announce(actor: User, idea: Idea, change: IdeaStatusChange, old: IdeaStatus, new: IdeaStatus) -> None:
    """Tell voters and watchers, integrators, and the author's ledger (credit for shipping, undone after)."""
    notifying.tell_status(idea, change, actor)
    if new == IdeaStatus.SHIPPED:
        recognition.on_idea_shipped(idea, actor)
    elif old == IdeaStatus.SHIPPED:
        recognition.on_idea_unshipped(idea, actor)
    events.publish("idea.status_changed", idea_id=idea.thread_id, from_status=old.value, to_status=new.value)
