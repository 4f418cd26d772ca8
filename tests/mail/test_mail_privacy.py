"""Email a member sent joins their data export and goes with their anonymisation; staff see it on the 360.

InboundMail rows are made directly (the router that writes them is built beside this), each the way a
handled message ends: status, outcome in words, the words kept, and the ids of what it became. The
bounce record is a real MailAddressHealth row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.accounts import deletion, erasure, members
from forum.core import clock
from forum.core.extensions import db
from forum.mail import addresses, inbound
from forum.models import (
    Category,
    InboundChannel,
    InboundMail,
    InboundStatus,
    MailAddressHealth,
    Post,
    User,
)
from forum.services import community_settings
from moderation.services.anonymize import anonymize_user
from tests import factories
from tests.support.exports import archive_of, read_json
from tests.web.helpers import text

_digests = iter(range(1, 1_000_000))


def inbound_mail(user: User | None, subject: str, *, status: InboundStatus = InboundStatus.POSTED,
                 minutes: int = 0, from_address: str | None = None, **fields) -> InboundMail:
    """One received message, as the router leaves it."""
    received = clock.now() + timedelta(minutes=minutes)
    row = InboundMail(
        digest=f"{next(_digests):064x}", message_id=f"<{subject}@mail.example.org>", channel=InboundChannel.SMTP.value,
        from_address=from_address if from_address is not None else (user.email if user else ""),
        to_address="support@horseshoe.example", subject=subject, body_text=f"{subject} BODY",
        status=status.value, outcome=f"{subject} OUTCOME", user_id=user.id if user else None,
        raw=b"RAW-" + subject.encode() if status == InboundStatus.PENDING else None, received_at=received,
        processed_at=received, **fields)
    db.session.add(row)
    db.session.flush()
    return row


def address_health(address: str, bounces: int, *, suppressed: bool) -> MailAddressHealth:
    now = clock.now()
    row = MailAddressHealth(address=address, bounce_count=bounces, last_bounced_at=now,
                            last_reason="550 5.1.1 mailbox unavailable", suppressed_at=now if suppressed else None)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def people(make):
    return {"ada": make.make_user(username="ada", email="ada.mail@example.com"),
            "bob": make.make_user(username="bob", email="bob.mail@example.com")}


@pytest.fixture
def mailbox(people, make):
    """Ada's reply that became a post, her question refused, one waiting for confirmation; Bob's question;
    a refused message from Ada's address never tied to her account; both addresses' bounce records."""
    ada, bob = people["ada"], people["bob"]
    thread = make.make_thread(bob, title="Router keeps dropping")
    reply = make.make_reply(thread, ada, body="ADA-REPLY turned into a post")
    posted = inbound_mail(ada, "ADA-POSTED", thread_id=thread.id, post_id=reply.id)
    refused = inbound_mail(ada, "ADA-REFUSED", status=InboundStatus.REFUSED, minutes=5)
    pending = inbound_mail(ada, "ADA-PENDING", status=InboundStatus.PENDING, minutes=10)
    stranger = inbound_mail(None, "ADA-ADDRESS-UNLINKED", status=InboundStatus.REFUSED, minutes=15,
                            from_address="Ada.Mail@Example.com")
    bobs = inbound_mail(bob, "BOB-QUESTION", minutes=20)
    address_health("ada.mail@example.com", 3, suppressed=True)
    address_health("bob.mail@example.com", 1, suppressed=False)
    db.session.commit()
    return {"posted": posted, "refused": refused, "pending": pending, "stranger": stranger, "bobs": bobs,
            "thread": thread, "reply": reply}


# --- the export ---------------------------------------------------------------------------------------------


def test_the_export_holds_the_email_the_member_sent_and_their_bounce_record(people, mailbox, run_jobs):
    archive = archive_of(people["ada"], run_jobs)
    assert "email_received.json" in archive.read("README.txt").decode()
    received = read_json(archive, "email_received.json")
    assert [m["subject"] for m in received] == ["ADA-POSTED", "ADA-REFUSED", "ADA-PENDING"]
    posted = received[0]
    assert posted == {
        "received_at": "2026-11-20T09:00:00Z", "channel": "smtp", "from": "ada.mail@example.com",
        "to": "support@horseshoe.example", "subject": "ADA-POSTED", "text": "ADA-POSTED BODY", "status": "posted",
        "outcome": "ADA-POSTED OUTCOME", "processed_at": "2026-11-20T09:00:00Z",
        "became": {"thread_id": mailbox["thread"].id, "post_id": mailbox["reply"].id},
    }
    assert [(m["status"], m["became"]) for m in received[1:]] == [("refused", {}), ("pending", {})]
    assert read_json(archive, "profile.json")["email_delivery"] == {
        "address": "ada.mail@example.com", "bounces": 3, "last_bounced_at": "2026-11-20T09:00:00Z",
        "last_reason": "550 5.1.1 mailbox unavailable", "notifications_stopped_at": "2026-11-20T09:00:00Z"}


def test_the_export_never_holds_the_raw_message_or_anyone_elses_mail(people, mailbox, run_jobs):
    archive = archive_of(people["ada"], run_jobs)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"RAW-ADA-PENDING", b"BOB-QUESTION", b"bob.mail@", b"ADA-ADDRESS-UNLINKED", b"Message-ID",
                   b"@mail.example.org"):
        assert secret not in everything, secret


def test_a_member_who_never_wrote_in_gets_an_empty_list_and_no_bounce_record(make, run_jobs):
    archive = archive_of(make.make_user(), run_jobs)
    assert read_json(archive, "email_received.json") == []
    assert read_json(archive, "profile.json")["email_delivery"] is None


# --- erasure ------------------------------------------------------------------------------------------------


def _assert_mail_erased(people, mailbox) -> None:
    ada = db.session.get(User, people["ada"].id)
    db.session.expire_all()
    for name in ("posted", "refused", "pending", "stranger"):
        row = db.session.get(InboundMail, mailbox[name].id)
        assert (row.user_id, row.from_address, row.to_address, row.subject, row.body_text, row.message_id,
                row.raw) == (None, "", "", "", "", "", None), name
        assert row.outcome == erasure.ERASED_OUTCOME, name
    posted = db.session.get(InboundMail, mailbox["posted"].id)
    assert (posted.status, posted.thread_id, posted.post_id) == ("posted", mailbox["thread"].id, mailbox["reply"].id)
    assert db.session.get(Post, mailbox["reply"].id).author_id == ada.id  # the post stays, as their posts do
    assert db.session.get(InboundMail, mailbox["pending"].id).status == "refused"  # never published later
    bobs = db.session.get(InboundMail, mailbox["bobs"].id)
    assert (bobs.user_id, bobs.subject, bobs.from_address) == (people["bob"].id, "BOB-QUESTION", "bob.mail@example.com")
    health = set(db.session.scalars(select(MailAddressHealth.address)))
    assert health == {"bob.mail@example.com"}
    assert db.session.scalar(select(User.id).where(User.email == "ada.mail@example.com")) is None


def test_anonymising_a_member_blanks_their_email_and_forgets_their_address(people, mailbox, make):
    anonymize_user(make.make_user(role="admin"), people["ada"], "asked by email")
    _assert_mail_erased(people, mailbox)


def test_a_members_own_deletion_does_the_same_when_it_falls_due(people, mailbox, clock_at, run_jobs):
    deletion.start(people["ada"], factories.PASSWORD, remove_unanswered=False)
    db.session.commit()
    clock_at.advance(days=8)
    run_jobs()
    _assert_mail_erased(people, mailbox)


def test_a_staged_account_is_erased_the_same_way_and_cannot_be_claimed(make):
    staged = members.add_passwordless_user("wrote-in", "wrote.in@example.com")
    staged.staged_at = clock.now()
    question = inbound_mail(staged, "STAGED-QUESTION", status=InboundStatus.PENDING)
    address_health("wrote.in@example.com", 1, suppressed=False)
    db.session.commit()
    anonymize_user(make.make_user(role="admin"), staged)
    db.session.expire_all()
    row = db.session.get(InboundMail, question.id)
    assert (row.status, row.user_id, row.subject, row.body_text, row.raw) == ("refused", None, "", "", None)
    assert db.session.scalar(select(MailAddressHealth.id)) is None
    assert staged.staged_at is None and staged.anonymized_at is not None


def _reply_from(address: str, to: str, subject: str) -> bytes:
    return (f"From: Ada <{address}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@example.com>\r\n"
            f"Date: Fri, 20 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{subject}: still broken after the update.\r\n").encode()


@pytest.mark.skipif(not hasattr(inbound, "process_inbound_job"), reason="the inbound router is not built yet")
def test_new_mail_from_an_erased_address_never_reaches_the_erased_account(people, mailbox, make, run_jobs):
    ada, thread = people["ada"], mailbox["thread"]
    key = addresses.reply_key(ada.id, "t", thread.id, mailbox["reply"].id)
    category = db.session.get(Category, thread.category_id)
    category.email_address = f"router-help@{addresses.mailbox()[1]}"
    community_settings.update_settings_from_console({"mail.staged_accounts": True})
    anonymize_user(make.make_user(role="admin"), ada)
    reply = inbound.receive(_reply_from("ada.mail@example.com", addresses.reply_address(key), "AFTER-REPLY"),
                            InboundChannel.SMTP).mail
    question = inbound.receive(_reply_from("ada.mail@example.com", category.email_address, "AFTER-QUESTION"),
                               InboundChannel.SMTP).mail
    run_jobs()
    db.session.expire_all()
    for row in (db.session.get(InboundMail, reply.id), db.session.get(InboundMail, question.id)):
        assert row.user_id != ada.id
        assert row.post_id is None or db.session.get(Post, row.post_id).author_id != ada.id
    assert db.session.scalar(select(Post.id).where(Post.author_id == ada.id, Post.body.contains("AFTER-"))) is None


# --- the member 360 -----------------------------------------------------------------------------------------


def _profile(page: str) -> str:
    return " ".join(page.split('id="profile-heading"')[1].split("</section>")[0].split())


def test_staff_see_the_email_line_on_the_member_360(people, mailbox, login_as, make):
    client = login_as(make.make_user("agent"))
    ada = _profile(text(client.get(f"/staff/members/{people['ada'].id}")))
    assert ('<dt>Email</dt><dd class="member-360-mail">3 messages received by email, the last '
            '<time datetime="2026-11-20T09:10:00Z" data-localise="datetime">20 November 2026, 09:10 UTC</time>.') in ada
    assert ('<span class="badge badge-held">Bouncing</span> Their address bounced 3 times: notifications stopped '
            '<time datetime="2026-11-20T09:00:00Z" data-localise="datetime">') in ada
    bob = _profile(text(client.get(f"/staff/members/{people['bob'].id}")))
    assert "1 message received by email" in bob and "Their address bounced 1 time; mail still goes out." in bob


def test_a_member_who_never_wrote_in_shows_no_mail_on_the_360(login_as, make):
    quiet = make.make_user()
    page = _profile(text(login_as(make.make_user("moderator")).get(f"/staff/members/{quiet.id}")))
    assert "No messages received by email. No bounces from their address." in page
