"""The ideas board (issue 29): product ideas members post and vote for with a limited budget, staff move
along a public roadmap, and that ship with credit to their author.

An idea is a thread in an ideas category (forum.models.ideas). settings (the vote budget, the points for a
shipped idea), rules (who may post, vote, manage; installed into the permission layer), queries (what a
viewer may read), posting (a new idea); the other modules are named for what they do.
"""

from __future__ import annotations

from flask import Flask

from forum.ideas.posting import NewIdea, post_idea
from forum.ideas.queries import IDEA_STATUSES, OPEN_STATUSES, get_idea, idea_of, visible_ideas
from forum.ideas.status import change_status
from forum.ideas.voting import IdeaClosed, NoVotesLeft, Tally, vote, voted_idea_ids, votes_left, withdraw

__all__ = ["IDEA_STATUSES", "OPEN_STATUSES", "NewIdea", "get_idea", "idea_of", "post_idea", "visible_ideas"]
__all__ += ["IdeaClosed", "NoVotesLeft", "Tally", "change_status", "vote", "voted_idea_ids", "votes_left", "withdraw"]


def init_app(app: Flask) -> None:
    """The ideas rules and settings, their jobs and listeners, and the pages and API routes."""
    from forum import hooks
    from forum.http import ratelimits
    from forum.ideas import api, pages, rules, settings, upkeep  # noqa: F401  (registered on import; api: routes join the API)
    from forum.services import permissions

    permissions.register_rules(rules.RULES)
    # Votes: the serial-voting job, votes given back when an idea's question is deleted or its voter erased.
    hooks.register_job(upkeep.SERIAL_VOTES_JOB, upkeep.reverse_serial_votes, every_s=upkeep.every_s)
    hooks.on_post_held("ideas.release_votes", upkeep.on_post_held, upkeep.on_post_removed)
    hooks.subscribe("ideas.user_deleted", upkeep.on_event)
    # Posting an idea spends the new-thread budget, its votes the one daily budget of votes (domain.md).
    ratelimits.RULES.update({"api.create_idea": ratelimits.NEW_THREAD, "api.vote_idea": ratelimits.VOTE,
                             "api.withdraw_idea_vote": ratelimits.VOTE})
    # The pages spend the same budgets as the API (forum.ideas.pages).
    ratelimits.RULES.update({"ideas.new": ratelimits.NEW_THREAD, "ideas.vote": ratelimits.VOTE,
                             "ideas.unvote": ratelimits.VOTE})
    pages.init_app(app)
