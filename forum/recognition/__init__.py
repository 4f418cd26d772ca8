"""Recognition: the reputation ledger and its upkeep, ranks, privileges, badges, missions, leaderboards,
bounties, advocates and the credit for published articles and shipped ideas — what members earn for helping.

This module is the one way in for the community code (posting, reading, Q&A...): it says
recognition.<name>, and the import contracts in pyproject.toml keep it out of the modules behind.
Those are reputation (the append-only ledger), upkeep (rebuilds, serial-vote reversal), ranks,
privileges, badges and badge_rules, missions and mission_tracking, leaderboards, bounties,
advocates, article_credit (a member's published article), idea_credit (a member's shipped idea),
profile_stats (what a profile shows), history (SQL building blocks) and awards (the worker jobs); pages
and api (each split into recognition and reputation) are its routes.
"""

from __future__ import annotations

from flask import Flask

from forum.recognition.article_credit import on_article_published, on_article_withdrawn
from forum.recognition.awards import check_user_soon
from forum.recognition.idea_credit import on_idea_shipped, on_idea_unshipped
from forum.recognition.imported_credit import credit_imported_scores
from forum.recognition.profile_stats import member_profile
from forum.recognition.reputation import (
    on_post_removed,
    on_solution_accepted,
    on_solution_dropped,
    on_vote_added,
    on_vote_withdrawn,
    restore_for_post,
)

__all__ = [
    "check_user_soon", "credit_imported_scores", "member_profile", "on_article_published", "on_article_withdrawn",
    "on_idea_shipped", "on_idea_unshipped", "on_post_removed", "on_solution_accepted", "on_solution_dropped",
    "on_vote_added", "on_vote_withdrawn", "restore_for_post",
]


def init_app(app: Flask) -> None:
    """Badge and mission jobs, the bounty sweep, serial-vote reversal, and the recognition pages and API."""
    from forum import hooks
    from forum.recognition import api, awards, bounties, pages, upkeep
    from forum.services import community_settings

    hooks.register_job(bounties.BOUNTY_JOB, bounties.offer_bounties, every_s=community_settings.sweep_interval_s)
    hooks.register_job(awards.CHECK_USER_JOB, awards.check_user)
    hooks.register_job(awards.BACKFILL_JOB, awards.backfill, every_s=lambda: awards.BACKFILL_INTERVAL_S)
    hooks.register_job(upkeep.SERIAL_VOTES_JOB, upkeep.reverse_serial_votes,
                         every_s=lambda: upkeep.SERIAL_JOB_EVERY_S)
    api.init_app(app)
    pages.init_app(app)
