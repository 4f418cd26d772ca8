"""The demo's story clock: every seeded action runs at its own moment, oldest first, as it would have happened.

Stories (forum.cli.demo_story, demo_cases) schedule actions at moments before now; the timeline runs
them in time order with the clock frozen at each, so everything the services stamp (posts, ledger rows,
notifications, cases, feedback requests) carries its date in the story. Between actions, the worker's
periodic work runs at story time too, every TICK (a story day): recognition's backfill grants the
badges and mission progress members have earned by then (so a badge is dated the day it was earned,
not when the demo was seeded: the worker runs the same job hourly), and the Q&A sweep asks askers for
feedback and reminds them. A member reads their notifications
whenever they act, as a visitor of the site would, so only what happened since their last visit stays unread.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Notification, User
from forum.recognition import awards
from forum.services import notifications, sweeps

TICK = timedelta(hours=24)
VISIT_SPACING = timedelta(hours=2)  # acts this close together are one visit: notifications are read once
# Nothing is scheduled in the last minute: the final tick and the last reads happen there, before now.
QUIET_END = timedelta(minutes=1)
UNREAD_KEPT = 3  # notifications each demo member finds unread: the few newest ones, as after a recent visit


@dataclass(order=True)
class _Entry:
    when: datetime
    seq: int
    action: Callable[[], object] = field(compare=False)


class Timeline:
    """A queue of past actions, run in time order with the clock frozen at each."""

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor
        self._queue: list[_Entry] = []
        self._seq = 0
        self._visited: dict[int, datetime] = {}
        self._next_tick: datetime | None = None

    def at(self, when: datetime, action: Callable[[], object]) -> bool:
        """Schedule action at when; False (dropped) when that part of the story has not happened yet."""
        if when >= self.anchor - QUIET_END:
            return False
        heapq.heappush(self._queue, _Entry(when, self._seq, action))
        self._seq += 1
        return True

    def visit(self, user: User) -> None:
        """user is on the site: they read what they were told (once per visit)."""
        now, last = clock.now(), self._visited.get(user.id)
        if last is None or now - last >= VISIT_SPACING:
            notifications.mark_read(user)
            self._visited[user.id] = now

    def run(self) -> None:
        """Every scheduled action in time order, with the periodic work between; the clock is left frozen."""
        while self._queue:
            entry = heapq.heappop(self._queue)
            self._ticks_until(entry.when)
            clock.freeze(entry.when)
            entry.action()
        self._tick(self.anchor - QUIET_END)

    def _ticks_until(self, moment: datetime) -> None:
        """The ticks due by moment. Over a quiet stretch only its first tick (right after the last actions)
        and its last (for what came due with time alone, like reminders) run: the ones between would find
        nothing that the last does not."""
        if self._next_tick is None:
            self._next_tick = moment
        due = int((moment - self._next_tick) / TICK) + 1 if self._next_tick <= moment else 0
        for n in sorted({0, due - 1}) if due else ():
            self._tick(self._next_tick + n * TICK)
        self._next_tick += due * TICK

    def _tick(self, moment: datetime) -> None:
        """What the worker would have done by moment: badges and mission progress earned so far, then the
        Q&A sweep's feedback requests and reminders."""
        clock.freeze(moment)
        awards.backfill({})
        sweeps.request_due_feedback()
        sweeps.remind_askers()

    def leave_few_unread(self, users: Iterable[User]) -> None:
        """Each member's older notifications were read on a visit before now; the newest few wait for them."""
        clock.freeze(self.anchor - QUIET_END / 2)
        for user in users:
            unread = db.session.scalars(
                select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                .order_by(Notification.id.desc())
            ).all()
            if len(unread) > UNREAD_KEPT:
                notifications.mark_read(user, list(unread[UNREAD_KEPT:]))
