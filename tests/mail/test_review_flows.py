"""Issue 24 under review: what a member, a sender and an admin meet at the edges of the mail flows.

Each test here was written when the review found the behaviour wrong, and failed before its fix: a
reply by email with a card number posted for everyone to read (the web asks first), the worker held
the write lock while it parsed a message, a discarded inbound job left the raw message stored for
good, an accepted answer's email read "Re: <title>" as if someone had replied, the bounce banner
sent members to a setting that cannot change their address, and pressing "Publish my question" parsed
the stored message three times while holding the write lock. Three close gaps in coverage rather than
defects: case emails answered through the real listener (as the issue asks), an address confirmation
sent to an address whose mail bounced, and the web's rate-limit rules that replies.py copies.
"""

from __future__ import annotations

import itertools
import re
import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from forum import cases
from forum.accounts import verification
from forum.core import worker
from forum.core.extensions import db
from forum.mail import bounces, delivery_problems, inbound, parsing
from forum.models import (
    CaseMessage,
    InboundMail,
    InboundStatus,
    Job,
    JobStatus,
    OutboundEmail,
    Post,
    Thread,
    User,
)
from forum.services import posting, qa
from tests import factories
from tests.mail.inbound_support import bounces_to, deliver, email, says, thread_address
from tests.mail.outbound_support import delivery_report, receive, sent_to, text_of

CARD = "4111 1111 1111 1111"
_answers = itertools.count(1)


@pytest.fixture
def thread(make, asker) -> Thread:
    thread = make.make_thread(author=asker, title="Connection drops every evening")
    make.make_reply(thread, make.make_user(username="bea", email="bea@example.com"), "Have you tried restarting it?")
    return thread


def replies_by(user: User, thread: Thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.author_id == user.id,
                                                      Post.is_question.is_(False))))


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace(" ,", ",")


# --- the personal-data guard, for replies by email as on the web's reply form ---------------------------------


def test_a_reply_by_email_with_a_card_number_is_not_posted_for_everyone_to_read(asker, thread):
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, f"Still failing. My card is {CARD}, can you refund it?"), to)

    assert replies_by(asker, thread) == []
    assert mail.status == InboundStatus.REFUSED.value and mail.raw is None
    [bounce] = bounces_to("ana@example.com")
    assert says(bounce, "personal_data")
    assert "a card number (••• 1111)" in bounce.text_body  # masked, as the web's warning shows it
    assert CARD not in bounce.text_body and CARD not in bounce.html_body and CARD not in mail.outcome
    assert f"/t/{thread.id}/" in bounce.text_body  # where the web form offers to send it privately


def test_our_own_address_in_a_quote_header_the_parser_does_not_know_is_nobodys_personal_data(asker, thread):
    to = thread_address(asker, thread.id)
    quote_header = "Em sex., 20 de nov. de 2026 às 09:00, Horseshoe <no-reply@horseshoe.local> escreveu:"

    mail = deliver(email("ana@example.com", to, f"Mudei o canal e funcionou.\n\n{quote_header}", quoted=""), to)

    assert mail.status == InboundStatus.POSTED.value and len(replies_by(asker, thread)) == 1


def test_a_reply_without_personal_data_is_posted_as_before(asker, thread):
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, "Changing the channel to 11 fixed it."), to)

    assert mail.status == InboundStatus.POSTED.value
    assert [post.body for post in replies_by(asker, thread)] == ["Changing the channel to 11 fixed it."]


# --- no write lock held while a message is read ----------------------------------------------------------------


def test_the_worker_reads_a_message_outside_any_database_transaction(asker, thread, monkeypatch):
    """Parsing takes seconds on a large message; on SQLite the worker's transaction holds the write lock."""
    in_transaction: list[bool] = []
    real_parse = parsing.parse

    def parse_watched(*args, **kwargs):
        in_transaction.append(db.session().in_transaction())
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(inbound.parsing, "parse", parse_watched)
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, "Changing the channel to 11 fixed it."), to)

    assert in_transaction == [False]
    assert mail.status == InboundStatus.POSTED.value and len(replies_by(asker, thread)) == 1


# --- delivery problems: a received message given up on -----------------------------------------------------------


def test_discarding_a_message_the_worker_could_not_handle_forgets_its_raw_bytes(make, asker, thread, monkeypatch):
    def broken_route(message, mail):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(inbound, "route", broken_route)
    to = thread_address(asker, thread.id)
    received = inbound.receive(email("ana@example.com", to, "Changing the channel fixed it."),
                               inbound.InboundChannel.SMTP, [to])
    job = db.session.scalars(select(Job).where(Job.name == inbound.PROCESS_JOB).order_by(Job.id.desc())).first()
    job.max_attempts = 1
    db.session.commit()
    worker.run_until_empty()
    db.session.refresh(job)
    assert job.status == JobStatus.DEAD

    delivery_problems.discard(make.make_user("admin"), job.id)

    mail = db.session.get(InboundMail, received.mail.id)
    db.session.refresh(mail)
    assert mail.raw is None and mail.processed_at is not None
    assert mail.status == InboundStatus.IGNORED.value
    assert "discarded" in mail.outcome.lower()


# --- what the subject says -----------------------------------------------------------------------------------------


def test_an_accepted_answer_email_says_so_in_its_subject(make, smtp_server, run_jobs):
    asker = make.make_user(username="nora", email="nora@example.com")
    helper = make.make_user(username="olaf", email="olaf@example.com")
    thread = make.make_thread(author=asker, title="Printer prints blank pages")
    answer = posting.reply_to_thread(helper, thread, "Replace the toner cartridge.")
    run_jobs()

    qa.accept_solution(asker, thread, answer)
    run_jobs()

    [(message, _)] = sent_to(smtp_server, "olaf@example.com")
    assert message["Subject"] == "Your reply solved “Printer prints blank pages”"  # nobody replied: no "Re:"
    assert message["Reply-To"] is None
    assert "Your reply solved" in text_of(message)


def test_a_reply_email_still_carries_the_threads_subject(make, smtp_server, run_jobs):
    asker = make.make_user(username="pia", email="pia@example.com")
    thread = make.make_thread(author=asker, title="Scanner skips pages")
    posting.reply_to_thread(make.make_user(username="quin"), thread, "Clean the rollers.")
    run_jobs()

    [(message, _)] = sent_to(smtp_server, "pia@example.com")
    assert message["Subject"] == "Re: Scanner skips pages"


# --- the bounce banner --------------------------------------------------------------------------------------------


def bounce_three_times(make, member: User, smtp_server, run_jobs) -> None:
    """Notifications to member go out through the SMTP sink and each comes back as a permanent failure."""
    thread = make.make_thread(author=member, title="Router drops at night")
    for _ in range(3):
        posting.reply_to_thread(make.make_user(), thread, "Have you tried another channel?")
        run_jobs()
        message, envelope = sent_to(smtp_server, member.email)[-1]
        receive(delivery_report(envelope.mail_from, member.email, message), envelope.mail_from, run_jobs)
    assert bounces.is_suppressed(member.email)


def test_an_address_confirmation_still_goes_to_an_address_whose_mail_bounced(make, smtp_server, run_jobs):
    member = make.make_user(username="sven", email="sven@example.com")
    bounce_three_times(make, member, smtp_server, run_jobs)

    verification.send_link(member)
    db.session.commit()
    run_jobs()

    assert sent_to(smtp_server, "sven@example.com")[-1][0]["Subject"] == verification.SUBJECT


def test_the_bounce_banner_says_what_stopped_and_offers_what_the_member_can_do(make, smtp_server, run_jobs,
                                                                               login_as):
    member = make.make_user(username="rosa", email="rosa@example.com")
    bounce_three_times(make, member, smtp_server, run_jobs)

    page = words(login_as(member).get("/"))

    assert ("Email to rosa@example.com has bounced 3 times, so we stopped emailing you notifications and "
            "digests: they still show here.") in page
    assert "settings" not in page.split("has bounced", 1)[1].split("Try again", 1)[0]  # no address to change there
    assert "If the address takes mail again (a full mailbox emptied, a mail server back up), try again." in page


# --- the confirmation link's button --------------------------------------------------------------------------------


def test_pressing_publish_reads_the_stored_message_once(make, client, monkeypatch):
    """The POST holds SQLite's write lock from its first query: each parse of a large message lengthens it."""
    category = make.make_category("Support")
    category.email_address = "help@support.example.com"
    make.make_user(username="tess", email="tess@example.com")
    db.session.commit()
    raw = email("tess@example.com", "help@support.example.com",
                "Every evening at about eight my router loses the connection. What can I try?",
                subject="Router drops the connection every evening", quoted="")
    mail = deliver(raw, "help@support.example.com")
    assert mail.status == InboundStatus.PENDING.value
    link = re.search(r"http://localhost(/mail/confirm/\S+)", db.session.scalars(
        select(OutboundEmail.text_body).where(OutboundEmail.to_address == "tess@example.com")).one()).group(1)
    parses: list[int] = []
    real_parse = parsing.parse

    def parse_counted(*args, **kwargs):
        parses.append(1)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(parsing, "parse", parse_counted)

    assert client.post(link).status_code == 303

    assert len(parses) == 1
    db.session.expire_all()
    assert db.session.get(InboundMail, mail.id).status == InboundStatus.POSTED.value


# --- a case answered through the real listener -----------------------------------------------------------------------


def answer_through_listener(port: int, notification, sender: str, text: str) -> None:
    """What a mail client sends when its user presses Reply on the notification, over SMTP to the listener."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = notification["Reply-To"]
    reply["Subject"] = "Re: " + str(notification["Subject"])
    reply["In-Reply-To"] = notification["Message-ID"]
    reply["Message-ID"] = f"<answer-{next(_answers)}@mail.example.com>"
    quoted = "\n".join(f"> {line}" for line in text_of(notification).splitlines())
    header = "On Fri, 20 Nov 2026 at 09:00, Horseshoe <no-reply@horseshoe.local> wrote:"
    reply.set_content(f"{text}\n\n{header}\n{quoted}\n")
    db.session.commit()  # the listener writes from its own thread: no transaction of ours may hold the lock
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        assert client.sendmail(sender, [notification["Reply-To"]], bytes(reply).replace(b"\n", b"\r\n")) == {}


def case_emails_to(smtp_server, address: str):
    return [message for message in smtp_server.messages if message["To"] == address]


def test_case_emails_answered_through_the_listener_become_case_messages_of_the_right_visibility(
        listen, smtp_server):
    customer = factories.make_user(username="cora", email="cora@example.com")
    agent = factories.make_user("agent", username="aggie", email="aggie@example.com")
    colleague = factories.make_user("agent", username="colin", email="colin@example.com")
    case = cases.escalate_thread(customer, factories.make_thread(author=customer, title="Router drops at eight"),
                                 "Still broken")[0]
    cases.change_case(agent, case, cases.CaseChange(assignee_id=agent.id))
    cases.post_message(agent, case, "Could you send the router's model?", "customer")
    cases.post_message(colleague, case, "Their firmware is two years old.", "internal")
    worker.run_until_empty()
    listener_port = listen()

    answer_through_listener(listener_port, case_emails_to(smtp_server, "cora@example.com")[-1],
                            "Cora <cora@example.com>", "It is a TP-Link Archer C7.")
    answer_through_listener(listener_port, case_emails_to(smtp_server, "aggie@example.com")[-1],
                            "aggie@example.com", "Then we should offer the update first.")
    worker.run_until_empty()

    db.session.expire_all()
    written = db.session.execute(select(CaseMessage.author_id, CaseMessage.visibility, CaseMessage.body)
                                 .where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)).all()
    assert written[-2:] == [
        (customer.id, "customer", "It is a TP-Link Archer C7."),  # the customer's words, quote gone
        (agent.id, "internal", "Then we should offer the update first."),  # answering a colleague's note
    ]
    assert [mail.channel for mail in db.session.scalars(select(InboundMail))] == ["smtp", "smtp"]
