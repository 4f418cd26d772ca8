"""POST /integrations/cases/events: an external helpdesk updates a case (HMAC-signed, no cookie or token).

The signature is the credential, so the route needs no session (and CSRF does not apply: a
forged browser request cannot sign). The service checks signature, timestamp and replay first.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.blueprints import BlueprintSetupState

from forum.core.i18n import _
from forum.http import openapi
from forum.http.api import bp
from forum.http.api_requests import UnsupportedMediaType
from forum.http.standing import open_while
from forum.integrations import helpdesk
from forum.integrations.helpdesk import INBOUND_STATUSES, INBOUND_TYPES
from forum.services.permissions import Restriction


@bp.post("/integrations/cases/events")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def apply_case_event():
    """204 once applied; 401 for a bad signature, a stale timestamp or a replayed event id.

    Open whatever the standing of a token sent along: the signature decides, never the caller's account.
    """
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send a JSON body with Content-Type: application/json."))
    helpdesk.apply_inbound_event(request.get_data(cache=True), request.headers)
    return Response(status=204)


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    data = o.obj(
        {"external_ref": {"type": "string", "maxLength": 200, "description": "The helpdesk's ticket id."},
         "case_id": {"type": "integer", "minimum": 1,
                     "description": "Our case id, on first contact; the external_ref is then remembered."},
         "status": {"enum": list(INBOUND_STATUSES)},
         "note": {"type": "string", "maxLength": 2000, "description": "Public: on the case timeline and told to "
                                                                       "the customer."},
         "resolution": {"type": "string", "description": "How it was solved (kept on the case)."}},
    )
    event = o.obj({"id": o.STRING, "type": {"enum": list(INBOUND_TYPES)}, "created_at": o.TIME, "data": data},
                  ["id", "type", "data"])
    headers = [
        {"name": "Horseshoe-Event-Id", "in": "header", "required": True, "schema": o.STRING,
         "description": "Unique per event; an id already applied is refused (401)."},
        *signature_params("the connector's secret"),
    ]
    operation = o.operation(
        "Apply a helpdesk's case event (status, public note, resolution) to the case named by external_ref "
        "(or case_id on first contact) in the connector's categories; 401 for a bad signature, stale timestamp "
        "or replayed id; 404 when no such case; 409 when reopening is impossible or the case is linked to "
        "another ticket", (204, "Applied", None), (400, 401, 404, 409, 413, 415, 422), body=event, params=headers,
        public=True,
    )
    operation["security"] = [{}]
    return {"/integrations/cases/events": {"post": operation}}


def signature_params(secret: str) -> list[dict[str, Any]]:
    """The two headers of the signing scheme every inbound integration shares (helpdesk events, mail)."""
    return [
        {"name": "Horseshoe-Timestamp", "in": "header", "required": True, "schema": openapi.STRING,
         "description": "Unix seconds; more than 5 minutes from now is refused (401)."},
        {"name": "Horseshoe-Signature", "in": "header", "required": True, "schema": openapi.STRING,
         "description": f"v1=<hex HMAC-SHA256 of \"{{timestamp}}.{{raw body}}\" with {secret}>."},
    ]


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add this route to the served OpenAPI document (as recognition.py does for its own)."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
