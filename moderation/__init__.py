"""Moderation: flags, the review queue, spam defences, suspensions and the audit log (issue 5).

forum never imports this package. create_app calls init_app, which registers the content
checks (forum.services.policies), the moderation holds and the blueprints.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.services import moderation_state
    from moderation import api, checks, models, web  # noqa: F401  (models: the schema must be known)
    from moderation.services import review_queue

    checks.init_app(app)
    moderation_state.on_hold("moderation.review_queue", review_queue.on_post_held)  # held posts wait in the queue
    moderation_state.on_removed("moderation.review_queue", review_queue.on_post_removed)  # deleted: item decided
    web.init_app(app)
    api.init_app(app)
