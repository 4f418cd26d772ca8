"""The mail-in side tried as an attacker would: loops, backscatter, oversized input, what becomes public.

Each test here was written against a defect found in review, before its fix: real messages go through
forum.mail.inbound.receive (or the real listener) and the worker, as in the other tests of this package.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from forum.core import worker
from forum.core.extensions import db
from forum.mail import addresses, inbound, mime, parsing, sending
from forum.models import Category, InboundChannel, InboundMail, InboundStatus, OutboundEmail, Post, Thread, User
from tests.mail.inbound_support import bounces_to, deliver, email, says, thread_address
from tests.mail.test_ways_in import crlf, smtp, stored

ANSWER = "Changing the channel to 11 fixed it for me."
# A bounce as qmail and many older or home-made mail servers write it: no multipart/report, no
# X-Failed-Recipients, no Auto-Submitted. Only its envelope (a null sender) and where it is sent say what it is.
QMAIL_BOUNCE = (
    "From: MAILER-DAEMON@mx.example.org\r\n"
    "To: {to}\r\n"
    "Subject: failure notice\r\n"
    "Message-ID: <qmail-{n}@mx.example.org>\r\n"
    "\r\n"
    "Hi. This is the qmail-send program at mx.example.org.\r\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\r\n"
    "\r\n"
    "<gone@example.org>:\r\n"
    "Sorry, no mailbox here by that name. (#5.1.1)\r\n"
)


@pytest.fixture
def support(make) -> Category:
    category = make.make_category("Support")
    category.email_address = "help@support.example.com"
    db.session.commit()
    return category


def outbound_to(address: str) -> int:
    return db.session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.to_address == address))


# --- loops: mail only machines send is never answered -----------------------------------------------------


@pytest.mark.parametrize("valid_key", [True, False])
def test_mail_to_a_bounce_address_that_is_no_recognised_report_is_never_answered(make, valid_key):
    """Only mail servers write to bounces+...@: answering what they send there starts a loop of bounces."""
    sent = sending.queue_email("gone@example.org", "Hello", "mail_refused", reason="x", their_subject="x")
    db.session.commit()
    to = addresses.bounce_address(sent.id) if valid_key else "bounces+1-aaaaaaaaaaaaaaaa@horseshoe.local"

    mail = deliver(QMAIL_BOUNCE.format(to=to, n=int(valid_key)).encode(), to)

    assert mail.status == InboundStatus.IGNORED.value
    assert outbound_to("mailer-daemon@mx.example.org") == 0


def test_mail_with_a_null_envelope_sender_through_the_listener_is_never_answered(listen):
    """RFC 5321 4.5.5: a message with the null reverse-path is a notification; nothing may answer it. Only the
    envelope says so: the listener must hand that on, as a mail server's delivery does (Return-Path)."""
    port = listen()
    to = "bounces+7-aaaaaaaaaaaaaaaa@horseshoe.local"  # the listener takes the shape; its key is not ours
    raw = crlf(QMAIL_BOUNCE.format(to=to, n=7).encode())

    with smtp(port) as client:
        assert client.sendmail("", [to], raw) == {}
    worker.run_until_empty()

    [mail] = stored()
    assert mail.status == InboundStatus.IGNORED.value
    assert outbound_to("mailer-daemon@mx.example.org") == 0


def test_the_listener_keeps_a_real_senders_mail_answerable(listen):
    """The envelope sender handed on does not make ordinary mail automatic: a stranger still gets a bounce."""
    port = listen()
    to = "reply+t1-0-1-20000-aaaaaaaaaaaaaaaa@horseshoe.local"  # a reply address whose signature is forged

    with smtp(port) as client:
        client.sendmail("cy@example.com", [to], crlf(email("cy@example.com", to, "Hello?")))
    worker.run_until_empty()

    [mail] = stored()
    assert mail.status == InboundStatus.REFUSED.value
    assert len(bounces_to("cy@example.com")) == 1


# --- denial of service: what a 10 MB message can cost --------------------------------------------------------


def html_message(html: str, to: str = "help@support.example.com") -> bytes:
    message = EmailMessage()
    message["From"] = "ana@example.com"
    message["To"] = to
    message["Subject"] = "Router drops the connection every evening"
    message.set_content(html, subtype="html")
    return bytes(message)


def test_html_mail_becomes_text_in_bounded_time_whatever_its_size():
    """inscriptis lays out tables at seconds per megabyte; a 10 MB message must not hold a worker (or the
    confirmation page, which reads the message again) for most of a minute."""
    row = "<tr><td>a</td><td>b</td></tr>"
    table = "<table>" + row * 150_000 + "</table>"  # 4 MB

    parsed = parsing.parse(html_message("<p>My router drops.</p>" + table))

    assert parsed.text.startswith("My router drops.")
    # Only the first _HTML_CHARS of HTML were laid out, whatever the message's size (bench/ times the cost).
    assert 0 < parsed.full_text.count("a") <= parsing._HTML_CHARS // len(row) + 1


def test_an_inline_picture_does_not_cost_the_words_after_it():
    """A picture pasted into an HTML email is a data: URI megabytes long; the words after it are kept."""
    picture = '<img src="data:image/png;base64,' + "iVBORw0KGgo" * 200_000 + '">'  # 2 MB

    parsed = parsing.parse(html_message(f"<p>Before the picture.</p>{picture}<p>After the picture.</p>"))

    assert "After the picture." in parsed.text


def test_a_question_longer_than_a_post_is_refused_before_anything_reads_it_all(ana_member, support):
    """Held for a link, its words would be scanned for personal data in the worker and again on every view of
    the confirmation page (seconds per megabyte); no post holds more than 64 KB, so it is refused at once."""
    text = "1 2 3 4 5 6 7 8 9 0 " * 60_000  # 1.2 MB of words no post can hold

    mail = deliver(email("ana@example.com", "help@support.example.com", text, subject="Many numbers", quoted=""),
                   "help@support.example.com")

    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("ana@example.com")
    assert says(bounce, "too_long", max_kb="64")
    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.subject.startswith("Confirm your question"))) == 0


def test_a_reply_longer_than_a_post_is_refused_with_the_reason(asker, thread):
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, "word " * 20_000), to)

    assert mail.status == InboundStatus.REFUSED.value
    assert says(bounces_to("ana@example.com")[0], "too_long", max_kb="64")


@pytest.fixture
def ana_member(make) -> User:
    return make.make_user(username="ana", email="ana@example.com")


# --- who vouches for a sender ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [InboundChannel.PIPE, InboundChannel.API])
def test_a_forged_authentication_result_on_top_does_not_make_a_stranger_a_member(ana_member, support, channel):
    """A mail server's pipe (Postfix with no DKIM milter) or a provider may add no Authentication-Results at all:
    then the topmost one is the sender's own, and believing it would publish anything as any member. Without
    HORSESHOE_MAIL_AUTHSERV_ID naming the server, mail through those ways in is not trusted: a link is sent."""
    forged = (b"Authentication-Results: mx.horseshoe.local; dkim=pass header.d=example.com;"
              b" dmarc=pass header.from=example.com\r\n")
    raw = forged + email("ana@example.com", "help@support.example.com", "Please close my account and refund me.",
                         subject="Close my account and refund me", quoted="")

    received = inbound.receive(raw, channel, ["help@support.example.com"])
    worker.run_until_empty()
    db.session.expire_all()
    mail = db.session.get(InboundMail, received.mail.id)

    assert mail.status == InboundStatus.PENDING.value  # waits for ana to follow the link
    assert db.session.scalar(select(func.count(Thread.id)).where(Thread.author_id == ana_member.id)) == 0


def test_a_named_receiving_server_is_still_believed_through_the_pipe(app, ana_member, support, monkeypatch):
    monkeypatch.setattr(app.config["HORSESHOE"], "mail_authserv_id", "mx.horseshoe.local")
    vouched = b"Authentication-Results: mx.horseshoe.local; dkim=pass header.d=example.com\r\n"
    raw = vouched + email("ana@example.com", "help@support.example.com", "My router drops every evening.",
                          subject="Router drops every evening", quoted="")

    received = inbound.receive(raw, InboundChannel.PIPE, ["help@support.example.com"])
    worker.run_until_empty()
    db.session.expire_all()

    assert db.session.get(InboundMail, received.mail.id).status == InboundStatus.POSTED.value


# --- input no database stores ----------------------------------------------------------------------------------


def test_nul_bytes_anywhere_in_a_message_are_handled_not_retried_forever(ana_member, support):
    """PostgreSQL stores no NUL in text: one in a header, a name, a file name or the words must not fail the job."""
    raw = (
        b"From: =?utf-8?q?Ana=00Lima?= <ana@example.com>\r\n"
        b"To: help@support.example.com\r\n"
        b"Subject: =?utf-8?q?Router=00drops_every_evening?=\r\n"
        b"Message-ID: <nul=00@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"My router=00 drops every evening.\r\n"
        b"--b\r\nContent-Type: text/plain\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''router%00.log\r\n\r\nlog line\r\n"
        b"--b--\r\n"
    )

    mail = deliver(raw, "help@support.example.com")

    assert mail.status == InboundStatus.PENDING.value
    assert "\x00" not in mail.subject + mail.from_address + mail.body_text + mail.message_id


def test_a_message_to_thousands_of_addresses_is_answered_once_and_briefly(ana_member, support):
    """Headers may name any number of recipients (each header up to 64 KB, as many headers as wanted): the router
    must neither fail on them (a database takes a bounded number of parameters) nor list them all in a bounce."""
    crowd = [f"person{n}@elsewhere.example" for n in range(40_000)]
    headers = "".join(f"Cc: {', '.join(crowd[start:start + 2_000])}\r\n" for start in range(0, len(crowd), 2_000))
    raw = headers.encode() + email("cy@example.com", "nobody@horseshoe.local", "Hello?", quoted="")

    received = inbound.receive(raw, InboundChannel.API)
    worker.run_until_empty()
    db.session.expire_all()
    mail = db.session.get(InboundMail, received.mail.id)

    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("cy@example.com")
    assert len(bounce.text_body) < 20_000


# --- one message, two of our addresses -----------------------------------------------------------------------


def test_a_reply_copied_to_a_category_through_the_pipe_is_posted_once(asker, thread, support):
    """A mail server's pipe delivers one copy per recipient (README: one recipient per run, each with its own
    Delivered-To). Each copy is for its envelope recipient: the reply address's copy is the reply, the category's
    copy is mail to the category; the reply address in the To: header must not make the second copy a reply too."""
    to = thread_address(asker, thread.id)
    message = email("ana@example.com", to, ANSWER, headers={"Cc": "help@support.example.com"})
    for recipient in (to, "help@support.example.com"):
        inbound.receive(f"Delivered-To: {recipient}\r\n".encode() + message, InboundChannel.PIPE, [recipient])
    worker.run_until_empty()

    assert db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == thread.id, Post.author_id == asker.id, Post.body == ANSWER)) == 1


def test_a_message_of_a_hundred_thousand_parts_is_read_in_bounded_time():
    """The stdlib reads each MIME part's headers several times (a tenth of a millisecond and more a part): 100,000
    one-line attachments in 8 MB held a worker, or the confirmation page of a held question, for 20 seconds."""
    part = b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nx\r\n"
    raw = (b"From: ana@example.com\r\nTo: help@support.example.com\r\nSubject: Many parts\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Type: text/plain\r\n\r\nMy router drops every evening.\r\n" + part * 100_000 + b"--b--\r\n")

    parsed = parsing.parse(raw)

    assert parsed.text == "My router drops every evening."
    assert 0 < len(parsed.attachments) <= mime.MAX_PARTS
    # The stdlib parser was handed only the message up to its MAX_DELIMITERS-th boundary line, not 100,000 parts.
    assert len(list(mime.read(raw).walk())) <= mime.MAX_DELIMITERS + 2
