"""Incidents: one problem, many askers — answer it once and reach every thread.

alerts holds the detector's alerts; management the rules of incidents (opening, linking, updates,
resolution); fan_out_job the job that delivers each update to every linked thread; queries the reads
(a thread's incident, the staff pages' lists). pages is the staff's /staff/incidents. Callers outside
the package use the names re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.incidents.alerts import alert_thread_ids, raise_alert
from forum.incidents.fan_out_job import FAN_OUT_JOB, fan_out
from forum.incidents.management import (
    link_threads,
    open_incident,
    parse_thread_ids,
    post_update,
    resolve_incident,
    unlink_thread,
)
from forum.models import Incident

__all__ = [
    "FAN_OUT_JOB",
    "Incident",
    "alert_thread_ids",
    "fan_out",
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
    from forum import hooks
    from forum.incidents import pages

    hooks.register_job(FAN_OUT_JOB, fan_out)
    app.register_blueprint(pages.bp)
