"""POST /api/v1/integrations/mail/inbound: a mail provider hands over one message it received for the site.

For sites whose mail arrives at a provider (Mailgun, Postmark, Amazon SES and the like) that forwards
each message over HTTPS. The body is the raw RFC 5322 message itself (Content-Type message/rfc822 or
application/octet-stream), signed exactly like the helpdesk's inbound events: Horseshoe-Timestamp
(Unix seconds, within 5 minutes of now) and Horseshoe-Signature: v1=<hex HMAC-SHA256 of
"{timestamp}.{raw body}"> with HORSESHOE_MAIL_INBOUND_SECRET; with no secret set, every request is
refused. The signature is the credential: no session or token (and no CSRF: a browser cannot sign).
The same body a second time is a replay and refused with 401 as well; it is never stored twice.

The body may be as large as mail.max_message_mb, far above the API's usual limit, so this route raises
the limit for itself before reading a byte, after the signature headers are there.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, current_app, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import SQLAlchemyError

from forum.core.errors import DomainError, Invalid, NotAuthenticated
from forum.core.i18n import N_, _
from forum.http import openapi
from forum.http.api import bp
from forum.http.api_requests import UnsupportedMediaType
from forum.http.problems import problem
from forum.http.standing import open_while
from forum.integrations.api.helpdesk import signature_params
from forum.integrations.helpdesk import refuse_stale, signature_headers, signed_with
from forum.mail import inbound
from forum.mail.listener import max_message_bytes, megabytes
from forum.models import InboundChannel
from forum.services.permissions import Restriction

log = logging.getLogger(__name__)

MEDIA_TYPES = ("message/rfc822", "application/octet-stream")
RETRY_AFTER_S = 60


class MessageTooLarge(DomainError):
    status = 413
    title = N_("Message too large")


@bp.post("/integrations/mail/inbound")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def receive_inbound_mail():
    """204 once stored and queued; 401 for no secret here, a bad or missing signature, a stale timestamp or a replay.

    Open whatever the standing of a token sent along: the signature decides, never the caller's account. A
    database that is locked or down is a 503 with Retry-After, so the provider sends the message again.
    """
    try:
        received = inbound.receive(_signed_message(), InboundChannel.API)
    except SQLAlchemyError:
        log.exception("inbound mail API: could not store a message")
        return problem(503, N_("Service unavailable"),
                       _("The message could not be stored just now: send it again later."),
                       Retry_After=str(RETRY_AFTER_S))
    if received.duplicate:
        raise NotAuthenticated(_("This message was already received: replays are refused."))
    return Response(status=204)


def _signed_message() -> bytes:
    raw = _signed_body()
    if request.mimetype not in MEDIA_TYPES:
        raise UnsupportedMediaType(_("Send the raw message with Content-Type %(first)s or %(second)s.",
                                      first=MEDIA_TYPES[0], second=MEDIA_TYPES[1]))
    if not raw.strip():
        raise Invalid({"body": [_("Send the raw message (RFC 5322: headers, a blank line, the body).")]})
    return raw


def _signed_body() -> bytes:
    """The body, once it is proven to come from the holder of the secret, fresh; NotAuthenticated otherwise."""
    secret = current_app.config["HORSESHOE"].mail_inbound_secret
    if not secret:
        raise NotAuthenticated(_("This site takes no mail over the API (HORSESHOE_MAIL_INBOUND_SECRET is not set)."))
    stamp, offered = signature_headers(request.headers, "message")
    limit = max_message_bytes()
    if (request.content_length or 0) > limit:
        raise MessageTooLarge(_("The message is larger than this community accepts (%(mb)s MB).", mb=megabytes(limit)))
    request.max_content_length = limit  # a body sent without a length stops at the limit too (413)
    raw = request.get_data(cache=True)
    if not signed_with(secret, stamp, raw, offered):
        raise NotAuthenticated(_("The signature does not match HORSESHOE_MAIL_INBOUND_SECRET."))
    refuse_stale(stamp)
    return raw


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    headers = signature_params("HORSESHOE_MAIL_INBOUND_SECRET")
    operation = o.operation(
        "Hand over one email received for this site (the raw RFC 5322 message as the body), stored and handled "
        "as mail to the site's addresses by the worker; 401 when the site has no inbound secret, for a bad or "
        "missing signature, a stale timestamp, or a message already received (a replay); 413 above the "
        "community's largest email (mail.max_message_mb); 503 when it could not be stored (send it again)",
        (204, "Stored; the worker handles it", None), (400, 401, 413, 415, 422, 429), params=headers,
        public=True,
    )
    raw = {"schema": {"type": "string", "contentMediaType": "message/rfc822"}}
    operation["requestBody"] = {"required": True, "content": {media: raw for media in MEDIA_TYPES}}
    operation["responses"]["503"] = {
        "description": "The message could not be stored just now; send it again after Retry-After seconds.",
        "headers": {"Retry-After": {"description": "Seconds to wait before sending again.",
                                    "schema": {"type": "integer", "minimum": 1}}},
        "content": {"application/problem+json": {"schema": o.ref("Problem")}},
    }
    operation["security"] = [{}]
    return {"/integrations/mail/inbound": {"post": operation}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add this route to the served OpenAPI document (as the helpdesk's inbound route does)."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
