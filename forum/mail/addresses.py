"""The addresses Horseshoe receives mail at, and the signed keys inside them.

A notification about a thread, case or conversation says "reply to reply+<key>@<domain>": the key
names the recipient's account, what they may answer and the message they answer, the day it was
issued, and an HMAC of all that under a key derived from the site's secret. Nobody can make one for
another account or another thread, and it stops working after mail.reply_key_days. Mail Horseshoe
sends leaves with the return path bounces+<email id>-<mac>@<domain> (VERP), so a delivery report
names the email, and so the address, that bounced. Keys are lowercase letters, digits and hyphens:
mail servers may change the case of a local part.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Category

REPLY_KINDS = {"t": "thread", "c": "case", "m": "conversation"}
_MAC_CHARS = 16  # 80 bits of base32
_REPLY_KEY = re.compile(r"([tcm])(\d{1,10})-(\d{1,10})-(\d{1,10})-(\d{1,6})-([a-z2-7]{16})")
_BOUNCE_KEY = re.compile(r"(\d{1,12})-([a-z2-7]{16})")


class BadKey(Exception):
    """A reply or bounce key that is not ours, was altered, or has expired; `reason` says which, in words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReplyKey:
    """Who may answer what by email: kind t/c/m (thread, case, conversation), its id, the message answered."""

    kind: str
    target_id: int
    answers_id: int  # the post, case message or conversation message the email was about; 0 when none
    user_id: int
    issued_day: int  # days since 1970-01-01 (UTC)

    @property
    def payload(self) -> str:
        return f"{self.kind}{self.target_id}-{self.answers_id}-{self.user_id}-{self.issued_day}"


def _secret(purpose: str) -> bytes:
    return hashlib.sha256(f"horseshoe-mail:{purpose}:{current_app.config['SECRET_KEY']}".encode()).digest()


def _mac(purpose: str, payload: str) -> str:
    digest = hmac.new(_secret(purpose), payload.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:_MAC_CHARS]


def mailbox() -> tuple[str, str]:
    """The local part and domain mail comes back to: HORSESHOE_MAIL_REPLY_ADDRESS, else reply@ the sender's domain."""
    settings = current_app.config["HORSESHOE"]
    address = parseaddr(settings.mail_reply_address)[1] or "reply@" + sender_domain()
    local, _, domain = address.rpartition("@")
    return local.lower(), domain.lower()


def sender_domain() -> str:
    return parseaddr(current_app.config["HORSESHOE"].mail_sender)[1].rpartition("@")[2].lower() or "horseshoe.local"


def today() -> int:
    return clock.now().date().toordinal() - 719163  # date(1970, 1, 1).toordinal()


def reply_key(user_id: int, kind: str, target_id: int, answers_id: int = 0) -> ReplyKey:
    if kind not in REPLY_KINDS:
        raise ValueError(f"unknown reply kind {kind!r}")
    return ReplyKey(kind, target_id, answers_id or 0, user_id, today())


def reply_address(key: ReplyKey) -> str:
    """reply+<payload>-<mac>@domain for this key."""
    local, domain = mailbox()
    return f"{local}+{key.payload}-{_mac('reply', key.payload)}@{domain}"


def bounce_address(email_id: int) -> str:
    """The return path (envelope sender) of one outbound email: its delivery reports come back here."""
    _, domain = mailbox()
    return f"bounces+{email_id}-{_mac('bounce', str(email_id))}@{domain}"


def detail_of(address: str, local: str) -> str | None:
    """The part after '+' when address is local+detail@ our domain (any case), else None."""
    own_local, domain = mailbox()
    name, _, at = parseaddr(address)[1].lower().rpartition("@")
    base, plus, detail = name.partition("+")
    if at != domain or base != local or not plus:
        return None
    return detail


def is_reply_address(address: str) -> bool:
    return detail_of(address, mailbox()[0]) is not None


def is_bounce_address(address: str) -> bool:
    return detail_of(address, "bounces") is not None


def parse_reply_key(detail: str, max_age_days: int) -> ReplyKey:
    """The key in reply+<detail>@, checked: BadKey('unknown' | 'forged' | 'expired') otherwise."""
    match = _REPLY_KEY.fullmatch(detail.lower())
    if match is None:
        raise BadKey("unknown")
    kind, target, answers, user, day, mac = match.groups()
    key = ReplyKey(kind, int(target), int(answers), int(user), int(day))
    if not hmac.compare_digest(mac, _mac("reply", key.payload)):
        raise BadKey("forged")
    if not 0 <= today() - key.issued_day <= max_age_days:
        raise BadKey("expired")
    return key


def parse_bounce_key(detail: str) -> int:
    """The outbound email id in bounces+<detail>@, checked; BadKey otherwise."""
    match = _BOUNCE_KEY.fullmatch(detail.lower())
    if match is None:
        raise BadKey("unknown")
    email_id, mac = match.groups()
    if not hmac.compare_digest(mac, _mac("bounce", email_id)):
        raise BadKey("forged")
    return int(email_id)


def is_own_address(address: str) -> bool:
    """Our sender address, or our reply and bounce mailboxes (no database needed; is_site_address adds the
    categories' addresses)."""
    address = parseaddr(address)[1].lower()
    if address == parseaddr(current_app.config["HORSESHOE"].mail_sender)[1].lower():
        return True
    local, domain = mailbox()
    name, _, at = address.rpartition("@")
    return at == domain and name.partition("+")[0] in {local, "bounces"}


def is_category_address(address: str) -> bool:
    """A category's own address (stored lowercase; forum.services.categories validates it so)."""
    address = parseaddr(address)[1].lower()
    return bool(address) and db.session.scalar(
        select(Category.id).where(Category.email_address == address).limit(1)) is not None


def is_site_address(address: str) -> bool:
    """Any address of this site's: mail from one is never answered (no loops between our own mailboxes)."""
    return is_own_address(address) or is_category_address(address)


def same_mailbox(column: ColumnElement[str], address: str) -> ColumnElement[bool]:
    """SQL: the stored address is this mailbox, in any case and under any +tag (victim+1@ reaches victim@).

    The hourly caps on what Horseshoe answers unasked (bounces, confirmation links, invitations) count per
    mailbox with this, so a flood of forged senders spelled differently cannot multiply them.
    """
    local, _, domain = address.lower().rpartition("@")
    base = local.partition("+")[0]
    variants = f"{_like_escaped(base)}+%@{_like_escaped(domain)}"
    return or_(func.lower(column) == f"{base}@{domain}", func.lower(column).like(variants, escape="\\"))


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
