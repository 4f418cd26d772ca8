"""What the router makes of each email received: a reply, a question, a delivery report, or a helpful bounce.

Real RFC 5322 messages go through forum.mail.inbound.receive and the worker. Automatic mail (auto-replies,
mail from our own addresses) is never answered, so two robots cannot write to each other forever; every
refusal answers its sender at most a few times an hour, so forged mail cannot aim Horseshoe at a victim.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.core.extensions import db
from forum.mail import addresses, refusals, sending
from forum.models import Category, InboundStatus, OutboundEmail, Post, Thread, User
from forum.services import community_settings
from tests.mail.inbound_support import bounces_to, deliver, email, says, thread_address

ANSWER = "Changing the channel to 11 fixed it for me."


@pytest.fixture
def billing(make) -> Category:
    category = make.make_category("Billing")
    category.email_address = "billing@support.example.com"
    db.session.commit()
    return category


def replies_by(user: User) -> int:
    return db.session.scalar(select(func.count(Post.id)).where(Post.author_id == user.id, Post.is_question.is_(False)))


def set_setting(key: str, value) -> None:
    community_settings.update_settings_from_console({key: value})


def test_an_email_larger_than_the_setting_is_bounced_and_not_posted(asker, thread):
    set_setting("mail.max_message_mb", 0.1)
    to = thread_address(asker, thread.id)
    raw = email("ana@example.com", to, ANSWER, attachments=[("big.log", "text/plain", b"line of log\n" * 12_000)])

    mail = deliver(raw, to)

    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("ana@example.com")
    assert says(bounce, "too_large", max_mb="0.1")
    assert replies_by(asker) == 0


def test_an_auto_reply_to_a_reply_address_is_ignored_never_answered(asker, thread):
    to = thread_address(asker, thread.id)
    raw = email("ana@example.com", to, "I am out of the office until Monday.", subject="Out of office",
                headers={"Auto-Submitted": "auto-replied"})

    mail = deliver(raw, to)

    assert mail.status == InboundStatus.IGNORED.value
    assert "automatic message" in mail.outcome
    assert mail.raw is None and mail.processed_at is not None
    assert replies_by(asker) == 0
    assert bounces_to("ana@example.com") == []


@pytest.mark.parametrize("sender", ["no-reply@horseshoe.local", "billing@support.example.com"])
def test_mail_from_our_own_addresses_is_ignored(sender, billing):
    """Our sender address, and a category's address, writing to us: a loop, never answered."""
    to = "someone-else@horseshoe.local"

    mail = deliver(email(sender, to, "Anything at all."), to)

    assert mail.status == InboundStatus.IGNORED.value
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0


def test_mail_to_an_unknown_address_is_bounced_naming_the_addresses_that_work(billing):
    to = "sales@horseshoe.local"

    mail = deliver(email("Sam <sam@example.com>", to, "Do you sell routers?", subject="Routers"), to)

    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("sam@example.com")
    assert says(bounce, "unknown_address", address=to)
    assert "billing@support.example.com" in bounce.text_body
    assert bounce.subject == "Not posted: Routers"


def test_a_reply_while_replies_by_email_are_off_is_bounced(asker, thread):
    set_setting("mail.reply_by_email", False)
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, ANSWER), to)

    assert mail.status == InboundStatus.REFUSED.value
    assert says(bounces_to("ana@example.com")[0], "reply_off")
    assert replies_by(asker) == 0


def test_a_sender_gets_at_most_five_bounces_an_hour(db, clock_at):
    """A forged flood with a victim's address as the sender: a few bounces reach them, then silence."""
    to = "nobody@horseshoe.local"
    mails = []
    for n in range(7):
        mails.append(deliver(email("victim@example.com", to, f"Spam number {n}", subject=f"Offer {n}"), to))
        clock_at.advance(minutes=1)

    assert len(bounces_to("victim@example.com")) == refusals.REFUSALS_PER_HOUR
    assert all(mail.status == InboundStatus.REFUSED.value for mail in mails)
    assert "No bounce sent: 5 refusals went to this sender in the past hour" in mails[-1].outcome
    clock_at.advance(hours=1)
    deliver(email("victim@example.com", to, "A real question", subject="Help"), to)
    assert len(bounces_to("victim@example.com")) == refusals.REFUSALS_PER_HOUR + 1


def test_plus_addressed_variants_of_one_mailbox_share_its_five_bounces(db, clock_at):
    """victim+1@, victim+2@ … all reach the victim: the hourly budget is the mailbox's, not each spelling's."""
    to = "nobody@horseshoe.local"
    for n in range(7):
        deliver(email(f"victim+{n}@example.com", to, f"Spam number {n}", subject=f"Offer {n}"), to)
        clock_at.advance(minutes=1)

    sent = db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.to_address.like("victim%@example.com"), OutboundEmail.html_body.contains("did not post it")))
    assert sent == refusals.REFUSALS_PER_HOUR


def test_a_flood_of_refused_mail_site_wide_silences_every_bounce_until_it_passes(db, clock_at, monkeypatch):
    """Forged mail from many made-up senders: past the site's hourly budget no refusal is answered."""
    monkeypatch.setattr(refusals, "SITE_REFUSALS_PER_HOUR", 3)
    to = "nobody@horseshoe.local"
    for n in range(3):
        deliver(email(f"someone{n}@example.net", to, "Cheap watches", subject="Offer"), to)
    assert len(bounces_to("someone2@example.net")) == 1

    flooded = deliver(email("innocent@example.org", to, "Where do I ask?", subject="Question"), to)
    assert bounces_to("innocent@example.org") == []
    assert "messages were refused in the past hour, so none is answered" in flooded.outcome
    clock_at.advance(hours=1, minutes=1)
    deliver(email("innocent@example.org", to, "Where do I ask?", subject="Question again"), to)
    assert len(bounces_to("innocent@example.org")) == 1


def test_mail_without_a_readable_sender_is_refused_without_a_bounce(db):
    to = "nobody@horseshoe.local"
    raw = email("not an address", to, "Hello?")

    mail = deliver(raw, to)

    assert mail.status == InboundStatus.REFUSED.value
    assert "No bounce sent" in mail.outcome
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0


def test_the_bounce_reaches_the_sender_marked_as_an_automatic_reply(asker, thread, smtp_server):
    to = "reply+not-a-key@horseshoe.local"
    raw = email("ana@example.com", to, ANSWER)

    deliver(raw, to)

    [bounce] = [message for message in smtp_server.messages if message["Subject"].startswith("Not posted")]
    assert bounce["Auto-Submitted"] == "auto-replied"
    assert bounce["In-Reply-To"] is not None and bounce["In-Reply-To"].startswith("<reply-")
    assert bounce["Subject"] == "Not posted: Re: Connection drops every evening"
    text = bounce.get_body(preferencelist=("plain",)).get_content()
    assert refusals.sentence("unknown_key") in " ".join(text.split())


def test_a_delivery_report_to_a_bounce_address_is_counted_not_answered(asker):
    sent = sending.queue_email("gone@example.org", "Hello", "mail_refused", their_subject="x", reason="x")
    db.session.commit()
    to = addresses.bounce_address(sent.id)

    mail = deliver(delivery_report(to, "gone@example.org"), to)

    assert mail.status == InboundStatus.BOUNCE.value
    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.to_address == "mailer-daemon@mx.example.org")) == 0


def test_mail_to_a_category_address_goes_to_the_category(make, billing):
    make.make_user(username="cyd", email="cy@example.com")
    raw = email("cy@example.com", "Billing@Support.example.com", "I was charged twice for November.",
                subject="Charged twice in November", quoted="",
                headers={"Authentication-Results": "mx.example.com; dkim=pass header.d=example.com"})

    mail = deliver(raw, "billing@support.example.com")

    assert mail.category_id == billing.id  # the address matched whatever its case
    question = db.session.get(Thread, mail.thread_id)
    assert (question.category_id, question.title) == (billing.id, "Charged twice in November")


def delivery_report(to: str, failed: str) -> bytes:
    """A standard RFC 3464 bounce from the recipient's mail server, as it comes back to the return path."""
    return (
        f"From: Mail Delivery System <mailer-daemon@mx.example.org>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.org>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
        "--b--\r\n"
    ).encode()
