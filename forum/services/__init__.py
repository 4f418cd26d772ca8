"""The community's services: HTTP-free functions that check permissions, change state and commit once.

Posting, reading, Q&A, categories, notifications, subscriptions and the rules around them. The
domain packages beside this one (cases, recognition...) are reached through their __init__ only.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The community's own worker jobs: notification emails, the periodic Q&A care (digests and more)."""
    from forum import hooks
    from forum.services import community_settings, notifications, sweeps

    hooks.register_job(notifications.EMAIL_JOB, notifications.email_notifications_job)
    hooks.register_job(sweeps.SWEEP_JOB, sweeps.run_sweep, every_s=community_settings.sweep_interval_s)
