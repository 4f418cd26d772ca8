"""Incidents: many customers hitting the same problem at once, handled once and answered everywhere.

The detector raises an IncidentAlert when similar unsolved questions cluster in a short window;
staff turn it into an Incident (or link it to a running one). Updates and the resolution posted
on the incident reach every linked thread, so each asker hears it where they asked.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.content import Thread
from forum.models.types import UTCDateTime


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class AlertStatus(StrEnum):
    NEW = "new"  # waiting for staff to look
    LINKED = "linked"  # its questions went into an incident
    DISMISSED = "dismissed"  # a coincidence, not one problem


class Incident(db.Model):
    """One known problem affecting many customers, with its public updates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=IncidentStatus.OPEN.value, index=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    created_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN.value


class IncidentThread(db.Model):
    """A question linked to an incident; a thread belongs to at most one incident (the primary key)."""

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The newest update this thread has received: fan-out resumes from here after a crash.
    last_update_id: Mapped[int | None] = mapped_column(nullable=True)
    # When the resolution was accepted here and the thread's case resolved: settling is done once.
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    thread: Mapped[Thread] = relationship()
    incident: Mapped[Incident] = relationship()


class IncidentUpdate(db.Model):
    """A public update (or the resolution) posted once on the incident and copied to every linked thread."""

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_resolution: Mapped[bool] = mapped_column(Boolean, default=False)
    threads_reached: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship()


class IncidentAlert(db.Model):
    """The detector's finding: these questions look like one problem. Staff link or dismiss it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default=AlertStatus.NEW.value, index=True)
    shared_terms: Mapped[str] = mapped_column(String(300), default="")
    # Indexed: the alerts folded into an incident are found by it (and ON DELETE SET NULL looks them up).
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncidentAlertThread(db.Model):
    """A question in an alert; a thread is in at most one alert, so the detector never re-raises it."""

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("incident_alert.id", ondelete="CASCADE"), index=True)

    thread: Mapped[Thread] = relationship()
