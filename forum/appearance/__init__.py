"""How the community looks: its branding (name, logo, accent colour) on top of the light and dark themes.

The themes themselves are forum/static/style.css's two palettes and each member's choice
(forum.accounts.preferences); this package adds what an admin changes without code.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.appearance import pages

    pages.init_app(app)
