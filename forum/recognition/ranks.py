"""Ranks by reputation (domain.md): shown next to names everywhere.

A rank's name stays English here (N_: the API and the rank's CSS class use it); pages show `_(name)`.
The thresholds are community settings (forum.recognition.settings), read when a rank is shown, so a
change moves every member's rank at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.recognition import settings


def rank_for(reputation: int) -> str:
    """The highest rank whose threshold the reputation reaches."""
    for threshold, name in settings.rank_thresholds():
        if reputation >= threshold:
            return name
    return settings.NEWCOMER


@dataclass(frozen=True)
class RankProgress:
    """Where a member stands: their rank, and the next one with the reputation it asks (None at the top)."""

    reputation: int
    rank: str
    next_rank: str | None
    next_at: int | None

    @property
    def to_go(self) -> int:
        return max(0, (self.next_at or 0) - self.reputation)


def progress_for(reputation: int) -> RankProgress:
    """The member's rank and the next one up (below zero, a Newcomer's next rank is still Contributor)."""
    above = [(threshold, name) for threshold, name in settings.rank_thresholds() if threshold > max(reputation, 0)]
    next_at, next_rank = above[-1] if above else (None, None)
    return RankProgress(reputation, rank_for(reputation), next_rank, next_at)
