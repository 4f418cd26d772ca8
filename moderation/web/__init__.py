"""Moderation pages: thin views over moderation.services."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from moderation.web import (
        actions,
        appeals,
        audit,
        duplicates,
        flags,
        needs_staff,
        review_queue,
        suspensions,
        users,
        watched_words,
    )

    for module in (flags, review_queue, actions, suspensions, appeals, watched_words, audit, users, needs_staff,
                   duplicates):
        app.register_blueprint(module.bp)
