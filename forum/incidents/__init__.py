"""Incidents: one problem, many askers — answer it once and reach every thread.

management holds the rules (alerts, opening, linking, updates, resolution, the fan-out job);
pages is the staff's /staff/incidents. Callers outside the package use the names re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.incidents.management import (
    FAN_OUT_JOB,
    Incident,
    alert_thread_ids,
    fan_out,
    incident_for_thread,
    link_threads,
    open_incident,
    parse_thread_ids,
    post_update,
    raise_alert,
    resolve_incident,
    unlink_thread,
)

__all__ = [
    "FAN_OUT_JOB",
    "Incident",
    "alert_thread_ids",
    "fan_out",
    "incident_for_thread",
    "link_threads",
    "open_incident",
    "parse_thread_ids",
    "post_update",
    "raise_alert",
    "resolve_incident",
    "unlink_thread",
]


def init_app(app: Flask) -> None:
    """The fan-out job (an update reaches every linked thread) and the staff pages."""
    from forum.core import job_registry
    from forum.incidents import pages

    job_registry.register(FAN_OUT_JOB, fan_out)
    app.register_blueprint(pages.bp)
