"""The system-funded bounty: a question nearing its first-response target without a reply gets points on offer.

Aimed at the service outcome (no question left in the dark), not at activity: the sweep marks
questions that reached bounty.offer_at_pct (75%) of sla.first_reply_hours with no reply from anyone
but the asker, lists show them as "Bounty +20" (bounty.points), and reputation.on_solution_accepted
pays whoever's reply gets accepted (and takes it back if the acceptance goes). Both are community
settings, read when used.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from forum.core import clock
from forum.core.extensions import db
from forum.models import LedgerReason, Thread, ThreadKind, ThreadStatus, Visibility
from forum.recognition import settings
from forum.services import community_settings

BOUNTY_JOB = "reputation.offer_bounties"
# Unanswered questions still waiting for help (a self-answered, solved one needs no bounty).
WAITING = (ThreadStatus.OPEN.value, ThreadStatus.NEEDS_INFO.value, ThreadStatus.ESCALATED.value)


def bounty_due_after() -> timedelta:
    """How long a question waits without a reply before it carries a bounty."""
    return timedelta(hours=community_settings.get_setting("sla.first_reply_hours") * settings.bounty_share())


def bounty_points() -> int:
    """What the accepted reply on a question with a bounty earns now (bounty.points)."""
    return settings.points(LedgerReason.BOUNTY)


def offer_bounties(_payload: dict | None = None) -> int:
    """Mark every question due a bounty, in one idempotent UPDATE (bounty_at is set once); commits.

    Runs on the SLA sweep's interval. Returns how many questions got a bounty.
    """
    now = clock.now()
    offered = db.session.execute(
        update(Thread)
        .where(
            Thread.kind == ThreadKind.QUESTION.value, Thread.status.in_(WAITING), Thread.first_reply_at.is_(None),
            Thread.bounty_at.is_(None), Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLIC.value,
            Thread.merged_into_id.is_(None), Thread.created_at <= now - bounty_due_after(),
        )
        .values(bounty_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return offered


def has_open_bounty(thread: Thread) -> bool:
    """Whether lists and the thread page show the bounty: offered and not yet won."""
    return thread.bounty_at is not None and thread.status not in (ThreadStatus.SOLVED.value, ThreadStatus.CLOSED.value)
