"""The case connector port: the built-in desk by default, or an external helpdesk per category.

Outbound: when a category has an active webhook connector, every new case (case.created) and
every case update (case.updated, case.resolved) is a signed delivery to it, through the same
outbox, signing and retry machinery as webhooks, sent in order per case. Internal notes
never leave; customer-visible messages go with their body (the helpdesk is the case system).

Inbound (POST /api/v1/integrations/cases/events) uses the same signature scheme with the
connector's secret. The body is `{"id", "type", "created_at", "data"}` where type is
case.updated or case.resolved and data is:

    {"external_ref": "HD-981",      # the helpdesk's ticket id; or
     "case_id": 42,                 # our id, on first contact (then external_ref is remembered)
     "status": "open" | "pending_customer" | "resolved" | "closed",   # optional
     "note": "text for the customer",                                  # optional, public
     "resolution": "how it was solved"}                                # optional

Changes are applied through the case services, so the thread's public timeline and the
customer's notifications show them as if an agent had made them.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.cases import state, work
from forum.core import clock
from forum.core.errors import Conflict, DomainError, ErrorCollector, Invalid, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import N_, _, format_number
from forum.core.text import refuse_nul
from forum.integrations import delivery, payloads
from forum.integrations.webhooks import check_secret, check_url
from forum.models import Case, CaseConnector, CaseStatus, Category, InboundEvent, Thread, User, WebhookDelivery
from forum.services import feedback
from forum.services.permissions import Action, require

TOLERANCE = timedelta(minutes=5)
INBOUND_TYPES = ("case.updated", "case.resolved")
INBOUND_STATUSES = tuple(s.value for s in CaseStatus if s is not CaseStatus.NEW)
MAX_NOTE_CHARS = 2000
MAX_RESOLUTION_CHARS = 64 * 1024
# Set while an inbound event is applied: its changes came from the helpdesk and are not echoed back to it.
_applying_inbound: ContextVar[bool] = ContextVar("applying_inbound", default=False)


class MalformedEvent(DomainError):
    """The signed body is not JSON (api.md: 400, like every malformed JSON body)."""

    status = 400
    title = N_("Malformed JSON")


@dataclass(frozen=True)
class ConnectorInput:
    url: str
    secret: str = ""  # empty: keep the current one (or generate one for a new connector)
    active: bool = True
    allow_private: bool = False


# --- configuration (admins) ----------------------------------------------------------------------


def connectors_by_category(actor: User) -> dict[int, CaseConnector]:
    require(actor, Action.INTEGRATIONS_MANAGE)
    return {c.category_id: c for c in db.session.scalars(select(CaseConnector))}


def connector_for(category_id: int) -> CaseConnector | None:
    return db.session.scalar(select(CaseConnector).where(CaseConnector.category_id == category_id))


def save_connector(actor: User, category: Category, data: ConnectorInput) -> CaseConnector:
    """Create or change the category's helpdesk connector (URL checked against SSRF)."""
    require(actor, Action.INTEGRATIONS_MANAGE)
    existing = connector_for(category.id)
    errors = ErrorCollector()
    url = check_url(errors, data.url, data.allow_private)
    keep_secret = existing is not None and not data.secret
    secret = existing.secret if keep_secret else check_secret(errors, data.secret)
    errors.raise_if_any()
    moment = clock.now()
    connector = existing or CaseConnector(category_id=category.id, created_at=moment)
    connector.url, connector.secret, connector.updated_at = url, secret, moment
    connector.active, connector.allow_private = data.active, data.allow_private
    db.session.add(connector)
    db.session.commit()
    return connector


def delete_connector(actor: User, connector: CaseConnector) -> None:
    """Back to the built-in desk; undelivered events to the helpdesk are dropped with it."""
    require(actor, Action.INTEGRATIONS_MANAGE)
    db.session.delete(connector)
    db.session.commit()


# --- outbound --------------------------------------------------------------------------------------


def on_event(event_type: str, fields: dict) -> None:
    """The events listener: a case event on a category with an active connector becomes a delivery."""
    if event_type not in ("thread.escalated", "case.updated", "case.resolved") or _applying_inbound.get():
        return
    case = db.session.get(Case, fields["case_id"])
    connector = db.session.scalar(
        select(CaseConnector).join(Thread, Thread.category_id == CaseConnector.category_id)
        .where(Thread.id == case.thread_id, CaseConnector.active.is_(True))
    ) if case is not None else None
    if connector is None:
        return
    if event_type == "thread.escalated":
        event_type, data = "case.created", payloads.helpdesk_case(case)
    else:
        data = payloads.helpdesk_update(fields)
    if data is not None:
        delivery.record(event_type, data, connector_id=connector.id, case_id=case.id)


# --- inbound ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundChange:
    event_id: str
    event_type: str
    case_id: int | None
    external_ref: str | None
    status: str | None
    note: str
    resolution: str | None


def apply_inbound_event(raw_body: bytes, headers: Mapping[str, str]) -> Case:
    """Verify, de-duplicate and apply one helpdesk event; NotAuthenticated for anything not provably fresh.

    Order matters: nothing is parsed before the signature checks out, and the event id is
    recorded in the same transaction as the change, so a replay finds it.
    """
    connector = _verified_connector(raw_body, headers)
    change = _parse(raw_body, headers)
    try:
        _claim_event_id(change.event_id, connector)
        case = _find_case(connector, change)
        _apply(case, change)
    except (NotFound, Conflict, Invalid):
        db.session.rollback()
        raise
    db.session.commit()
    return case


def _verified_connector(raw_body: bytes, headers: Mapping[str, str]) -> CaseConnector:
    stamp, offered = signature_headers(headers)
    connector = next((c for c in db.session.scalars(select(CaseConnector).where(CaseConnector.active.is_(True)))
                      if signed_with(c.secret, stamp, raw_body, offered)), None)
    if connector is None:
        raise NotAuthenticated(_("The signature does not match any active helpdesk connector."))
    refuse_stale(stamp)
    return connector


# The inbound signature checks, shared with the other signed way in (forum.mail.api: mail from a provider).


def signature_headers(headers: Mapping[str, str], what: str = "event") -> tuple[str, list[str]]:
    """Horseshoe-Timestamp and the signatures offered (several while a secret is rotated); 401 without them."""
    stamp = (headers.get("Horseshoe-Timestamp") or "").strip()
    offered = [part.strip() for part in (headers.get("Horseshoe-Signature") or "").split(",") if part.strip()]
    if not stamp or not offered:
        raise NotAuthenticated(_("Sign the %(what)s: Horseshoe-Timestamp and Horseshoe-Signature are required.",
                                 what=what))
    return stamp, offered


def signed_with(secret: str, stamp: str, body: bytes, offered: list[str]) -> bool:
    expected = delivery.sign(secret, stamp, body)
    return any(hmac.compare_digest(expected.encode(), candidate.encode()) for candidate in offered)


def refuse_stale(stamp: str) -> None:
    """A signed request is good for 5 minutes either side of now, so a captured one cannot be replayed later."""
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) \
            or abs(clock.now().timestamp() - int(stamp)) > TOLERANCE.total_seconds():
        raise NotAuthenticated(_("The timestamp is more than 5 minutes away from now: refused as stale."))


def _parse(raw_body: bytes, headers: Mapping[str, str]) -> InboundChange:
    try:
        document = json.loads(raw_body)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, or nested absurdly deep
        raise MalformedEvent(_("The request body is not valid JSON (or nests too deeply).")) from exc
    refuse_nul(document)  # before anything reaches the database, which may not store a NUL
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise Invalid({"data": [_("Send {id, type, created_at, data} with data an object.")]})
    errors = ErrorCollector()
    event_id = _event_id(errors, document, headers)
    if document.get("type") not in INBOUND_TYPES:
        errors.add("type", _("Use one of: %(values)s.", values=", ".join(INBOUND_TYPES)))
    status = _optional(errors, data, "status", str, 40)
    status = status or ("resolved" if document.get("type") == "case.resolved" else None)
    if status is not None and status not in INBOUND_STATUSES:
        errors.add("status", _("Use one of: %(values)s.", values=", ".join(INBOUND_STATUSES)))
    case_id, ref = data.get("case_id"), _optional(errors, data, "external_ref", str, 200)
    if case_id is not None and (not isinstance(case_id, int) or isinstance(case_id, bool) or not 0 < case_id < 2**31):
        errors.add("case_id", _("Use the case's id (an integer)."))
    if case_id is None and not ref:
        errors.add("external_ref", _("Name the case: external_ref, or case_id on first contact."))
    note = _optional(errors, data, "note", str, MAX_NOTE_CHARS) or ""
    resolution = _optional(errors, data, "resolution", str, MAX_RESOLUTION_CHARS)
    if status is None and not note and not resolution:
        errors.add("status", _("Send a status, a note or a resolution."))
    errors.raise_if_any()
    return InboundChange(event_id, document["type"], case_id, ref, status, note.strip(), resolution)


def _event_id(errors: ErrorCollector, document: dict, headers: Mapping[str, str]) -> str:
    """The event's id from the signed body (the header is not signed, so it can only repeat the body's id)."""
    header = (headers.get("Horseshoe-Event-Id") or "").strip()
    body_id = document.get("id")
    event_id = body_id.strip() if isinstance(body_id, str) else ""
    if not event_id or len(event_id) > 200:
        errors.add("id", _("Give every event a unique id (up to 200 characters) in the signed body."))
    elif header and header != event_id:
        errors.add("id", _("The body's id differs from the Horseshoe-Event-Id header."))
    return event_id


def _optional(errors: ErrorCollector, data: dict, name: str, kind: type, max_chars: int):
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or len(value) > max_chars:
        errors.add(name, _("Use text of at most %(count)s characters.", count=format_number(max_chars)))
        return None
    return value.strip() or None


def _claim_event_id(event_id: str, connector: CaseConnector) -> None:
    """Record the id (unique key): a replayed or concurrent duplicate is refused, never applied twice."""
    try:
        with db.session.begin_nested():
            db.session.add(InboundEvent(event_id=event_id, connector_id=connector.id, received_at=clock.now()))
            db.session.flush()
    except IntegrityError as exc:
        raise NotAuthenticated(_("This event id was already applied: replays are refused.")) from exc


def _find_case(connector: CaseConnector, change: InboundChange) -> Case:
    """By external_ref; on first contact by case id (remembering the ref). Only the connector's category."""
    in_category = select(Case).join(Thread, Thread.id == Case.thread_id).where(
        Thread.category_id == connector.category_id)
    case = None
    if change.external_ref:
        case = db.session.scalar(in_category.where(Case.external_ref == change.external_ref).limit(1))
    if case is None and change.case_id is not None:
        case = db.session.scalar(in_category.where(Case.id == change.case_id))
        if case is not None and change.external_ref and case.external_ref not in (None, change.external_ref):
            raise Conflict(_("This case is linked to another helpdesk ticket."))
    if case is None:
        raise NotFound(_("No case of this connector's category has this external_ref or case_id."))
    if change.external_ref and case.external_ref is None:
        case.external_ref = change.external_ref
    return case


def _apply(case: Case, change: InboundChange) -> None:
    """Status, note and resolution through the case services; the customer is told as usual."""
    token = _applying_inbound.set(True)
    try:
        if change.resolution:
            case.resolution = change.resolution
        detail = f"Updated in the helpdesk: {change.note}" if change.note else "Updated in the helpdesk."
        if change.status is not None and change.status != case.status:
            _set_status(case, change.status, detail)
        elif change.note:
            state.add_event(case, "update", None, detail=detail)
            state.tell([case.customer_id], case, None, f"Support on case {case.public_reference}: {change.note}")
        case.updated_at = clock.now()
    finally:
        _applying_inbound.reset(token)


def _set_status(case: Case, status: str, detail: str) -> None:
    resolving = status == CaseStatus.RESOLVED.value and case.is_open
    state.set_status(case, None, status, detail=detail)
    work.sync_thread_status(case)
    if resolving:
        case.thread.feedback_requested_at = None  # ask again: "Did this resolve your issue?"
        db.session.flush()
        feedback.request_feedback(case.thread)



def remember_external_ref(delivery: WebhookDelivery, answer: bytes) -> None:
    """A helpdesk may answer a delivery with `{"external_ref": "..."}`: its ticket id is kept on the case.

    The first one wins: a later answer naming another ticket never re-points a case.
    """
    if delivery.connector_id is None or delivery.case_id is None:
        return
    try:
        body = json.loads(answer or b"null")
    except ValueError:
        return
    ref = body.get("external_ref") if isinstance(body, dict) else None
    case = db.session.get(Case, delivery.case_id)
    if isinstance(ref, str) and 0 < len(ref.strip()) <= 200 and case is not None and case.external_ref is None:
        case.external_ref = ref.strip()
