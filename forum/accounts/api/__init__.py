"""Accounts over the API: tokens for API clients, registration, profiles, the caller's account and picture,
its data export and its deletion."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Import the modules, whose routes join the one API blueprint (forum.http.api)."""
    from forum.accounts.api import autocomplete, avatars, blocks, privacy, tokens, users  # noqa: F401
