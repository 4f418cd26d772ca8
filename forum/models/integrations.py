"""Integrations: outbound webhook subscriptions, their delivery log, helpdesk connectors, inbound replay guard."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.content import Category
from forum.models.types import UTCDateTime


class DeliveryStatus(StrEnum):
    """pending: waiting (first try or a retry); failed: last try failed, retry scheduled; dead: gave up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"


class WebhookSubscription(db.Model):
    """An admin's subscription of one URL to some event types; deliveries are signed with secret.

    allow_private: the admin opted in to an on-premises host (loopback or private address).
    failing_since marks the start of an unbroken run of failures; a day of it sets disabled_at.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events_json: Mapped[str] = mapped_column(Text, default="[]")
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()


class CaseConnector(db.Model):
    """A category's external helpdesk: its cases and their updates are pushed to url, signed with secret.

    No row (or an inactive one) means the built-in desk, the default.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    category: Mapped[Category] = relationship()


class WebhookDelivery(db.Model):
    """One event for one destination (a subscription or a case connector): the outbox row and its log.

    event_id is the receiver's idempotency key and never changes across retries. Connector
    deliveries carry case_id: they are sent one at a time per case, oldest first, and
    claimed_until is that per-case lease.
    """

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_subscription_event"),
        Index("ix_webhook_delivery_case_order", "case_id", "id"),
        Index("ix_webhook_delivery_subscription_created", "subscription_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=True
    )
    connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_connector.id", ondelete="CASCADE"), nullable=True, index=True
    )
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event_type: Mapped[str] = mapped_column(String(40))
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription | None] = relationship()
    connector: Mapped[CaseConnector | None] = relationship()


class InboundEvent(db.Model):
    """An inbound helpdesk event already applied: its id is refused when replayed."""

    # Each helpdesk numbers its own events: ids are unique per connector, not across helpdesks.
    __table_args__ = (UniqueConstraint("connector_id", "event_id", name="uq_inbound_event_connector_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200))
    connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_connector.id", ondelete="SET NULL"), nullable=True, index=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
