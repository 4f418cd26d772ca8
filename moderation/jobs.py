"""Moderation's background jobs, registered with the worker."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register job handlers with forum.jobs.registry."""
