"""Replying by email to a service case: real messages received, routed by the worker, and the case's messages.

A customer's reply is always customer-visible; an agent's reply keeps the visibility of the message its email
was about (answering a colleague's internal note stays internal); strangers, and everyone on a closed case, get
a bounce and nothing is posted. The assignee hears of the customer's messages and of colleagues' notes, so
they can answer by email; the customer never hears of a note.
"""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.extensions import db
from forum.mail import addresses, case_replies, inbound
from forum.models import (
    Attachment,
    Case,
    CaseMessage,
    InboundChannel,
    InboundMail,
    InboundStatus,
    Notification,
    NotificationKind,
    Thread,
    User,
)

_numbers = itertools.count(1)
QUOTE_HEADER = "On Fri, 20 Nov 2026 at 09:00, Horseshoe Support <support@horseshoe.local> wrote:"


@pytest.fixture
def customer(make) -> User:
    return make.make_user(username="cora", email="cora@example.com")


@pytest.fixture
def agent(make) -> User:
    return make.make_user("agent", username="aggie", email="aggie@example.com")


@pytest.fixture
def colleague(make) -> User:
    return make.make_user("agent", username="colin", email="colin@example.com")


@pytest.fixture
def thread(make, customer) -> Thread:
    return make.make_thread(author=customer, title="The router drops every evening")


@pytest.fixture
def case(thread, customer, agent) -> Case:
    """Cora's case, assigned to Aggie."""
    case = cases.escalate_thread(customer, thread, "Still broken")[0]
    cases.change_case(agent, case, cases.CaseChange(assignee_id=agent.id))
    return case


def case_notices(user: User) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.kind == NotificationKind.CASE_UPDATE.value)
        .order_by(Notification.id)
    ))


def latest_notice(user: User) -> Notification:
    return case_notices(user)[-1]


def address_for(notification: Notification) -> str:
    """The reply address a case notification's email should carry: reply_target's case and message, signed."""
    target = case_replies.reply_target(notification)
    assert target is not None
    return addresses.reply_address(addresses.reply_key(notification.user_id, "c", *target))


def emailed_reply_address(smtp_server, run_jobs, user: User) -> str:
    """The Reply-To of the latest notification email user received, after the worker sent what is queued."""
    run_jobs()
    email = emails_to(smtp_server, user.email)[-1]
    assert email["Reply-To"] == address_for(latest_notice(user))
    return email["Reply-To"]


def reply_mail(sender: User, to: str, text: str, quoted: str = "Support wrote to you on case.",
               attachment: tuple[str, bytes] | None = None) -> bytes:
    """An answer as a mail client writes it: the new words on top, the email answered quoted below."""
    message = EmailMessage()
    message["From"] = f"{sender.name} <{sender.email}>"
    message["To"] = to
    message["Subject"] = "Re: Update on your support case: The router drops every evening"
    message["Message-ID"] = f"<case-reply-{next(_numbers)}@mail.example.com>"
    message["Date"] = "Fri, 20 Nov 2026 09:05:00 +0000"
    quote = "\n".join(f"> {line}" for line in quoted.splitlines())
    message.set_content(f"{text}\n\n{QUOTE_HEADER}\n{quote}\n")
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype="text", subtype="plain", filename=name)
    return bytes(message)


def deliver(raw: bytes, to: str, run_jobs) -> InboundMail:
    """Receive one message as the SMTP listener does, and let the worker handle it (and send what it queues)."""
    received = inbound.receive(raw, InboundChannel.SMTP, [to])
    run_jobs()
    db.session.expire_all()
    return db.session.get(InboundMail, received.mail.id)


def messages_of(case: Case) -> list[CaseMessage]:
    return list(db.session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)))


def emails_to(smtp_server, address: str):
    return [message for message in smtp_server.messages if message["To"] == address]


# --- replies that become case messages -------------------------------------------------------------


def test_a_customer_reply_becomes_a_customer_visible_message_without_the_quote(
        case, customer, agent, smtp_server, run_jobs):
    cases.post_message(agent, case, "Could you send the router's model?", "customer")
    to = emailed_reply_address(smtp_server, run_jobs, customer)

    mail = deliver(reply_mail(customer, to, "It is a TP-Link Archer C7.", quoted="Could you send the model?"),
                   to, run_jobs)

    [_, answer] = messages_of(case)
    assert (answer.author_id, answer.visibility, answer.body) == (customer.id, "customer", "It is a TP-Link Archer C7.")
    assert (mail.status, mail.case_message_id, mail.thread_id, mail.user_id) == (
        InboundStatus.POSTED, answer.id, case.thread_id, customer.id)
    assert mail.raw is None and mail.processed_at is not None
    assert f"case {case.public_reference}" in mail.outcome
    assert [m.body for m in cases.messages_for(customer, case)][-1] == "It is a TP-Link Archer C7."
    assert latest_notice(agent).message == f"The customer wrote on case {case.public_reference}."


def test_an_agent_answering_a_colleagues_internal_note_writes_an_internal_note(
        case, customer, agent, colleague, smtp_server, run_jobs):
    note = cases.post_message(colleague, case, "Their line was flagged by the carrier last week.", "internal")
    told = latest_notice(agent)
    assert told.message == f"New internal note on case {case.public_reference}."
    assert case_replies.reply_target(told) == (case.id, note.id)
    to = emailed_reply_address(smtp_server, run_jobs, agent)

    deliver(reply_mail(agent, to, "Thanks, I'll check with the carrier before answering.",
                       quoted="Their line was flagged."), to, run_jobs)

    answer = messages_of(case)[-1]
    assert (answer.author_id, answer.visibility, answer.body) == (
        agent.id, "internal", "Thanks, I'll check with the carrier before answering.")
    assert [m.body for m in cases.messages_for(customer, case)] == []
    assert case.first_response_at is None  # an internal note is no response to the customer
    assert not any("note" in notice.message.lower() for notice in case_notices(customer))
    assert not any("internal" in message.get_body(preferencelist=("plain",)).get_content().lower()
                   for message in emails_to(smtp_server, customer.email))


def test_an_agent_answering_the_customer_by_email_writes_to_the_customer(
        case, customer, agent, clock_at, smtp_server, run_jobs):
    cases.post_message(customer, case, "It started after the firmware update.", "customer")
    assert case_replies.reply_target(latest_notice(agent)) == (case.id, messages_of(case)[-1].id)
    to = emailed_reply_address(smtp_server, run_jobs, agent)
    clock_at.advance(minutes=20)

    deliver(reply_mail(agent, to, "Please roll back to version 3.2 and tell me if it helps.",
                       quoted="It started after the firmware update."), to, run_jobs)

    answer = messages_of(case)[-1]
    assert (answer.author_id, answer.visibility) == (agent.id, "customer")
    db.session.refresh(case)
    assert (case.first_response_at, case.status) == (clock_at.now, "open")  # the SLA clock, as on the desk
    assert latest_notice(customer).message == f"Support wrote to you on case {case.public_reference}."


def test_an_agent_answering_a_status_email_writes_to_the_customer(case, customer, agent, colleague, run_jobs,
                                                                   smtp_server):
    cases.change_case(colleague, case, cases.CaseChange(assignee_id=colleague.id))
    cases.post_message(colleague, case, "Ask for the logs.", "internal")
    cases.change_case(colleague, case, cases.CaseChange(assignee_id=agent.id))
    told = latest_notice(agent)
    assert told.message == f"Case {case.public_reference} is assigned to you."
    assert case_replies.reply_target(told) == (case.id, 0)  # a status change is about no message

    to = address_for(told)
    deliver(reply_mail(agent, to, "I have your case now."), to, run_jobs)

    assert (messages_of(case)[-1].visibility, messages_of(case)[-1].author_id) == ("customer", agent.id)


def test_a_customer_key_naming_an_internal_note_still_writes_customer_visible(
        case, customer, agent, smtp_server, run_jobs):
    note = cases.post_message(agent, case, "Possibly a fraud attempt.", "internal")
    to = addresses.reply_address(addresses.reply_key(customer.id, "c", case.id, note.id))

    deliver(reply_mail(customer, to, "Any news?"), to, run_jobs)

    answer = messages_of(case)[-1]
    assert (answer.author_id, answer.visibility, answer.body) == (customer.id, "customer", "Any news?")


def test_a_reply_with_an_attachment_attaches_it_to_the_case_message(case, customer, agent, smtp_server, run_jobs):
    cases.post_message(agent, case, "Could you send the router's log?", "customer")
    to = address_for(latest_notice(customer))

    deliver(reply_mail(customer, to, "Here is the log.", attachment=("router.txt", b"dropped at 21:04\n")),
            to, run_jobs)

    answer = messages_of(case)[-1]
    attached = db.session.scalars(select(Attachment).where(Attachment.case_message_id == answer.id)).all()
    assert answer.body.startswith("Here is the log.") and len(attached) == 1


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_someone_elses_key_for_the_case_is_refused_and_nothing_is_posted(
        make, case, agent, role, smtp_server, run_jobs):
    stranger = make.make_user(role, email=f"stranger-{role}@example.com")
    cases.post_message(agent, case, "Could you send the router's model?", "customer")
    before = len(messages_of(case))
    to = addresses.reply_address(addresses.reply_key(stranger.id, "c", case.id, 0))

    mail = deliver(reply_mail(stranger, to, "Let me in on this case."), to, run_jobs)

    assert mail.status == InboundStatus.REFUSED and mail.case_message_id is None
    assert len(messages_of(case)) == before
    [bounce] = emails_to(smtp_server, stranger.email)  # one helpful bounce, to the sender
    assert "You can no longer reply here" in bounce.get_body(preferencelist=("plain",)).get_content()


def test_a_key_for_a_case_that_does_not_exist_is_refused(customer, smtp_server, run_jobs):
    to = addresses.reply_address(addresses.reply_key(customer.id, "c", 99_999, 0))

    mail = deliver(reply_mail(customer, to, "Hello?"), to, run_jobs)

    assert mail.status == InboundStatus.REFUSED
    assert len(emails_to(smtp_server, customer.email)) == 1


def test_a_closed_case_takes_no_email_and_says_how_to_get_help(case, customer, agent, smtp_server, run_jobs):
    cases.change_case(agent, case, cases.CaseChange(status="closed"))
    to = address_for(latest_notice(customer))
    before = len(messages_of(case))

    mail = deliver(reply_mail(customer, to, "It is broken again."), to, run_jobs)

    assert mail.status == InboundStatus.REFUSED and len(messages_of(case)) == before
    [bounce] = emails_to(smtp_server, customer.email)[-1:]
    text = bounce.get_body(preferencelist=("plain",)).get_content()
    assert "This support case is closed" in text and f"/t/{case.thread_id}/" in text  # where to ask again


def test_an_empty_reply_is_refused(case, customer, agent, smtp_server, run_jobs):
    cases.post_message(agent, case, "Could you send the router's model?", "customer")
    to = address_for(latest_notice(customer))

    mail = deliver(reply_mail(customer, to, ""), to, run_jobs)

    assert mail.status == InboundStatus.REFUSED and len(messages_of(case)) == 1


# --- who hears of what -----------------------------------------------------------------------------


def test_the_assignee_hears_of_the_customer_and_a_colleagues_note_and_the_customer_never_of_the_note(
        case, customer, agent, colleague, smtp_server, run_jobs):
    customer_before = len(case_notices(customer))
    cases.post_message(customer, case, "Still dropping.", "customer")
    cases.post_message(colleague, case, "Carrier outage in their area.", "internal")
    cases.post_message(agent, case, "My own reminder: call the carrier.", "internal")
    run_jobs()

    assert [n.message for n in case_notices(agent)][-2:] == [
        f"The customer wrote on case {case.public_reference}.", f"New internal note on case {case.public_reference}."]
    assert case_notices(colleague) == []  # only the assignee is told
    assert len(case_notices(customer)) == customer_before  # nothing about notes, nor their own message
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in emails_to(smtp_server, customer.email)]
    assert not any("note" in text.lower() or "carrier" in text.lower() for text in texts)
    assert len(emails_to(smtp_server, agent.email)) >= 2


def test_a_customer_notification_never_names_an_internal_note(case, customer, agent):
    cases.post_message(agent, case, "Here is what to try.", "customer")
    cases.post_message(agent, case, "They may be reselling.", "internal")
    visible = messages_of(case)[0]

    assert case_replies.reply_target(latest_notice(customer)) == (case.id, visible.id)


def test_an_agent_who_is_the_customer_of_their_own_case_hears_of_no_notes(make, agent, colleague):
    thread = make.make_thread(author=agent)
    case = cases.escalate_thread(agent, thread, "My own router")[0]
    cases.change_case(agent, case, cases.CaseChange(assignee_id=agent.id))
    before = len(case_notices(agent))

    cases.post_message(colleague, case, "Aggie's own line, no SLA needed.", "internal")

    assert len(case_notices(agent)) == before


def test_reply_target_finds_the_case_of_a_notice_that_names_none(make, case, customer, agent):
    notification = Notification(user_id=customer.id, kind=NotificationKind.CASE_UPDATE.value,
                                thread_id=case.thread_id, actor_id=agent.id, message="Support moved personal details.",
                                created_at=case.created_at)
    db.session.add(notification)
    db.session.flush()
    assert case_replies.reply_target(notification) == (case.id, 0)
    reply = Notification(user_id=customer.id, kind=NotificationKind.REPLY.value, thread_id=case.thread_id,
                         created_at=case.created_at)
    assert case_replies.reply_target(reply) is None


@pytest.mark.parametrize(("words", "read"), [
    ("The customer wrote on case #12.", (12, True)),
    ("New internal note on case #3.", (3, True)),
    ("Support wrote to you on case #7.", (7, True)),
    ("Your support case #4 is resolved.", (4, False)),
    ("Support on case #9: this duplicates case #2, see The customer wrote on case #2.", (9, False)),
    ("Support moved personal details from your post out of public view.", (None, False)),
])
def test_case_notices_name_their_case_and_say_whether_they_tell_of_a_message(words, read):
    assert cases.notice_reference(words) == read
