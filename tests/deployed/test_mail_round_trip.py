"""Email both ways against the deployed site: gunicorn, the job worker and `flask mail listen` as processes.

A member is told of a reply by email (through the real SMTP sink), answers from their mail client to the
Reply-To address through the listener process, and the worker process turns the answer into a post with the
quoted text gone. A reply whose key was tampered with comes back as a bounce, and nothing is posted.
"""

from __future__ import annotations

import smtplib
import socket
import sys
from email.message import EmailMessage

import pytest

from tests.conftest import free_port
from tests.deployed.browser import MAIL_TIMEOUT_S, Api, inbox_of
from tests.deployed.site import STAFF_PASSWORD, Site, tail
from tests.support.crash import wait_for

pytestmark = [pytest.mark.deployed, pytest.mark.real_clock]



def members(site: Site, *usernames: str) -> list[Api]:
    """Members made with `flask users create` (confirmed addresses), signed in to the API.

    Not signed up over HTTP: the per-address sign-up budget (limits.sign_ups_per_hour) is the other
    deployed tests'.
    """
    site.create_users(*((name, "member") for name in usernames))
    return [Api(site.base_url).sign_in(name, STAFF_PASSWORD) for name in usernames]


@pytest.fixture(scope="module")
def listener_port(site: Site) -> int:
    """`flask mail listen` started beside the site, as a small site's MX would reach it."""
    port = free_port()
    process = site.start_process("mail-listener", [
        sys.executable, "-m", "flask", "--app", "wsgi", "mail", "listen", "--host", "127.0.0.1", "--port", str(port),
    ])

    def accepting() -> bool:
        assert process.running(), f"the listener exited:\n{tail(process.log)}"
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_for(accepting, 30, "flask mail listen to accept connections")
    return port


def newest_mail_to(site: Site, address: str, subject_part: str) -> EmailMessage:
    sink = inbox_of(site.base_url).sink

    def found() -> EmailMessage | None:
        return next((m for m in reversed(list(sink.messages))
                     if m["To"] == address and subject_part in str(m["Subject"])), None)

    return wait_for(found, MAIL_TIMEOUT_S, f"the worker to mail {address} about {subject_part!r}")


def answer(notification: EmailMessage, sender: str, text: str, to: str | None = None) -> EmailMessage:
    """What a mail client sends when its user presses Reply: the new words on top, the original quoted below."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = to or notification["Reply-To"]
    reply["Subject"] = "Re: " + str(notification["Subject"])
    reply["In-Reply-To"] = notification["Message-ID"]
    reply["References"] = f"{notification.get('References', '')} {notification['Message-ID']}".strip()
    quoted = "\n".join("> " + line for line in notification.get_body(("plain",)).get_content().splitlines())
    reply.set_content(f"{text}\n\nOn Sun, 6 Dec 2026 at 10:02, Horseshoe <no-reply@horseshoe.local> wrote:\n{quoted}\n")
    return reply


def send(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(message)


@pytest.fixture(scope="module")
def asker_and_helper(site: Site) -> list[Api]:
    """Two members both tests share: the deployed sign-in limit (10 a minute from one address) is everyone's."""
    return members(site, "eve_emails", "finn_helps")


def test_a_member_answers_a_reply_notification_from_their_inbox(site: Site, category_id, listener_port,
                                                                asker_and_helper):
    asker, helper = asker_and_helper
    thread_id = asker.ask(category_id, "Router drops the connection every evening",
                          "Every evening around eight the connection drops for a minute or two.")
    helper.reply(
        thread_id, "Turn off band steering in the router's wireless settings; evening drops are often that.")

    # Every email about the thread has its title for subject (one conversation in a mail client).
    notification = newest_mail_to(site, "eve_emails@example.org", "Re: Router drops the connection every evening")
    assert notification["Reply-To"].startswith("reply+")
    assert f"thread-{thread_id}@" in notification["References"]  # every mail about the thread groups as one

    send(listener_port, answer(notification, "eve_emails@example.org", "That was it, no drops since. Thanks!"))

    def posted() -> dict | None:
        items = asker.call("GET", f"/threads/{thread_id}/posts").json()["items"]
        return next((p for p in items if "no drops since" in p["body"]), None)

    post = wait_for(posted, MAIL_TIMEOUT_S, "the worker to post the emailed reply")
    assert post["author"]["username"] == "eve_emails"
    assert "band steering" not in post["body"] and "wrote:" not in post["body"]  # the quote is stripped


def test_a_tampered_reply_address_is_bounced_and_posts_nothing(site: Site, category_id, listener_port,
                                                               asker_and_helper):
    # Roles swapped: the helper of the first test asks here, so nobody replies twice within the reply limit.
    replier, asker = asker_and_helper
    thread_id = asker.ask(category_id, "Invoice PDF will not open on my phone",
                          "The invoice attachment shows an error on my phone, on the laptop it opens.")
    replier.reply(thread_id, "Which app opens PDFs on the phone?")
    notification = newest_mail_to(site, "finn_helps@example.org", "Re: Invoice PDF will not open on my phone")
    local, _, domain = notification["Reply-To"].partition("@")
    forged = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain  # one character of the signature changed

    send(listener_port, answer(notification, "finn_helps@example.org", "Files, the built-in one.", to=forged))

    bounce = newest_mail_to(site, "finn_helps@example.org", "Not posted")
    assert "Files, the built-in one." not in [p["body"] for p in
                                              asker.call("GET", f"/threads/{thread_id}/posts").json()["items"]]
    assert bounce["Auto-Submitted"] and bounce["Auto-Submitted"] != "no"
