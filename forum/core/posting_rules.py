"""How fast a member may write (domain.md), in one place for every way in: the web and API limits
(forum.http.ratelimits) and mail (forum.mail.replies.posting_limit) read these, so they cannot drift.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from forum.core import clock

REPLIES = "1 per 10 seconds"
NEW_THREADS_FIRST_DAY = "3 per day"
NEW_THREADS = "20 per day"


def new_thread_rule(created_at: datetime | None) -> str:
    """3 new threads a day in an account's first day, 20 a day after."""
    if created_at is not None and clock.now() - created_at < timedelta(days=1):
        return NEW_THREADS_FIRST_DAY
    return NEW_THREADS
