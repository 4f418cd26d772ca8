"""Deleting one's own account (issue 20, item 5): confirmed with the password (or an emailed link), a
seven-day grace period that signing in cancels, then anonymisation and the user.deleted webhook.

Browsers sign in through the real sign-in form, each test client being one browser; time moves with
clock_at, and the worker's jobs run with run_jobs, as they would in production.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select, update

from forum import uploads
from forum.accounts import data_export, deletion, members
from forum.core import outbox
from forum.core.extensions import db
from forum.http.urls import thread_path
from forum.integrations import webhooks
from forum.models import (
    ApiToken,
    AuditEntry,
    DataExport,
    OutboundEmail,
    Post,
    RecoveryCode,
    Thread,
    User,
    UserSession,
)
from moderation.services.anonymize import anonymize_user
from tests import factories
from tests.support.receiver import Receiver, running_receiver
from tests.web.helpers import text

PAGE = "/settings/privacy"
SCHEDULE = "/settings/privacy/delete"
CANCEL = "/settings/privacy/cancel-deletion"
DUE_AT = "2026-11-27T09:00:00Z"  # TEST_NOW + 7 days
CONFIRM_LINK = re.compile(r"http://localhost(/settings/privacy/delete/confirm/[\w.-]+)")
SECRET = "receiver-shared-secret"


def browser(app: Flask, ip: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=ip, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    return client


def signed_in_browser(app: Flask, user: User, ip: str = "203.0.113.77") -> FlaskClient:
    """A browser signed in through the sign-in form."""
    client = browser(app, ip)
    response = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, text(response)
    return client


def is_signed_in(client: FlaskClient) -> bool:
    return "Sign out" in text(client.get("/"))


def bearer(app: Flask, raw_token: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw_token}"
    return client


def refreshed(user: User) -> User:
    db.session.expire_all()
    return db.session.get_one(User, user.id)


def png() -> io.BytesIO:
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 20)).save(picture, "PNG")
    picture.seek(0)
    return picture


@pytest.fixture
def member(make) -> User:
    return make.make_user(username="rosa", email="rosa.lind@example.com", display_name="Rosa Lind",
                          bio="I live at 12 Elm Street")


@pytest.fixture
def laptop(app, member) -> FlaskClient:
    return signed_in_browser(app, member, "203.0.113.77")


@pytest.fixture
def phone(app, member) -> FlaskClient:
    return signed_in_browser(app, member, "198.51.100.23")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


def schedule_on_the_page(client: FlaskClient, password: str = factories.PASSWORD, remove: bool = False):
    data = {"password": password}
    if remove:
        data["remove_unanswered"] = "y"
    return client.post(SCHEDULE, data=data)


# --- scheduling --------------------------------------------------------------------------------------------------


def test_a_member_schedules_deletion_on_the_privacy_page_and_every_other_way_in_ends(app, member, laptop, phone):
    token = members.create_api_token(member, name="script")
    db.session.commit()
    answer = schedule_on_the_page(laptop)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/settings/privacy#delete")
    page = text(laptop.get(PAGE))
    assert "scheduled for deletion on" in page and "27 November 2026, 09:00 UTC" in page
    assert "Cancel deletion" in page
    assert refreshed(member).deletion_scheduled_at.isoformat() == "2026-11-27T09:00:00+00:00"
    assert is_signed_in(laptop) and not is_signed_in(phone)  # this browser stays, so its owner can cancel
    assert bearer(app, token).get("/api/v1/me").status_code == 401
    mail = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == "rosa.lind@example.com",
                                                         OutboundEmail.subject.like("%will be deleted%")))
    assert "27 November 2026, 09:00 UTC" in mail.text_body and "Sign in before that date" in mail.text_body
    assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "user.deletion_scheduled")) \
        == member.id


def test_a_wrong_or_missing_password_is_refused_and_changes_nothing(app, member, laptop, phone, api_client):
    token = members.create_api_token(member, name="script")
    db.session.commit()
    wrong = schedule_on_the_page(laptop, password="not my password at all")
    assert wrong.status_code == 422 and "That is not your password." in text(wrong)
    missing = api_client(member).delete("/api/v1/me", json={})
    assert missing.status_code == 422 and "password" in missing.get_json()["errors"]
    by_api = api_client(member).delete("/api/v1/me", json={"password": "not my password at all"})
    assert by_api.status_code == 422
    assert by_api.get_json()["errors"]["password"] == ["That is not your password."]
    assert refreshed(member).deletion_scheduled_at is None
    assert is_signed_in(laptop) and is_signed_in(phone)
    assert bearer(app, token).get("/api/v1/me").status_code == 200


def test_the_api_schedules_deletion_and_revokes_every_token_including_its_own(app, member, laptop, api_client):
    client = api_client(member)
    answer = client.delete("/api/v1/me", json={"password": factories.PASSWORD, "remove_unanswered": True})
    assert answer.status_code == 202
    assert answer.get_json() == {"deletion_scheduled_at": DUE_AT, "confirmation": "password"}
    assert refreshed(member).deletion_removes_unanswered is True
    assert client.get("/api/v1/me").status_code == 401
    assert not is_signed_in(laptop)  # a token has no browser session to keep: every one ends
    live = db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == member.id,
                                                                    ApiToken.revoked_at.is_(None)))
    assert live == 0


def test_a_suspended_member_may_still_delete_their_account(app, member, laptop, clock_at):
    member.suspended_until = clock_at.now + timedelta(days=30)
    db.session.commit()
    assert schedule_on_the_page(laptop).status_code == 302
    assert refreshed(member).deletion_scheduled_at is not None


def test_staff_accounts_are_not_deleted_by_themselves(app, make, api_client):
    admin = make.make_user("admin")
    assert "ask an admin to make yours a member account first" in text(signed_in_browser(app, admin).get(PAGE))
    answer = api_client(admin).delete("/api/v1/me", json={"password": factories.PASSWORD})
    assert answer.status_code == 403
    assert refreshed(admin).deletion_scheduled_at is None


# --- changing one's mind -----------------------------------------------------------------------------------------


def test_signing_in_on_the_form_within_seven_days_cancels_the_deletion(app, member, laptop, clock_at, run_jobs):
    schedule_on_the_page(laptop)
    clock_at.advance(days=6, hours=23)
    welcome = signed_in_browser(app, member, "192.0.2.8")
    assert "signing in cancelled the deletion" in text(welcome.get("/"))
    assert refreshed(member).deletion_scheduled_at is None
    clock_at.advance(days=2)
    run_jobs()
    kept = refreshed(member)
    assert (kept.username, kept.email, kept.anonymized_at) == ("rosa", "rosa.lind@example.com", None)


def test_the_cancel_button_keeps_the_account(member, laptop, clock_at, run_jobs):
    schedule_on_the_page(laptop)
    answer = laptop.post(CANCEL, follow_redirects=True)
    assert "Your account will not be deleted." in text(answer) and "Delete my account" in text(answer)
    clock_at.advance(days=8)
    run_jobs()
    assert refreshed(member).anonymized_at is None and refreshed(member).username == "rosa"


def test_a_sign_in_that_loses_the_race_to_the_deletion_job_does_not_bring_the_account_back(member, laptop, clock_at):
    """The job claimed the account a moment before the sign-in cancelled with its copy read earlier."""
    schedule_on_the_page(laptop)
    signing_in = refreshed(member)
    assert signing_in.deletion_scheduled_at is not None
    db.session.execute(update(User).where(User.id == member.id).values(anonymized_at=clock_at.now)
                       .execution_options(synchronize_session=False))  # the job's claim
    assert members.cancel_scheduled_deletion(signing_in) is False
    db.session.commit()
    kept = refreshed(member)
    assert kept.anonymized_at is not None and kept.deletion_scheduled_at is not None
    assert not db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "user.deletion_cancelled"))


def test_signing_in_the_moment_the_job_erased_the_account_signs_nobody_in(app, member, laptop, clock_at):
    """The password was checked a moment before the job's erasure committed: no session, no token."""
    schedule_on_the_page(laptop)
    db.session.execute(update(User).where(User.id == member.id).values(anonymized_at=clock_at.now)
                       .execution_options(synchronize_session=False))  # the job's erasure, password not yet gone
    db.session.commit()
    sessions_before = db.session.scalar(select(func.count(UserSession.id)))
    browser = app.test_client()
    page = browser.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD},
                        follow_redirects=True)
    assert "This account was deleted." in text(page) and "Sign out" not in text(page)
    api = app.test_client().post("/api/v1/tokens", json={"email": member.email, "password": factories.PASSWORD})
    assert api.status_code == 401
    assert db.session.scalar(select(func.count(UserSession.id))) == sessions_before
    assert not db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == member.id,
                                                           ApiToken.revoked_at.is_(None)))


def test_a_member_made_staff_during_the_grace_period_is_not_deleted(make, member, laptop, clock_at, run_jobs):
    schedule_on_the_page(laptop)
    members.set_role(make.make_user(role="admin"), refreshed(member), "moderator")
    db.session.commit()
    clock_at.advance(days=7)
    run_jobs()
    kept = refreshed(member)
    assert (kept.username, kept.anonymized_at, kept.deletion_scheduled_at) == ("rosa", None, None)
    refused = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.deletion_refused"))
    assert refused.target_id == member.id and "Staff accounts" in refused.reason
    assert not db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "user.delete"))


# --- after the grace period --------------------------------------------------------------------------------------


def test_after_seven_days_the_account_is_anonymised_and_its_posts_stay(app, make, member, laptop, clock_at, run_jobs):
    thread = make.make_thread(author=member, title="My modem blinks orange all day")
    answer = make.make_reply(thread, body="Hold the reset button for ten seconds.")
    make.make_reply(make.make_thread(), author=member, body="Same here, a firmware update fixed it.")
    uploads.set_avatar_from_stream(member, png(), "me.png")
    member.totp_secret, member.totp_enabled_at = "JBSWY3DPEHPK3PXP", clock_at.now
    db.session.add(RecoveryCode(user_id=member.id, code_hash="0" * 64, created_at=clock_at.now))
    archive = data_export.exports_dir() / "rosa-archive.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    db.session.add(DataExport(user_id=member.id, status="ready", progress=100, file_name=archive.name,
                              requested_at=clock_at.now))
    db.session.commit()
    schedule_on_the_page(laptop)
    clock_at.advance(days=6, hours=23)
    outbox.enqueue(deletion.DUE_JOB, {})  # the periodic sweep comes by an hour early
    db.session.commit()
    run_jobs()
    assert refreshed(member).anonymized_at is None  # not a minute early
    clock_at.advance(hours=1)
    run_jobs()

    gone = refreshed(member)
    assert gone.username == f"deleted-user-{member.id}" and gone.name == "Former member"
    assert gone.email.endswith("@anonymized.invalid") and gone.bio == "" and gone.avatar_upload_id is None
    assert (gone.totp_secret, gone.deletion_scheduled_at) == (None, None)
    assert members.authenticate("rosa.lind@example.com", factories.PASSWORD) is None
    assert not is_signed_in(laptop)
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == member.id)).all()
    assert rows and all(r.ended_at is not None and r.ip_address is None for r in rows)
    for model in (RecoveryCode, DataExport):
        assert db.session.scalar(select(func.count(model.id)).where(model.user_id == member.id)) == 0
    assert not archive.exists()
    live_posts = db.session.scalars(select(Post).where(Post.author_id == member.id, Post.deleted_at.is_(None))).all()
    assert len(live_posts) == 2
    page = text(app.test_client().get(thread_path(thread)))
    assert "Former member" in page and "Rosa Lind" not in page and answer.body in page
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "user.delete",
                                                         AuditEntry.target_id == member.id))


def test_removing_unanswered_questions_removes_only_threads_nobody_else_took_part_in(
        app, make, member, laptop, clock_at, run_jobs):
    lonely = make.make_thread(author=member, title="Nobody ever answered this one")
    make.make_reply(lonely, author=member, body="Bumping my own question, still stuck.")
    answered = make.make_thread(author=member, title="Somebody answered this one")
    make.make_reply(answered, body="Check the cable first.")
    elsewhere = make.make_thread(title="Someone else's question")
    make.make_reply(elsewhere, author=member, body="My reply in a thread another member started.")
    schedule_on_the_page(laptop, remove=True)
    clock_at.advance(days=7)
    run_jobs()

    db.session.expire_all()
    assert db.session.get(Thread, lonely.id).deleted_at is not None
    assert app.test_client().get(thread_path(lonely)).status_code == 404
    assert db.session.get(Thread, answered.id).deleted_at is None
    assert db.session.get(Thread, elsewhere.id).reply_count == 1  # their reply stays, and still counts
    assert "My reply in a thread another member started." in text(app.test_client().get(thread_path(elsewhere)))
    listed = {t["id"] for t in app.test_client().get("/api/v1/threads").get_json()["items"]}
    assert answered.id in listed and lonely.id not in listed


def test_the_user_deleted_webhook_reaches_a_real_receiver_with_no_personal_data(
        app, make, member, laptop, receiver, clock_at, run_jobs):
    admin_browser = signed_in_browser(app, make.make_user("admin"), "192.0.2.8")
    assert 'value="user.deleted"' in text(admin_browser.get("/admin/webhooks"))  # offered among the events
    subscribed = admin_browser.post("/admin/webhooks", data={"url": receiver.url, "events": ["user.deleted"],
                                                             "secret": SECRET, "allow_private": "y"})
    assert subscribed.status_code == 302, text(subscribed)
    schedule_on_the_page(laptop)
    clock_at.advance(days=7)
    run_jobs()
    [delivery] = receiver.received
    assert delivery.verify(SECRET)
    body = delivery.json
    assert body["type"] == "user.deleted"
    assert body["data"] == {"user_id": member.id, "deleted_at": DUE_AT}
    assert b"rosa" not in delivery.body.lower() and b"elm street" not in delivery.body.lower()


def test_an_admin_anonymising_an_account_tells_the_receivers_too(make, member, receiver, run_jobs):
    admin = make.make_user("admin")
    webhooks.create_subscription(admin, webhooks.SubscriptionInput(receiver.url, ["user.deleted"], SECRET,
                                                                   allow_private=True))
    anonymize_user(admin, member, "GDPR request #42")
    run_jobs()
    assert [r.json["data"]["user_id"] for r in receiver.received] == [member.id]


# --- accounts without a password ---------------------------------------------------------------------------------


@pytest.fixture
def provider_member(make) -> User:
    """An account an identity provider made: it has no password."""
    user = members.add_passwordless_user("sso.sam", "sam@example.com", display_name="Sam")
    db.session.commit()
    return user


def emailed_link(address: str) -> str:
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == address)
                              .order_by(OutboundEmail.id.desc())).first()
    match = CONFIRM_LINK.search(mail.text_body)
    assert match, mail.text_body
    return match.group(1)


def test_an_account_without_a_password_confirms_by_an_emailed_link(app, provider_member, login_as, clock_at):
    client = login_as(provider_member)
    page = text(client.get(PAGE))
    assert 'name="password"' not in page and "Email me a confirmation link" in page
    asked = client.post(SCHEDULE, data={"remove_unanswered": "y"}, follow_redirects=True)
    assert "We emailed you a link" in text(asked)
    assert refreshed(provider_member).deletion_scheduled_at is None  # nothing until the link is followed
    link = emailed_link("sam@example.com")

    opened = app.test_client().get(link)  # a mail scanner opening it changes nothing
    assert opened.status_code == 200 and "Delete the account <strong>sso.sam</strong>?" in text(opened)
    assert refreshed(provider_member).deletion_scheduled_at is None
    confirmed = client.post(link)
    assert "scheduled for deletion on" in text(confirmed) and "27 November 2026, 09:00 UTC" in text(confirmed)
    assert refreshed(provider_member).deletion_removes_unanswered is True
    assert is_signed_in(client)


def test_the_api_answers_an_account_without_a_password_with_an_emailed_link(provider_member, api_client):
    answer = api_client(provider_member).delete("/api/v1/me")
    assert answer.status_code == 202
    assert answer.get_json()["deletion_scheduled_at"] is None and answer.get_json()["confirmation"] == "email"
    assert emailed_link("sam@example.com")


def test_a_confirmation_link_expires_after_a_day_and_works_once(app, provider_member, login_as, clock_at):
    client = login_as(provider_member)
    deletion.request_by_email(provider_member, remove_unanswered=False)
    link = emailed_link("sam@example.com")
    clock_at.advance(hours=25)
    late = client.post(link)
    assert late.status_code == 404 and "This link has expired." in text(late)

    deletion.request_by_email(provider_member, remove_unanswered=False)
    fresh = emailed_link("sam@example.com")
    assert client.post(fresh).status_code == 200
    deletion.cancel(refreshed(provider_member))
    again = client.post(fresh)
    assert again.status_code == 404 and "This link was already used." in text(again)
    assert refreshed(provider_member).deletion_scheduled_at is None


def test_a_forged_link_is_refused(app):
    answer = app.test_client().get("/settings/privacy/delete/confirm/not-a-real-link")
    assert answer.status_code == 404 and "This link is not valid." in text(answer)
