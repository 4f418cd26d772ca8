"""Worker jobs that recognise helping: new badges and mission progress after a user's history moves.

recognition.check_user runs soon after an event (the ledger enqueues it whenever a user's
reputation moves, and posting does after each reply, which moves no points). The periodic
recognition.backfill catches everything events cannot: badges added since people qualified,
missions created after the work was done, role changes, and votes swallowed by the daily cap.
"""

from __future__ import annotations

from forum.core import outbox
from forum.core.extensions import db
from forum.recognition import badges, mission_tracking
from forum.recognition.reputation import RECOGNITION_JOB

CHECK_USER_JOB = RECOGNITION_JOB
BACKFILL_JOB = "recognition.backfill"
BACKFILL_INTERVAL_S = 3600.0


def check_user(payload: dict) -> None:
    """Grant the user's newly earned badges and move their missions; idempotent, commits once."""
    user_id = payload.get("user_id")
    if not isinstance(user_id, int):
        return
    badges.evaluate_user(user_id)
    mission_tracking.evaluate_user(user_id)
    db.session.commit()


def backfill(_payload: dict) -> None:
    """Every rule badge for everyone who qualifies and lacks it, then everyone's open missions."""
    badges.backfill_all()
    mission_tracking.sweep_open_missions()


def check_user_soon(user_id: int) -> None:
    """Queue check_user in the caller's transaction (for events that move no reputation)."""
    outbox.enqueue(CHECK_USER_JOB, {"user_id": user_id})
