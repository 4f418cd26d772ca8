"""Integrations over the API: the helpdesk's inbound case events and admins' webhook subscriptions."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Import the modules, whose routes join the one API blueprint (forum.http.api)."""
    from forum.integrations.api import helpdesk, webhooks  # noqa: F401
