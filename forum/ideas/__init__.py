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

__all__ = ["IDEA_STATUSES", "OPEN_STATUSES", "NewIdea", "get_idea", "idea_of", "post_idea", "visible_ideas"]


def init_app(app: Flask) -> None:
    """The ideas rules and settings, their jobs and listeners, and the pages and API routes."""
    from forum.ideas import rules, settings  # noqa: F401  (settings: registered on import)
    from forum.services import permissions

    permissions.register_rules(rules.RULES)
