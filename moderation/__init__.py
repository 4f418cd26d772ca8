"""Moderation: flags, the review queue, spam defences, suspensions and the audit log (issue 5).

forum never imports this package. create_app calls init_app, which registers the content
checks (forum.services.policies), the job handlers and the blueprints.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.services import moderation_state
    from moderation import api, checks, jobs, models, web  # noqa: F401  (models: the schema must be known)
    from moderation.services import queue

    checks.init_app(app)
    moderation_state.on_hold("moderation.review_queue", queue.on_post_held)  # held posts wait in the queue
    moderation_state.on_removed("moderation.review_queue", queue.on_post_removed)  # deleted: item decided
    jobs.init_app(app)
    web.init_app(app)
    api.init_app(app)
