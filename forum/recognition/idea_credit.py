"""What a member earns when staff ship an idea they posted, and its exact undo when it is unshipped.

One IDEA_SHIPPED ledger row per idea while it stands (ideas.shipped_points, naming the idea's thread as
its cause), so shipped → planned → shipped pays once: leaving shipped reverses the row, shipping again
then pays again, and at no moment does the author hold two. Staff post ideas as part of their job and
earn nothing for them, as for articles. The ledger's own job (recognition.check_user, queued by every
award) then grants the "Idea shipped" badge. Callers commit.
"""

from __future__ import annotations

from forum.core.extensions import db
from forum.models import Correction, LedgerReason, ReputationEvent, Thread, User
from forum.models.ideas import Idea
from forum.recognition.reputation import award, lock_users, reverse_rows, standing_rows
from forum.services import community_settings

SHIPPED_POINTS = "ideas.shipped_points"  # forum.ideas.settings registers it


def _standing_credit(idea: Idea) -> list[ReputationEvent]:
    return standing_rows(ReputationEvent.thread_id == idea.thread_id,
                         ReputationEvent.reason == LedgerReason.IDEA_SHIPPED.value)


def on_idea_shipped(idea: Idea, actor: User | None) -> ReputationEvent | None:
    """Pay the author of a shipped idea once; None when nothing is due (staff or erased author, already paid).

    The author's row is locked first (PostgreSQL), so two status changes racing each other pay once.
    """
    thread = db.session.get(Thread, idea.thread_id)
    author = db.session.get(User, thread.author_id) if thread is not None else None
    if author is None or author.is_staff or author.anonymized_at is not None:
        return None
    lock_users([author.id])
    if _standing_credit(idea):
        return None
    points = int(community_settings.cached_setting(SHIPPED_POINTS))
    return award(author.id, LedgerReason.IDEA_SHIPPED, thread=thread, actor=actor, points=points)


def on_idea_unshipped(idea: Idea, actor: User | None) -> int:
    """Reverse what shipping the idea paid (its standing row); returns how many reversals were written."""
    return reverse_rows(_standing_credit(idea), actor, Correction.WITHDRAWN)
