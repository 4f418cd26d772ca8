"""Moderation: flags, the review queue, spam defences, suspensions and the audit log (issue 5).

forum never imports this package. create_app calls init_app, which registers the content
checks (forum.services.policies), the moderation holds and the blueprints.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum import hooks
    from moderation import api, checks, cli, models, settings, web  # noqa: F401  (models, settings: registered)
    from moderation.services import member_summary, review_queue

    checks.init_app(app)
    # held posts wait in the queue; a deleted post's item is decided
    hooks.on_post_held("moderation.review_queue", review_queue.on_post_held, review_queue.on_post_removed)
    hooks.provide_member_moderation_summary(app, "moderation.member_summary", member_summary.member_summary)
    web.init_app(app)
    cli.init_app(app)
    api.init_app(app)
