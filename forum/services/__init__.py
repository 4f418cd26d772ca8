"""The community's services: HTTP-free functions that check permissions, change state and commit once.

Posting, reading, Q&A, categories, notifications, subscriptions and the rules around them. The
domain packages beside this one (cases, recognition...) are reached through their __init__ only.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The community's own worker jobs: sending mail and the periodic Q&A care (feedback, reminders, digests)."""
    from forum import hooks
    from forum.services import community_settings, mail, sweeps

    hooks.register_job(mail.SEND_JOB, mail.send_email_job)
    hooks.register_job(sweeps.SWEEP_JOB, sweeps.run_sweep, every_s=community_settings.sweep_interval_s)
