"""Email verification (issue 20): the link mailed at sign-up, what an account may do before following it,
the page that confirms it, asking for another link, and the setting that turns the rule off.

Mail goes through the worker's job to a real SMTP server (tests/support/smtp.py); the links tested are
the ones people receive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts import oidc_tokens, verification
from forum.core.errors import Invalid
from forum.models import OutboundEmail, Post, Thread, User
from forum.services import community_settings
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.web.helpers import text

LINK = re.compile(r"http://localhost(/auth/verify/[\w.-]+)")
PASSWORD = "a long enough passphrase"
BANNER = "Please confirm your email address"
NOT_VERIFIED = "https://horseshoe.dev/problems/email-not-verified"


@pytest.fixture
def newcomer(make) -> User:
    """An account that signed up and has not followed its link yet (its first link is queued)."""
    return make.make_user(username="newcomer", email="newcomer@example.com", verified=False)


@pytest.fixture
def thread(make):
    return make.make_thread(author=make.make_user(username="asker"), title="Router drops the line at night")


def verify_mails(db, address: str) -> int:
    return db.session.scalar(select(func.count(OutboundEmail.id)).where(
        OutboundEmail.to_address == address, OutboundEmail.subject == verification.SUBJECT)) or 0


def link_path(mail_text: str) -> str:
    match = LINK.search(mail_text)
    assert match, mail_text
    return match.group(1)


def ask(client, category_id: int, title: str = "Where is my refund for March?"):
    return client.post("/api/v1/threads", json={"category_id": category_id, "title": title,
                                                "body": "It was promised two weeks ago.", "kind": "question"})


def test_a_sign_up_on_the_page_gets_a_mail_whose_link_confirms_the_address(client, db, make, smtp_server, run_jobs):
    category = make.make_category()
    answer = client.post("/auth/register", data={"username": "ana", "email": "Ana@Example.com", "password": PASSWORD})
    assert answer.status_code == 302
    welcome = text(client.get(answer.headers["Location"]))
    assert "We sent a link to ana@example.com" in welcome and BANNER in welcome
    ana = db.session.scalar(select(User).where(User.username == "ana"))
    assert ana.email_verified_at is None
    assert ask(client, category.id).status_code == 403

    assert run_jobs() == 1
    [mail] = smtp_server.messages
    assert (mail["To"], mail["Subject"]) == ("ana@example.com", "Confirm your email address for Horseshoe")
    body = smtp_server.texts()[0]
    assert "expires in 24 hours" in body
    assert "expires in 24 hours" in mail.get_body(preferencelist=("html",)).get_content()

    page = client.get(link_path(body))  # opening the link (as a mail scanner would) confirms nothing yet
    assert page.status_code == 200 and "Confirm my email address" in text(page) and "ana@example.com" in text(page)
    db.session.refresh(ana)
    assert ana.email_verified_at is None

    pressed = client.post(link_path(body))
    assert pressed.status_code == 303 and pressed.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "ana@example.com is confirmed" in home and BANNER not in home
    db.session.refresh(ana)
    assert ana.email_verified_at is not None
    assert ask(client, category.id).status_code == 201


def test_the_link_confirms_on_another_device_without_signing_in(client, db, newcomer):
    path = urlsplit(verification.link_for(newcomer)).path
    pressed = client.post(path)
    assert pressed.status_code == 303 and pressed.headers["Location"] == "/auth/login"
    assert "newcomer@example.com is confirmed" in text(client.get("/auth/login"))
    db.session.refresh(newcomer)
    assert newcomer.email_verified_at is not None


def test_an_unverified_member_reads_edits_the_profile_and_signs_out(client, db, login_as, newcomer, thread):
    login_as(newcomer)
    home = client.get("/")
    assert home.status_code == 200 and BANNER in text(home) and "newcomer@example.com" in text(home)
    assert client.get(f"/t/{thread.id}/{thread.slug}").status_code == 200

    saved = client.post("/settings/profile", data={"display_name": "New Comer", "bio": "Hi", "time_zone": "UTC"})
    assert saved.status_code == 302
    db.session.refresh(newcomer)
    assert newcomer.display_name == "New Comer"

    assert client.post("/auth/logout").status_code == 302
    assert "Sign out" not in text(client.get("/"))


def test_an_unverified_member_chooses_what_mail_reaches_them_on_the_page_and_the_api_alike(
    client, api_client, db, login_as, newcomer
):
    """Opting in to digests (new accounts start without them) is no taking part: open before confirming."""
    login_as(newcomer)
    saved = client.post("/settings/notifications", data={"email_frequency": "daily", "weekly_digest": "y"})
    assert saved.status_code == 302
    db.session.refresh(newcomer)
    assert (newcomer.email_frequency, newcomer.weekly_digest) == ("daily", True)
    patched = api_client(newcomer).patch("/api/v1/me", json={"email_frequency": "off"})
    assert patched.status_code == 200 and patched.get_json()["email_frequency"] == "off"


def test_an_unverified_member_cannot_post_reply_vote_or_flag_on_the_pages(client, db, login_as, make, newcomer,
                                                                           thread):
    reply = make.make_reply(thread, author=make.make_user(username="helper"), body="Try another cable first.")
    login_as(newcomer)
    posts_before = db.session.scalar(select(func.count(Post.id)))
    attempts = {
        "/ask": {"category_id": thread.category_id, "kind": "question", "title": "My own question here",
                 "body": "Details of it.", "tags": ""},
        f"/t/{thread.id}/reply": {"body": "Me too, any news?"},
        f"/p/{reply.id}/helpful": {},
        f"/p/{reply.id}/flag": {"reason": "spam"},
    }
    for path, data in attempts.items():
        refused = client.post(path, data=data)
        assert refused.status_code == 403, path
        assert "Please confirm your email address first" in text(refused), path
    assert db.session.scalar(select(func.count(Post.id))) == posts_before
    db.session.refresh(reply)
    assert reply.vote_count == 0


def test_an_unverified_api_caller_reads_and_edits_the_profile_but_every_write_is_email_not_verified(
    api_client, db, make, newcomer, thread
):
    reply = make.make_reply(thread, author=make.make_user(username="helper"), body="Try another cable first.")
    api = api_client(newcomer)
    assert api.get("/api/v1/me").status_code == 200
    assert api.get(f"/api/v1/threads/{thread.id}").status_code == 200
    assert api.patch("/api/v1/me", json={"display_name": "New Comer"}).status_code == 200
    writes = [
        ("/api/v1/threads", {"category_id": thread.category_id, "title": "My own question here",
                             "body": "Details of it.", "kind": "question"}),
        (f"/api/v1/threads/{thread.id}/posts", {"body": "Me too, any news?"}),
        (f"/api/v1/posts/{reply.id}/votes", {}),
        (f"/api/v1/posts/{reply.id}/flags", {"reason": "spam"}),
    ]
    for path, body in writes:
        refused = api.post(path, json=body)
        assert refused.status_code == 403, path
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["type"] == NOT_VERIFIED, path
        assert "newcomer@example.com" in refused.get_json()["detail"]
    assert db.session.scalar(select(func.count(Thread.id))) == 1


def test_an_api_sign_up_is_unverified_and_gets_the_link_by_mail(client, db, make, smtp_server, run_jobs):
    category = make.make_category()
    created = client.post("/api/v1/users", json={"username": "bob_api", "email": "bob@example.com",
                                                 "password": PASSWORD})
    assert created.status_code == 201
    assert db.session.scalar(select(User).where(User.username == "bob_api")).email_verified_at is None
    question = {"category_id": category.id, "title": "Where is my refund for March?", "body": "Promised.",
                "kind": "question"}
    refused = client.post("/api/v1/threads", headers=bearer(client, "bob@example.com"), json=question)
    assert refused.status_code == 403 and refused.get_json()["type"] == NOT_VERIFIED

    run_jobs()
    [mail] = smtp_server.messages
    assert mail["To"] == "bob@example.com"
    assert client.post(link_path(smtp_server.texts()[0])).status_code == 303
    allowed = client.post("/api/v1/threads", headers=bearer(client, "bob@example.com"), json=question)
    assert allowed.status_code == 201, allowed.get_json()


def bearer(client, email: str) -> dict[str, str]:
    """A new token (an unconfirmed account's tokens only read, so one made after confirming)."""
    minted = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert minted.status_code == 201, minted.get_json()
    return {"Authorization": f"Bearer {minted.get_json()['token']}"}


def test_the_link_works_for_24_hours_and_not_after(client, db, clock_at, newcomer):
    path = urlsplit(verification.link_for(newcomer)).path
    clock_at.advance(hours=23, minutes=59)
    assert "Confirm my email address" in text(client.get(path))

    clock_at.advance(minutes=1, seconds=1)
    for answer in (client.get(path), client.post(path)):
        assert answer.status_code == 422
        assert "This confirmation link has expired: links last 24 hours" in text(answer)
    db.session.refresh(newcomer)
    assert newcomer.email_verified_at is None


def test_a_tampered_link_is_refused_with_a_page_that_says_so(client, db, newcomer):
    path = urlsplit(verification.link_for(newcomer)).path
    for bad in (path[:-2] + ("aa" if not path.endswith("aa") else "bb"), "/auth/verify/not-a-link"):
        answer = client.post(bad)
        assert answer.status_code == 422 and "This confirmation link is not valid" in text(answer)
    db.session.refresh(newcomer)
    assert newcomer.email_verified_at is None


def test_a_link_sent_to_an_earlier_address_is_dead_once_the_address_changes(db, newcomer):
    """No page changes an address yet; whatever does (an admin, anonymisation) kills the older links."""
    token = verification.make_token(newcomer)
    newcomer.email = "newcomer.moved@example.com"
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        verification.confirm(token)
    assert refused.value.errors["token"] == [verification.OTHER_ADDRESS]
    assert verification.confirm(verification.make_token(newcomer)).email_verified_at is not None


def test_following_the_link_again_changes_nothing(client, db, clock_at, newcomer):
    path = urlsplit(verification.link_for(newcomer)).path
    assert client.post(path).status_code == 303
    db.session.refresh(newcomer)
    confirmed_at = newcomer.email_verified_at
    clock_at.advance(hours=1)
    assert "is already confirmed" in text(client.get(path))
    assert client.post(path).status_code == 303
    db.session.refresh(newcomer)
    assert newcomer.email_verified_at == confirmed_at


def test_asking_again_sends_a_new_link_a_minute_apart_and_five_a_day(client, db, clock_at, login_as, newcomer):
    login_as(newcomer)
    assert verify_mails(db, newcomer.email) == 1  # the sign-up's own

    too_soon = client.post("/auth/verify/resend?next=/badges")
    assert too_soon.status_code == 303 and too_soon.headers["Location"] == "/badges"
    assert "You can ask for another in 60 seconds" in text(client.get("/badges"))
    assert verify_mails(db, newcomer.email) == 1

    first_sent = clock_at.now
    for sent in range(2, 6):
        clock_at.advance(seconds=61)
        assert client.post("/auth/verify/resend").status_code == 303
        assert "A new link is on its way to newcomer@example.com" in text(client.get("/"))
        assert verify_mails(db, newcomer.email) == sent

    clock_at.advance(seconds=61)
    client.post("/auth/verify/resend")
    assert "We have sent 5 links in the last day" in text(client.get("/"))
    assert verify_mails(db, newcomer.email) == 5

    clock_at.set(first_sent + timedelta(days=1, seconds=1))  # the sign-up's link leaves the day's count
    client.post("/auth/verify/resend")
    assert verify_mails(db, newcomer.email) == 6


def test_a_refused_resend_is_a_429_with_the_wait(db, clock_at, newcomer):
    clock_at.advance(seconds=20)
    with pytest.raises(verification.TooSoon) as refused:
        verification.resend(newcomer)
    assert (refused.value.status, refused.value.retry_after_s) == (429, 40)


def test_a_confirmed_account_asking_for_a_link_is_told_there_is_nothing_to_do(client, db, login_as, make):
    member = make.make_user(username="settled", email="settled@example.com")
    login_as(member)
    assert BANNER not in text(client.get("/"))
    assert client.post("/auth/verify/resend").status_code == 303
    assert "settled@example.com is already confirmed: there is nothing to do" in text(client.get("/"))
    assert verify_mails(db, member.email) == 0


def test_with_the_rule_off_an_unverified_account_takes_part_and_sees_no_banner(api_client, client, db, login_as,
                                                                                 make, newcomer):
    category = make.make_category()
    community_settings.update_settings_from_console({"accounts.require_verified_email": False})
    login_as(newcomer)
    assert BANNER not in text(client.get("/"))
    assert ask(api_client(newcomer), category.id).status_code == 201
    community_settings.update_settings_from_console({"accounts.require_verified_email": True})
    assert ask(api_client(newcomer), category.id, "A second question, now refused").status_code == 403


@pytest.fixture
def provider(app: Flask, monkeypatch) -> Iterator[Provider]:
    """A real OpenID Connect provider on 127.0.0.1 that vouches for ada@example.com (tests/support)."""
    idp = Provider().start()
    oidc_tokens.clear_cache()
    configured = {"oidc_issuer": idp.issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
                  "oidc_name": "Acme ID"}
    for name, value in configured.items():
        monkeypatch.setattr(app.config["HORSESHOE"], name, value)
    yield idp
    idp.stop()


def test_an_account_a_sign_in_provider_made_takes_part_at_once(client, db, make, provider):
    category = make.make_category()
    authorize = client.post("/auth/oidc/start").headers["Location"]
    back = urlsplit(provider.authorize(authorize))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    ada = db.session.scalar(select(User).where(User.email == "ada@example.com"))
    assert ada.email_verified_at is not None
    assert BANNER not in text(client.get("/"))
    assert ask(client, category.id).status_code == 201
    assert verify_mails(db, "ada@example.com") == 0
