"""Bounces counted per address: real delivery reports sent back to the VERP return path of real mail.

At the threshold (mail.bounce_threshold, 3 by default) notifications and digests to the address stop,
its owner sees a banner on every page and may try again; a password reset is still sent. Reports about
mail we never sent, or to a return path whose signature is wrong, count nothing.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum import accounts
from forum.core.extensions import db
from forum.mail import addresses, bounces
from forum.models import InboundStatus, MailAddressHealth, Notification, OutboundEmail, User
from forum.services import community_settings, digests, posting
from tests.mail.outbound_support import delivery_report, receive, sent_to, text_of

ADDRESS = "gone@example.com"
BANNER = ("Email to gone@example.com has bounced 3 times, so we stopped emailing you notifications and digests: "
          "they still show here.")


@pytest.fixture
def member(make) -> User:
    return make.make_user(username="gwen", email=ADDRESS)


@pytest.fixture
def thread(make, member):
    return make.make_thread(author=member, title="Router drops at night")


def notify_and_bounce(make, thread, smtp_server, run_jobs, **report):
    """Someone replies, the member's notification goes out, and its mail server sends back a report about it."""
    posting.reply_to_thread(make.make_user(), thread, "Have you tried another channel?")
    run_jobs()
    message, envelope = sent_to(smtp_server, ADDRESS)[-1]
    return receive(delivery_report(envelope.mail_from, ADDRESS, message, **report), envelope.mail_from, run_jobs)


def health() -> MailAddressHealth | None:
    return db.session.scalar(select(MailAddressHealth).where(MailAddressHealth.address == ADDRESS))


def emails_to_member() -> list[str]:
    return list(db.session.scalars(select(OutboundEmail.subject).where(
        OutboundEmail.to_address == ADDRESS, OutboundEmail.subject != "You earned a badge").order_by(OutboundEmail.id)))


def words(response) -> str:
    """The page as it reads: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace(" ,", ",")


def suppress(make, thread, smtp_server, run_jobs) -> None:
    for _ in range(3):
        notify_and_bounce(make, thread, smtp_server, run_jobs)
    assert bounces.is_suppressed(ADDRESS)


def test_a_delivery_report_to_the_return_path_counts_against_the_address(make, member, thread, smtp_server,
                                                                         run_jobs):
    mail = notify_and_bounce(make, thread, smtp_server, run_jobs)

    assert mail.status == InboundStatus.BOUNCE.value
    assert mail.outcome.startswith(f"Email to {ADDRESS} bounced (")
    assert "bounce 1." in mail.outcome and mail.processed_at is not None and mail.raw is None
    row = health()
    assert row.bounce_count == 1 and row.suppressed_at is None and "5.1.1" in row.last_reason
    assert not bounces.is_suppressed(ADDRESS)


def test_a_delay_is_recorded_but_not_counted(make, member, thread, smtp_server, run_jobs):
    mail = notify_and_bounce(make, thread, smtp_server, run_jobs, status="4.4.1", action="delayed")

    assert mail.status == InboundStatus.BOUNCE.value and "not counted" in mail.outcome
    assert health() is None


def test_at_the_threshold_notifications_and_digests_stop_but_a_password_reset_is_sent(
        make, member, thread, smtp_server, run_jobs):
    for count in (1, 2):
        notify_and_bounce(make, thread, smtp_server, run_jobs)
        assert health().bounce_count == count and not bounces.is_suppressed(ADDRESS)
    mail = notify_and_bounce(make, thread, smtp_server, run_jobs)
    assert mail.outcome.endswith("bounce 3; notifications to it stopped.")
    assert bounces.is_suppressed("Gone@Example.com") and bounces.suppressed_among(["GONE@example.com", "x@y.z"]) \
        == {ADDRESS}
    before = emails_to_member()

    posting.reply_to_thread(make.make_user(), thread, "Any news?")
    run_jobs()
    assert emails_to_member() == before  # told in-app only
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == member.id,
                                                           Notification.emailed_at.is_(None))) is None

    member.email_frequency, member.weekly_digest = "daily", True
    db.session.commit()
    posting.reply_to_thread(make.make_user(), thread, "Still there?")
    run_jobs()
    assert digests.send_daily_digests() == 0 and digests.send_weekly_digests() == 0
    assert emails_to_member() == before

    accounts.request_password_reset(ADDRESS)
    run_jobs()
    assert emails_to_member() == [*before, "Reset your Horseshoe password"]
    assert "/auth/reset/" in text_of(sent_to(smtp_server, ADDRESS)[-1][0])


def test_the_owner_sees_the_banner_on_every_page_and_try_again_sends_mail_again(
        make, member, thread, smtp_server, run_jobs, login_as):
    suppress(make, thread, smtp_server, run_jobs)
    client = login_as(member)

    for path in ("/", f"/t/{thread.id}/{thread.slug}", "/settings/notifications"):
        response = client.get(path)
        assert BANNER in words(response), path
        assert "If the address takes mail again (a full mailbox emptied, a mail server back up), try again." in words(
            response)
        assert ">Try again</button>" in response.get_data(as_text=True)
    response = client.post("/settings/email/try-again?next=/notifications")
    assert response.status_code == 303 and response.headers["Location"] == "/notifications"

    assert BANNER not in words(client.get("/"))
    assert not bounces.is_suppressed(ADDRESS) and health().bounce_count == 0
    posting.reply_to_thread(make.make_user(), thread, "Back again?")
    run_jobs()
    assert emails_to_member()[-1] == "Re: Router drops at night"


def test_nobody_else_sees_the_banner_and_try_again_needs_the_csrf_token(
        make, member, thread, smtp_server, run_jobs, client, login_as):
    suppress(make, thread, smtp_server, run_jobs)
    assert "has bounced" not in words(client.get("/"))  # signed out
    assert "has bounced" not in words(login_as(make.make_user()).get("/"))

    login_as(member)
    assert client.post("/settings/email/try-again", csrf=False).status_code == 400
    assert bounces.is_suppressed(ADDRESS)


def test_the_banner_costs_the_thread_page_no_query(make, member, thread, smtp_server, run_jobs, login_as,
                                                   count_queries):
    login_as(member)
    before = count_queries(f"/t/{thread.id}/{thread.slug}")
    suppress(make, thread, smtp_server, run_jobs)
    assert count_queries(f"/t/{thread.id}/{thread.slug}") == before


def test_a_new_address_starts_afresh(make, member, thread, smtp_server, run_jobs, login_as):
    suppress(make, thread, smtp_server, run_jobs)
    member.email = "gwen.new@example.com"
    db.session.commit()

    assert "has bounced" not in words(login_as(member).get("/"))
    posting.reply_to_thread(make.make_user(), thread, "Reached you?")
    run_jobs()
    assert [m["Subject"] for m, _ in sent_to(smtp_server, "gwen.new@example.com")] == ["Re: Router drops at night"]


def test_the_threshold_is_the_admins_setting(make, member, thread, smtp_server, run_jobs):
    community_settings.update_settings(make.make_user("admin"), {"mail.bounce_threshold": 1})
    notify_and_bounce(make, thread, smtp_server, run_jobs)
    assert bounces.is_suppressed(ADDRESS)


def test_a_forged_return_path_counts_nothing(make, member, thread, smtp_server, run_jobs):
    posting.reply_to_thread(make.make_user(), thread, "Have you tried another channel?")
    run_jobs()
    message, envelope = sent_to(smtp_server, ADDRESS)[-1]
    email_id = int(re.match(r"bounces\+(\d+)-", envelope.mail_from).group(1))
    forged = f"bounces+{email_id}-{'a' * 16}@{addresses.mailbox()[1]}"

    mail = receive(delivery_report(forged, ADDRESS, message), forged, run_jobs)
    assert mail.status == InboundStatus.IGNORED.value
    assert health() is None


def test_a_report_about_an_email_we_no_longer_have_is_ignored(make, member, thread, smtp_server, run_jobs):
    posting.reply_to_thread(make.make_user(), thread, "Have you tried another channel?")
    run_jobs()
    message, _ = sent_to(smtp_server, ADDRESS)[-1]
    return_path = addresses.bounce_address(987_654)  # signed by us, but no such email

    mail = receive(delivery_report(return_path, ADDRESS, message), return_path, run_jobs)
    assert mail.status == InboundStatus.IGNORED.value and "987654" in mail.outcome
    assert health() is None
