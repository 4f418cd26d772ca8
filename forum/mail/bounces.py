"""Delivery reports (bounces) counted per address, so Horseshoe stops writing to an address that takes no mail.

Every email leaves with the return path bounces+<email id>-<mac>@ (VERP, forum.mail.sending), so its
report comes back naming the email, and so the address it went to, whatever the report itself says
(reports are often vague, or name a forwarded address). A permanent failure (5.x.x) counts against the
address; a delay (4.x.x) is recorded on the received mail but not counted. At mail.bounce_threshold the
address is suppressed: notifications and digests to it stop (queue_email refuses non-essential mail),
its owner sees a banner on every page, and their "Try again" (reset) starts the count afresh. Sign-in,
security and own-data mail is always attempted. Counts belong to the address, not the account: a member
who changes their address starts clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, and_, case, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum.core import clock
from forum.core.extensions import db
from forum.mail.message import InboundMessage
from forum.models import InboundMail, InboundStatus, MailAddressHealth, OutboundEmail, User
from forum.services import community_settings

_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
_REASON_CHARS = 120  # of the report's diagnostic, in the one-line outcome


@dataclass(frozen=True)
class Suppression:
    """An address Horseshoe stopped writing to, for its owner's banner."""

    address: str
    bounces: int


def record_report(message: InboundMessage, email_id: int, mail: InboundMail) -> None:
    """Record a delivery report for outbound email email_id on mail (BOUNCE or IGNORED, in words); commits.

    The caller (forum.mail.inbound) has checked the bounce address's mac, so email_id is one we sent.
    A permanent failure counts against the address the email went to; a report handled already (a
    retried job) counts nothing twice.
    """
    if mail.status == InboundStatus.BOUNCE.value:
        return
    report = message.delivery_report
    email = db.session.get(OutboundEmail, email_id)
    if email is None:
        _settle(mail, InboundStatus.IGNORED, f"A delivery report about email {email_id}, which is gone: ignored.")
    elif report is None:
        _settle(mail, InboundStatus.IGNORED,
                f"Mail to the return path of email {email_id} that is no delivery report: ignored.")
    elif not report.permanent:
        _settle(mail, InboundStatus.BOUNCE,
                f"Delivery to {email.to_address} is delayed, not failed ({_short(report.reason)}); not counted.")
    else:
        count, stopped = _count_bounce(email.to_address.lower(), report.reason)
        words = f"Email to {email.to_address} bounced ({_short(report.reason)}): bounce {count}"
        _settle(mail, InboundStatus.BOUNCE, words + ("; notifications to it stopped." if stopped else "."))
    db.session.commit()


def _short(reason: str) -> str:
    reason = " ".join(reason.split()) or "no reason given"
    return reason if len(reason) <= _REASON_CHARS else reason[:_REASON_CHARS - 1] + "…"


def _settle(mail: InboundMail, status: InboundStatus, outcome: str) -> None:
    mail.status, mail.outcome = status.value, outcome[:300]
    mail.processed_at, mail.raw = clock.now(), None


def _count_bounce(address: str, reason: str) -> tuple[int, bool]:
    """One more permanent bounce for address, by atomic SQL (two reports at once both count); suppress it at
    the threshold. Returns the count and whether the address is suppressed now."""
    table = MailAddressHealth.__table__
    db.session.execute(
        _INSERTS[db.session.get_bind().dialect.name](table)
        .values(address=address, bounce_count=0, last_reason="")
        .on_conflict_do_nothing(index_elements=[table.c.address])
    )
    now = clock.now()
    threshold = community_settings.cached_setting("mail.bounce_threshold")
    reaching = and_(MailAddressHealth.suppressed_at.is_(None), MailAddressHealth.bounce_count + 1 >= threshold)
    count, suppressed_at = db.session.execute(
        update(MailAddressHealth).where(MailAddressHealth.address == address)
        .values(bounce_count=MailAddressHealth.bounce_count + 1, last_bounced_at=now, last_reason=reason[:2000],
                suppressed_at=case((reaching, now), else_=MailAddressHealth.suppressed_at))
        .returning(MailAddressHealth.bounce_count, MailAddressHealth.suppressed_at),
        execution_options={"synchronize_session": False},
    ).one()
    return count, suppressed_at is not None


def is_suppressed(address: str) -> bool:
    """Whether non-essential mail to address stops (one indexed lookup)."""
    return db.session.scalar(
        select(MailAddressHealth.id).where(MailAddressHealth.address == address.strip().lower(),
                                           MailAddressHealth.suppressed_at.is_not(None))
    ) is not None


def suppressed_among(addresses: Iterable[str]) -> set[str]:
    """The addresses (lowercased) of these that are suppressed, in one query: for a batch of emails."""
    wanted = {address.strip().lower() for address in addresses}
    if not wanted:
        return set()
    return set(db.session.scalars(
        select(MailAddressHealth.address).where(MailAddressHealth.address.in_(wanted),
                                                MailAddressHealth.suppressed_at.is_not(None))
    ))


def suppressed(email_column: ColumnElement[str]) -> ColumnElement[bool]:
    """A condition for queries over accounts: mail to this address column is suppressed (the digest sweeps
    leave those members out in their own statement, instead of one lookup per member)."""
    return exists().where(MailAddressHealth.address == func.lower(email_column),
                          MailAddressHealth.suppressed_at.is_not(None))


def suppressed_bounces(user_id_column: ColumnElement[int]) -> ScalarSelect[int]:
    """The bounce count of the account's address when it is suppressed (else NULL), as a scalar subquery
    the statement that reads the account can carry: the banner then costs no query of its own."""
    return (
        select(MailAddressHealth.bounce_count)
        .join(User, MailAddressHealth.address == func.lower(User.email))
        .where(User.id == user_id_column, MailAddressHealth.suppressed_at.is_not(None))
        .correlate_except(MailAddressHealth, User)
        .scalar_subquery()
    )


def suppression_of(user: User) -> Suppression | None:
    """The member's current address, when Horseshoe stopped writing to it."""
    count = db.session.scalar(
        select(MailAddressHealth.bounce_count).where(MailAddressHealth.address == user.email.lower(),
                                                     MailAddressHealth.suppressed_at.is_not(None)))
    return Suppression(user.email, count) if count is not None else None


def reset(user: User) -> bool:
    """"Try again": the member's current address gets notifications again, and its count starts afresh; commits.

    Returns whether anything changed. Its mail still bounces? The count reaches the threshold again.
    """
    changed = db.session.execute(
        update(MailAddressHealth)
        .where(MailAddressHealth.address == user.email.lower(),
               (MailAddressHealth.bounce_count > 0) | MailAddressHealth.suppressed_at.is_not(None))
        .values(bounce_count=0, suppressed_at=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return bool(changed)
