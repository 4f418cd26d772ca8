"""What a merge carries besides the posts: watchers, "me too"s, tags and the open case (issue 18, item 6).

A merged duplicate is deleted and redirects to its target, so everything that hung on it
would otherwise go quiet: its watchers would hear nothing of the answer, its "me too"s would
vanish from the count that tells staff how many people are affected, and its customer's case
would point at a deleted thread. moderation.services.actions.merge_threads calls prepare()
before it changes anything and carry_over() in the same transaction, so a merge either keeps
everyone or changes nothing.

The open case: one open case moves with its thread. A case is one customer's private
conversation with support under its own SLA clock; moving it keeps the conversation, the
assignee and the clock, and the customer keeps reading it where the question now lives.
When the target has an open case of its own the merge is refused (409) with the reason:
folding two customers' cases into one would decide silently whose clock, priority and
assignee win and would show one customer's thread history under another's case, which a
support team must decide and tell the customers about. An agent resolves or closes one of
the two cases first (each customer is told), then the moderator merges.

Ideas are never merged, split or marked here (refuse_ideas): the ideas board merges them by giving one the
status duplicate, which moves their votes without counting anyone twice; a thread merge would carry the
posts and leave the votes, and the budgets spent on them, behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from forum import cases
from forum.core import clock, events
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import IDEA_KIND, Case, MeToo, NotificationKind, Subscription, Thread, ThreadStatus, User
from forum.services.posting import MAX_TAGS
from moderation.services.notices import notify_in_their_language


def refuse_ideas(field: str, *threads: Thread) -> None:
    """Invalid (on field) when any of threads is an idea: see the module notes."""
    if any(thread.kind == IDEA_KIND for thread in threads):
        raise Invalid({field: [_("This is an idea: use the ideas board's duplicate status to merge ideas.")]})


@dataclass(frozen=True)
class Carried:
    """What moved, for the audit entry."""

    watchers: list[int]
    me_too: list[int]
    tags_added: list[str]
    tags_left_out: list[str]
    case_id: int | None

    def audit(self) -> dict:
        return {"carried_watchers": self.watchers, "carried_me_too": self.me_too, "tags_added": self.tags_added,
                "tags_left_out": self.tags_left_out, "moved_case_id": self.case_id}


def prepare(source: Thread, target: Thread) -> Case | None:
    """The source's open case, to move along; Conflict when the merge cannot keep it (see the module notes)."""
    if source.deleted_at is not None or source.merged_into_id is not None:
        raise Conflict(_("This thread is deleted or already merged; there is nothing left to merge."))
    case = cases.open_case_for(source)
    theirs = cases.open_case_for(target) if case is not None else None
    if theirs is not None:
        raise Conflict(_(
            "Both threads have an open support case (%(here)s here, %(there)s on the target). Ask an agent to "
            "resolve or close one of them first: two customers' cases are never folded into one without telling "
            "them.", here=case.public_reference, there=theirs.public_reference))
    return case


def carry_over(actor: User, source: Thread, target: Thread, case: Case | None) -> Carried:
    """Move watchers, "me too"s, tags and the open case to target, and tell everyone where it went.

    Call after the posts moved and target was recounted; the caller audits and commits.
    """
    interested = _interested(source)
    watchers = _carry_watchers(source, target)
    me_too = _carry_me_too(source, target)
    added, left_out = _carry_tags(source, target)
    if case is not None:
        _move_case(actor, case, source, target)
    _tell(actor, source, target, interested)
    return Carried(watchers, me_too, added, left_out, case.id if case is not None else None)


def _interested(source: Thread) -> set[int]:
    """Everyone the source thread mattered to: its watchers (muted or not) and its "me too"s."""
    watching = db.session.scalars(select(Subscription.user_id).where(Subscription.thread_id == source.id))
    me_too = db.session.scalars(select(MeToo.user_id).where(MeToo.thread_id == source.id))
    return set(watching) | set(me_too)


def _carry_watchers(source: Thread, target: Thread) -> list[int]:
    """Each watch or mute on source moves to target; someone with a row on both keeps one, muted if either was."""
    rows = list(db.session.scalars(select(Subscription).where(Subscription.thread_id == source.id)))
    theirs = {row.user_id: row for row in db.session.scalars(
        select(Subscription).where(Subscription.thread_id == target.id,
                                   Subscription.user_id.in_([row.user_id for row in rows])))}
    for row in rows:
        existing = theirs.get(row.user_id)
        if existing is None:
            row.thread_id = target.id
        else:
            existing.muted = existing.muted or row.muted
            db.session.delete(row)
    db.session.flush()
    return sorted(row.user_id for row in rows)


def _carry_me_too(source: Thread, target: Thread) -> list[int]:
    """Source's "me too"s join target's, once per person, and never the target's own asker."""
    already = select(MeToo.user_id).where(MeToo.thread_id == target.id)
    movable = list(db.session.scalars(select(MeToo.user_id).where(
        MeToo.thread_id == source.id, MeToo.user_id.not_in(already), MeToo.user_id != target.author_id)))
    if movable:
        db.session.execute(update(MeToo).where(MeToo.thread_id == source.id, MeToo.user_id.in_(movable))
                           .values(thread_id=target.id))
    db.session.execute(delete(MeToo).where(MeToo.thread_id == source.id))
    target.me_too_count = db.session.scalar(select(func.count(MeToo.user_id)).where(MeToo.thread_id == target.id)) or 0
    source.me_too_count = 0
    return sorted(movable)


def _carry_tags(source: Thread, target: Thread) -> tuple[list[str], list[str]]:
    """Source's tags join target's, up to the MAX_TAGS every thread keeps to (target's own come first)."""
    have = {tag.name for tag in target.tags}
    new = [tag for tag in source.tags if tag.name not in have]
    room = max(MAX_TAGS - len(have), 0)
    target.tags = [*target.tags, *new[:room]]
    return [tag.name for tag in new[:room]], [tag.name for tag in new[room:]]


def _move_case(actor: User, case: Case, source: Thread, target: Thread) -> None:
    """The open case now belongs to target's thread (which had none open), and target shows it is with support."""
    case.thread = target
    case.thread_id = case.open_thread_id = target.id
    case.updated_at = clock.now()
    cases.add_event(case, "thread_merged", actor,
                    detail=_("The question “%(source)s” was merged into “%(target)s”; this case moved with it.",
                             source=source.title, target=target.title))
    events.publish("case.updated", case_id=case.id, change="thread")  # webhooks and the helpdesk learn its new thread
    if target.status != ThreadStatus.SOLVED.value:
        target.status = ThreadStatus.ESCALATED.value


def _tell(actor: User, source: Thread, target: Thread, interested: set[int]) -> None:
    """One notification each, linking to target; not to whoever muted either thread (a mute wins)."""
    muted = set(db.session.scalars(select(Subscription.user_id).where(
        Subscription.thread_id == target.id, Subscription.muted.is_(True))))
    notify_in_their_language(interested - muted, NotificationKind.MERGED, target, actor, lambda: _(
        "“%(source)s” was merged into “%(target)s”. Its replies, your watch and your “me too” continue there.",
        source=source.title, target=target.title))
