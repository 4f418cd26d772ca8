"""Ranks by reputation (domain.md): shown next to names everywhere."""

from __future__ import annotations

RANKS: list[tuple[int, str]] = [
    (5000, "Champion"),
    (1000, "Expert"),
    (200, "Helper"),
    (50, "Contributor"),
    (0, "Newcomer"),
]


def rank_for(reputation: int) -> str:
    """The highest rank whose threshold the reputation reaches."""
    for threshold, name in RANKS:
        if reputation >= threshold:
            return name
    return "Newcomer"
