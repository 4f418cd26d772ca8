"""A category's address: mail to it opens a question in that category, as its sender (issue 24, item 2).

Who wrote it: the account whose email is the From address. A From line is easy to forge, so a
message is trusted only when the receiving mail server's Authentication-Results (read by
forum.mail.parsing) show DKIM or DMARC pass for that address. A trusted message from a member is
published at once (forum.mail.asking: the web's content checks, sandbox and rate limit apply) and
its sender gets a receipt with the link. Any other message waits for its sender to follow an emailed
link (forum.mail.confirmations), which publishes it and proves the mailbox. So does a message in
which the personal-data guard finds something, trusted or not: on the web the guard asks before
publishing, and by email the confirmation page asks the same question.

An unknown sender gets a staged account (forum.mail.staging) when the admin allows it and the
address's domain is not blocked; otherwise an invitation to sign up (at most one an hour per
address), and nothing is published. Suspended accounts, accounts whose address is not confirmed
(when the community asks for that) and anonymised ones get a refusal (forum.mail.refusals).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.core import clock, i18n
from forum.core.extensions import db
from forum.core.i18n import N_, _l
from forum.mail import addresses, asking, confirmations, refusals, staging
from forum.mail.message import InboundMessage
from forum.mail.sending import absolute_url, queue_email
from forum.models import Category, InboundMail, InboundStatus, OutboundEmail, User

INVITATION_SUBJECT = N_("Sign up to ask by email")  # to an address with no account: English, always
INVITATIONS_EVERY = timedelta(hours=1)  # at most one invitation an hour to one address
REGISTER_PATH = "/auth/register"
ASK_PATH = "/ask"  # the web's ask page (threads.new), where the form shows what to change


def handle(message: InboundMessage, category: Category, mail: InboundMail) -> None:
    """Open a question in category from mail sent to its address, or ask the sender to confirm it first."""
    draft = asking.draft_of(message)
    mail.category_id, mail.body_text = category.id, draft.body
    trusted = message.authentication.vouches_for(message.from_address)
    user = _sender(message, trusted)
    if user is None:
        invite(message, mail, category)
        return
    mail.user_id = user.id
    db.session.commit()  # the account (a new staged one) stays, whatever becomes of the question
    why = asking.standing_refusal(user)
    if why is None and not draft.body:
        why = "empty_question"
    with i18n.reading_as(user.language, user.time_zone):  # what the checks say reaches the sender in their words
        if why is not None:
            refusals.refuse(message, mail, why)
        elif not trusted or draft.personal_data():
            confirmations.hold(message, mail, user, category, draft)
        else:
            _publish(message, mail, user, category, draft)
    db.session.commit()


def _sender(message: InboundMessage, trusted: bool) -> User | None:
    """The sender's account: the member with this address, else a new staged one when allowed, else None.

    A staged account whose owner has not proved the address yet is proven by a vouched-for message.
    """
    user = staging.member_for(message.from_address)
    if user is None and staging.may_stage(message.from_address):
        user = staging.stage_account(message.from_address, message.from_name, verified=trusted)
    if user is not None and trusted and user.staged_at is not None:
        staging.mark_verified(user)
    return user


def _publish(message: InboundMessage, mail: InboundMail, user: User, category: Category,
             draft: asking.Draft) -> None:
    outcome = asking.publish(user, category, message, mail, draft)
    if outcome.thread is None:
        refusals.refuse(message, mail, outcome.refusal, detail=outcome.detail, user_id=user.id,
                        category_id=category.id, link=f"{ASK_PATH}?category={category.id}",
                        link_label=_l("Ask on the website"), **(outcome.context or {}))
        return
    asking.send_receipt(user, outcome.thread, message)


def invite(message: InboundMessage, mail: InboundMail, category: Category) -> None:
    """No account, and none may be made: invite the sender to sign up (once an hour at most); commits."""
    address = message.from_address
    unanswered = refusals.why_not_answered(message, mail)
    invited = unanswered is None and not _invited_lately(address)
    if invited:
        queue_email(address, _l(INVITATION_SUBJECT), "mail_signup_invitation", answering=message.message_id,
                    name=message.from_name, category=category, their_subject=message.subject,
                    link=absolute_url(REGISTER_PATH))
    why = unanswered or "one was sent to this address within the hour"
    mail.settle(InboundStatus.REFUSED, "No account for this address, and none may be made for it: "
                + ("invited to sign up." if invited else f"no invitation sent ({why})."))
    db.session.commit()


def _invited_lately(address: str) -> bool:
    return bool(db.session.scalar(select(func.count(OutboundEmail.id)).where(
        addresses.same_mailbox(OutboundEmail.to_address, address), OutboundEmail.subject == INVITATION_SUBJECT,
        OutboundEmail.created_at >= clock.now() - INVITATIONS_EVERY)))
