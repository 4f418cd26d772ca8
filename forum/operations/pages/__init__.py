"""Running Horseshoe's HTTP side: monitoring (GET /healthz, /readyz and /metrics, and the latency every request
adds to /metrics) and the admins' System page (/admin/system)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.operations.pages import monitoring, system

    monitoring.init_app(app)
    system.init_app(app)
