"""What the rest of Horseshoe knows of one received email, once parsed (forum.mail.parsing makes these).

Plain data, no Flask: the router (forum.mail.inbound) and the handlers for replies, questions and
delivery reports read these fields and never the raw MIME.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str  # as declared by the sender; uploads sniff the bytes themselves
    data: bytes


@dataclass(frozen=True)
class DeliveryReport:
    """A bounce (RFC 3464 DSN, or a recognisable non-standard one): which addresses failed, and why."""

    failed_recipients: tuple[str, ...]
    reason: str  # the diagnostic in one line, for staff and the address's owner
    permanent: bool  # 5.x.x: a hard bounce; 4.x.x (delayed) is not counted


@dataclass(frozen=True)
class Authentication:
    """What the receiving mail server said about the sender (Authentication-Results, RFC 8601)."""

    dkim_pass_domains: tuple[str, ...] = ()  # header.d of each dkim=pass
    dmarc_pass_from: tuple[str, ...] = ()  # header.from of each dmarc=pass

    def vouches_for(self, address: str) -> bool:
        """DKIM (by the address's domain or a parent of it) or DMARC passed for this address's domain."""
        domain = address.rpartition("@")[2].lower()
        if not domain:
            return False
        if domain in self.dmarc_pass_from:
            return True
        return any(domain == d or domain.endswith("." + d) for d in self.dkim_pass_domains)


@dataclass(frozen=True)
class InboundMessage:
    size: int  # bytes of the raw message
    message_id: str  # with its angle brackets, or ""
    from_address: str  # the From addr-spec, lowercased; "" when missing or unreadable
    from_name: str
    recipients: tuple[str, ...]  # envelope recipients first, then Delivered-To, To and Cc; lowercased, unique
    subject: str  # one line, decoded
    in_reply_to: str
    references: tuple[str, ...]
    text: str  # the new words: quoted text and signature removed; HTML-only mail turned into safe text
    full_text: str  # the whole text part before that, for staff and for a question's body when nothing is quoted
    attachments: tuple[MailAttachment, ...] = ()
    automatic: str = ""  # why this is an automatic message never to be answered ("auto-replied", "bulk"...); "" if not
    delivery_report: DeliveryReport | None = None
    authentication: Authentication = field(default_factory=Authentication)
    envelope_recipients: tuple[str, ...] = ()  # the envelope's alone (SMTP RCPT TO, the pipe's --recipient), as above
