"""Running Horseshoe: backup and restore, health and readiness, Prometheus metrics, the System page.

Each part registers itself here; the services (backup, figures, health) know nothing of HTTP.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.operations import backup_schedule, pages

    for part in (backup_schedule, pages):
        part.init_app(app)
