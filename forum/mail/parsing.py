"""Raw MIME to forum.mail.message.InboundMessage: the one place that reads an email's bytes.

Mail arrives from anyone, so nothing here trusts it: every header is read on its own and one that cannot
be read counts as missing, a charset Python does not know falls back to UTF-8, and `parse` returns what it
could read rather than raising (the router then refuses what is unusable: no sender, no words). The new
words of a reply come from mail-parser-reply (quotes and signatures of many clients and languages), HTML
becomes text through inscriptis (layout kept, scripts and styles dropped, nothing run), and the
receiving server's Authentication-Results are read with authres, believing only the header that server
wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email import policy
from email.message import Message
from email.parser import BytesParser

import authres
from flask import current_app, has_app_context
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig
from mailparser_reply import EmailMessage as ReplyText
from mailparser_reply import EmailReply

from forum.mail import mime
from forum.mail.message import Authentication, DeliveryReport, InboundMessage, MailAttachment

# The reply parser's languages. Left out on purpose: "da" (its sign-offs "Tak" and "Kh" match "Take" and
# "Khan" at the start of any line), "sv" (a line starting "/word", a pasted path, counts as a signature)
# and "pl" (one line starting "Data:" or "Do:" counts as a quoted header). It has no Portuguese.
REPLY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "cs", "ja", "ko", "zh")
# Strict: no padding around divs and spans, which mail HTML nests deeply. Links keep their target as
# Markdown ([text](url)); posts are rendered by forum.services.markup, which drops unsafe schemes.
_HTML_TO_TEXT = ParserConfig(css=CSS_PROFILES["strict"], display_links=True)
_MAX_SIGNATURE_TRIES = 10
# The reply parser reads this much of the text (its many patterns take seconds on megabytes): the new words
# sit above the quote, and a post holds 64 KB at most (forum.services.posting).
_REPLY_WINDOW = 128 * 1024
# The HTML turned into text, all HTML parts together: inscriptis lays tables out at seconds per megabyte, and a
# message is read in the worker and again by each view of its confirmation page. What a post can hold (64 KB)
# sits near the top; pictures pasted inline (data: URIs, megabytes each) are dropped first, so the words after
# them still count.
_HTML_CHARS = 512 * 1024
_DATA_URI = re.compile(r"""data:[^"'\s<>):]{256,}""", re.IGNORECASE)  # no ':' inside: linear time
SUBJECT_CHARS = 200
MAX_RECIPIENTS = 100  # as many as an SMTP server must accept for one message (RFC 5321 4.5.3.1.8)
REASON_CHARS = 300

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SENTENCE_END = re.compile(r"[.!?](\s|$)")
_SMTP_CODE = re.compile(r"\b[45]\d\d[ -]+[45]\.\d{1,3}\.\d{1,3}\b.*")
_PRECEDENCE = {"bulk": "bulk", "junk": "bulk", "list": "mailing list", "auto_reply": "auto-replied"}
_SUPPRESS = {"all", "oof", "autoreply"}


def parse(raw: bytes, envelope_recipients: Sequence[str] = (), *,
          trusted_authserv_id: str | None = None, believe_topmost: bool = True) -> InboundMessage:
    """Read one raw message; never raises. Unreadable parts come back empty ("" sender, no text).

    trusted_authserv_id names the mail server whose Authentication-Results count; None reads
    HORSESHOE_MAIL_AUTHSERV_ID when an app is running, and "" believes only the topmost header, or none
    at all without believe_topmost: only a way in that always writes a header of its own (the built-in
    listener does) makes the topmost one the receiving server's. A mail server's pipe without a DKIM
    milter, or a provider, adds none, and then the topmost is whatever the sender wrote.
    """
    msg = mime.read(raw)
    leaves = list(mime.leaves(msg))
    full_text = _body_text(leaves)
    from_name, from_address = _sender(msg)
    if trusted_authserv_id is None:
        trusted_authserv_id = _configured_authserv_id()
    report = _delivery_report(msg, leaves, full_text)
    return InboundMessage(
        size=len(raw), message_id=_first_id(mime.header(msg, "Message-ID")),
        from_address=from_address, from_name=from_name,
        recipients=_recipients(msg, envelope_recipients), envelope_recipients=_envelope(envelope_recipients),
        subject=mime.one_line(mime.header(msg, "Subject"), SUBJECT_CHARS),
        in_reply_to=_first_id(mime.header(msg, "In-Reply-To")),
        references=tuple(_MESSAGE_ID.findall(mime.header(msg, "References"))),
        text=_new_words(full_text), full_text=full_text,
        attachments=tuple(a for a in map(_attachment, leaves) if a is not None),
        automatic=_automatic(msg, report), delivery_report=report,
        authentication=_authentication(msg, trusted_authserv_id, believe_topmost),
    )


# --- who wrote to whom


def _first_id(value: str) -> str:
    """The first <msg-id>; a bare id-left@id-right without its brackets (some old clients) gets them."""
    found = _MESSAGE_ID.search(value)
    if found:
        return found.group()
    return f"<{value.strip()}>" if re.fullmatch(r"[^<>()\s@]+@[^<>()\s@]+", value.strip()) else ""


def _sender(msg: Message) -> tuple[str, str]:
    found = mime.addresses(msg, "From")
    return (mime.one_line(found[0][0], SUBJECT_CHARS), found[0][1]) if found else ("", "")


def _recipients(msg: Message, envelope: Sequence[str]) -> tuple[str, ...]:
    """Envelope first (Bcc and forwarded mail name the real recipient only there), then the headers; the first
    MAX_RECIPIENTS only: headers can name tens of thousands, which the router would look up (and a bounce list)."""
    found = list(_envelope(envelope))
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        found += [address for _, address in mime.addresses(msg, name)]
    return tuple(dict.fromkeys(found))[:MAX_RECIPIENTS]


def _envelope(envelope: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(mime.bare(a) for a in envelope if isinstance(a, str) and "@" in a))[:MAX_RECIPIENTS]


def _configured_authserv_id() -> str:
    if not has_app_context():
        return ""
    return current_app.config["HORSESHOE"].mail_authserv_id or ""


# --- the text


def _is_body(part: Message, content_type: str) -> bool:
    try:
        return (part.get_content_type() == content_type and part.get_content_disposition() != "attachment"
                and not mime.filename(part))
    except Exception:
        return False


def _html_to_text(html: str) -> str:
    try:
        return get_text(html, _HTML_TO_TEXT)
    except Exception:  # lxml refuses some documents outright; then there is no text
        return ""


def _html_texts(parts: list[Message]) -> list[str]:
    """Each HTML part as text, reading at most _HTML_CHARS of HTML in all (inline pictures left out)."""
    budget, texts = _HTML_CHARS, []
    for part in parts:
        if budget <= 0:
            break
        html = _DATA_URI.sub("data:", mime.decoded(part))[:budget]
        budget -= len(html)
        texts.append(_html_to_text(html))
    return texts


def _body_text(leaves: list[Message]) -> str:
    """The text/plain parts (Apple Mail splits one body around inline pictures), else the HTML as text."""
    plain = [mime.decoded(p) for p in leaves if _is_body(p, "text/plain")]
    if any(t.strip() for t in plain):
        text = "\n".join(plain)
    else:
        text = "\n".join(_html_texts([p for p in leaves if _is_body(p, "text/html")]))
    return mime.clean(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _new_words(full_text: str) -> str:
    """The reply above the quote, without its signature; "" when the sender wrote nothing above the quote.

    An empty result is kept empty on purpose (the router refuses an empty reply and says why) rather
    than posting the quoted text back into the thread.
    """
    if not full_text:
        return ""
    try:
        window = full_text[:_REPLY_WINDOW]
        message = ReplyText(text=window, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True).read()
        first = message.replies[0]
        if first.headers:  # the text starts with a quote header: nothing new above it
            return ""
        if len(window) < len(full_text) and len(message.replies) == 1:
            return full_text  # no quote near the top of a very long text: all of it is new (and too long to post)
        signature = _signature(message, first.content)
        return EmailReply(content=first.content, signatures=signature, disclaimers=first.disclaimers).body
    except Exception:  # a reply parser failure keeps everything rather than losing the sender's words
        return full_text


def _signature(message: ReplyText, content: str) -> str:
    """The parser's signature, if it starts with a real sign-off ("-- ", "Best regards,", "Sent from my...").

    Its sign-off words also begin ordinary sentences ("Thanks, that fixed it. But..."), and a signature
    runs to the end of the text: a line that reads like a sentence is skipped and the next match tried.
    """
    position = 0
    for _ in range(_MAX_SIGNATURE_TRIES):
        found = message.SIGNATURE_REGEX.search(content, position)
        if found is None:
            return ""
        first_line = found.group().strip().split("\n", 1)[0].lstrip("> ").strip()
        if re.fullmatch(r"[-_]{2,}", first_line) or (
                len(first_line.split()) <= 6 and not _SENTENCE_END.search(first_line)):
            return found.group()
        start = found.start() + len(found.group()) - len(found.group().lstrip())
        position = content.find("\n", start) + 1
        if position == 0:
            return ""
    return ""


def _attachment(part: Message) -> MailAttachment | None:
    """A part with a file name that is not the body; attached messages as their bytes (a .eml file)."""
    filename = mime.filename(part)
    if not filename:
        return None
    try:
        if part.get_content_maintype() == "message":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else None
        else:
            data = part.get_payload(decode=True)
        content_type = part.get_content_type()
    except Exception:
        return None
    return MailAttachment(filename, content_type, data) if isinstance(data, bytes) else None


# --- automatic mail and delivery reports


def _automatic(msg: Message, report: DeliveryReport | None) -> str:
    """Why nobody should answer this message, in a word or two; "" for mail a person wrote."""
    report_type = _report_type(msg)
    if report is not None or report_type == "delivery-status":
        return "delivery report"
    if report_type:
        return "read receipt" if report_type == "disposition-notification" else "report"
    return next((reason for check in _AUTOMATIC_CHECKS if (reason := check(msg))), "")


def _auto_submitted(msg: Message) -> str:
    """RFC 3834: anything but "no" is automatic; the value itself ("auto-replied") is the reason."""
    value = mime.header(msg, "Auto-Submitted").strip().lower()
    keyword = re.match(r"[a-z-]{1,30}", value)  # "auto-replied (vacation)", "auto-generated; owner=..."
    if not value or (keyword and keyword.group() == "no"):
        return ""
    return keyword.group() if keyword and keyword.group().startswith("auto-") else "automatic"


def _autoreply(msg: Message) -> str:
    flagged = (mime.header(msg, name).strip().lower() not in ("", "no") for name in ("X-Autoreply", "X-Autorespond"))
    return "auto-replied" if any(flagged) else ""


def _precedence(msg: Message) -> str:
    return _PRECEDENCE.get(mime.header(msg, "Precedence").strip().lower(), "")


def _no_auto_replies(msg: Message) -> str:
    """Exchange marks its out-of-office and system mail X-Auto-Response-Suppress: All (or OOF, AutoReply)."""
    tokens = {token.strip().lower() for token in mime.header(msg, "X-Auto-Response-Suppress").split(",")}
    return "automatic" if tokens & _SUPPRESS else ""


def _mailing_list(msg: Message) -> str:
    return "mailing list" if mime.header(msg, "List-Id") or mime.header(msg, "List-Unsubscribe") else ""


def _null_sender(msg: Message) -> str:
    return "null sender" if "".join(mime.header(msg, "Return-Path").split()) == "<>" else ""


_AUTOMATIC_CHECKS = (_auto_submitted, _autoreply, _precedence, _no_auto_replies, _mailing_list, _null_sender)


def _report_type(msg: Message) -> str:
    try:
        if msg.get_content_type() != "multipart/report":
            return ""
        return str(msg.get_param("report-type", "") or "").strip().lower() or "report"
    except Exception:
        return ""


def _delivery_report(msg: Message, leaves: list[Message], text: str) -> DeliveryReport | None:
    """An RFC 3464 report (its message/delivery-status part), else an Exim-style X-Failed-Recipients bounce."""
    status = next((p for p in leaves if mime.content_type(p) == "message/delivery-status"), None)
    if status is not None:
        return _dsn(_status_blocks(status))
    failed = tuple(dict.fromkeys(address for _, address in mime.addresses(msg, "X-Failed-Recipients")))
    if not failed:
        return None
    diagnostic = _SMTP_CODE.search(text)
    reason = diagnostic.group() if diagnostic else "delivery failed"
    return DeliveryReport(failed, mime.one_line(reason, REASON_CHARS), permanent=True)


def _status_blocks(part: Message) -> list[Message]:
    """The field groups of a delivery-status part; the stdlib splits them unless the part was encoded."""
    try:
        payload = part.get_payload()
        if isinstance(payload, list):
            return [block for block in payload if isinstance(block, Message)]
        text = mime.decoded(part).replace("\r\n", "\n")
    except Exception:
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(block.encode("utf-8", "replace"), headersonly=True)
            for block in re.split(r"\n\s*\n", text) if block.strip()]


def _dsn(blocks: list[Message]) -> DeliveryReport:
    """Failed recipients (Action: failed), permanent when a status is 5.x.x; the first failure's diagnostic."""
    failed: list[str] = []
    permanent = False
    reasons: list[tuple[bool, str]] = []
    for block in blocks:
        address = _dsn_field(block, "Original-Recipient") or _dsn_field(block, "Final-Recipient")
        if not address:
            continue  # the per-message group (Reporting-MTA, Arrival-Date)
        status = mime.header(block, "Status").strip()
        is_failure = mime.header(block, "Action").strip().lower() == "failed"
        if is_failure:
            failed.append(address.strip("<>"))
            permanent = permanent or status.startswith("5")
        reasons.append((not is_failure, _dsn_field(block, "Diagnostic-Code", lower=False) or status))
    reason = min(reasons, key=lambda r: r[0])[1] if reasons else ""
    return DeliveryReport(tuple(dict.fromkeys(failed)), mime.one_line(reason, REASON_CHARS), permanent)


def _dsn_field(block: Message, name: str, lower: bool = True) -> str:
    """A typed DSN field ("rfc822; bob@example.org", "smtp; 550 ...") without its type."""
    value = mime.header(block, name)
    kind, separator, rest = value.partition(";")
    value = rest if separator and re.fullmatch(r"\s*[\w.-]+\s*", kind) else value
    value = " ".join(value.split())
    return value.lower() if lower else value


# --- who vouches for the sender


def _authentication(msg: Message, trusted_authserv_id: str, believe_topmost: bool) -> Authentication:
    """DKIM and DMARC passes from the receiving server's Authentication-Results only.

    Anyone can write an Authentication-Results header into a message they send; only the one added by
    our own receiving server counts: those naming its authserv-id when that is configured, else the
    topmost one (a server prepends its own above whatever the sender forged) when the way in is known
    to add one (believe_topmost), else none.
    """
    headers = [_auth_results(str(value)) for value in mime.values(msg, "Authentication-Results")]
    wanted = trusted_authserv_id.strip().lower()
    if wanted:
        trusted = [h for h in headers if h is not None and h.authserv_id == wanted]
    else:
        trusted = headers[:1] if believe_topmost else []
    dkim: list[str] = []
    dmarc: list[str] = []
    for header in trusted:
        for result in header.results if header is not None else []:
            method, outcome = str(result.method).lower(), str(result.result).lower()
            if outcome == "pass" and method == "dkim":
                dkim.append(_property(result, "d") or _property(result, "i").rpartition("@")[2])
            elif outcome == "pass" and method == "dmarc":
                dmarc.append(_property(result, "from").rpartition("@")[2])
    return Authentication(tuple(dict.fromkeys(d for d in dkim if d)), tuple(dict.fromkeys(d for d in dmarc if d)))


def _auth_results(value: str):
    try:
        return authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
    except Exception:  # authres.AuthResError, and whatever a hostile value does to its parser
        return None


def _property(result, name: str) -> str:
    """A header.<name> property of one result, lowercased; "" when absent."""
    for prop in getattr(result, "properties", None) or []:
        if str(prop.type).lower() == "header" and str(prop.name).lower() == name:
            return str(prop.value or "").strip().lower()
    return ""
