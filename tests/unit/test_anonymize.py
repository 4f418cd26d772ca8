"""Anonymising an account: identity and access go, posts stay, and only the fact is audited."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import select

from forum import accounts, cases, uploads
from forum.accounts import sign_in_guard
from forum.core import clock
from forum.core.errors import Conflict, Forbidden
from forum.integrations import delivery as webhook_delivery
from forum.integrations import payloads, webhooks
from forum.models import ApiToken, AuditEntry, Job, Notification, OutboundEmail, Post, Subscription, WebhookDelivery
from forum.services import audit_writer, indexing, posting
from moderation.services.anonymize import PLACEHOLDER_NAME, anonymize_user
from tests.factories import PASSWORD, session_key_for


@pytest.fixture
def admin(make):
    return make.make_user(role="admin")


@pytest.fixture
def person(make, run_jobs):
    """Someone with a profile, a thread, a reply, a token, subscriptions, notifications and emails."""
    user = make.make_user(username="janedoe", email="jane.doe@example.com", display_name="Jane Doe",
                          bio="I live at 12 Elm Street")
    thread = make.make_thread(author=user, title="My modem blinks orange all day")
    posting.reply_to_thread(make.make_user(), thread, "Did you try the reset button?")  # notifies Jane
    posting.reply_to_thread(user, thread, "Yes, twice; it still blinks.")
    run_jobs()  # the worker writes Jane's notification email
    accounts.create_api_token(user)
    return user


def test_identity_is_replaced_by_placeholders(admin, person):
    anonymize_user(admin, person, "GDPR request #42")
    assert person.username == f"deleted-user-{person.id}" and person.username_key == person.username
    assert person.display_name == PLACEHOLDER_NAME and person.name == PLACEHOLDER_NAME
    assert person.email.endswith("@anonymized.invalid") and "jane" not in person.email
    assert person.bio == "" and person.anonymized_at is not None and person.email_frequency == "off"


def test_their_picture_goes_and_the_default_shows_the_placeholder(admin, person):
    picture = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(picture, "PNG")
    picture.seek(0)
    uploads.set_avatar_from_stream(person, picture, "me.png")
    assert person.avatar_upload_id is not None
    anonymize_user(admin, person, "GDPR request #42")
    assert person.avatar_upload_id is None
    assert uploads.avatar_url(person).startswith(f"/avatars/default/{person.id}.svg")


def test_posts_stay_under_the_placeholder(admin, person, db):
    before = db.session.scalars(db.select(Post.id).where(Post.author_id == person.id)).all()
    anonymize_user(admin, person)
    after = db.session.scalars(db.select(Post.id).where(Post.author_id == person.id, Post.deleted_at.is_(None)))
    assert len(before) == 2 and sorted(after.all()) == sorted(before)


def test_the_account_can_no_longer_be_used(admin, person, db):
    session_id = session_key_for(person)  # a signed-in browser
    anonymize_user(admin, person)
    assert accounts.authenticate("jane.doe@example.com", PASSWORD) is None
    assert accounts.authenticate(person.email, PASSWORD) is None
    assert accounts.load_session_user(session_id) is None
    live = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == person.id,
                                                        ApiToken.revoked_at.is_(None))).all()
    assert live == []


def test_subscriptions_notifications_and_stored_emails_are_deleted(admin, person, db):
    def count(model, *where):
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))

    assert count(Subscription, Subscription.user_id == person.id)
    assert count(Notification, Notification.user_id == person.id)
    assert count(OutboundEmail, OutboundEmail.to_address == "jane.doe@example.com")
    anonymize_user(admin, person)
    assert count(Subscription, Subscription.user_id == person.id) == 0
    assert count(Notification, Notification.user_id == person.id) == 0
    assert count(OutboundEmail, OutboundEmail.to_address == "jane.doe@example.com") == 0


def test_the_audit_entry_records_the_fact_not_the_person(admin, person, db):
    anonymize_user(admin, person, "GDPR request #42")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.anonymize"))
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
        admin.id, "user", person.id, "GDPR request #42")
    assert "jane" not in (entry.before_json + entry.after_json).lower()


def test_only_admins_and_never_themselves_or_twice(make, admin, person):
    with pytest.raises(Forbidden):
        anonymize_user(make.make_user(role="moderator"), person)
    with pytest.raises(Forbidden):
        anonymize_user(admin, admin)
    anonymize_user(admin, person)
    with pytest.raises(Conflict):
        anonymize_user(admin, person)


def test_a_taken_placeholder_name_gets_a_suffix(make, admin):
    person = make.make_user()
    make.make_user(username=f"deleted-user-{person.id}")
    anonymize_user(admin, person)
    assert person.username.startswith(f"deleted-user-{person.id}-")


def test_a_session_or_token_that_outlived_the_erasure_signs_nobody_in(person, db):
    """Say a sign-in slipped in while the erasure ran: the account is erased, so its session and token mean nobody."""
    key, raw = session_key_for(person), accounts.create_api_token(person)
    assert accounts.load_session_user(key) is not None and accounts.user_for_api_token(raw) is not None
    person.anonymized_at = clock.now()
    db.session.commit()
    assert accounts.load_session_user(key) is None
    assert accounts.user_for_api_token(raw) is None


def test_their_ip_addresses_in_the_audit_log_go_too(admin, person, db):
    audit_writer.record(None, sign_in_guard.LIMITED_ACTION, "user", person.id, "Too many failed sign-ins.",
                        after={"source": "198.51.100.23", "failures": 6})
    db.session.commit()
    anonymize_user(admin, person)
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == sign_in_guard.LIMITED_ACTION))
    assert "198.51.100.23" not in entry.after_json
    assert json.loads(entry.after_json) == {"source": None, "failures": 6}  # the fact stays, the address goes


PUBLIC_URL = "https://93.184.215.14/hooks/horseshoe"  # an IP literal: never contacted here


def test_stored_webhook_deliveries_carry_the_anonymous_names(admin, person, db):
    webhooks.create_subscription(admin, webhooks.SubscriptionInput(PUBLIC_URL, ["post.created"], "s3cret-" * 4))
    thread = db.session.scalar(select(Post).where(Post.author_id == person.id)).thread
    posting.reply_to_thread(person, thread, "It blinks orange again this morning.")
    case, _ = cases.escalate_thread(person, thread, "Still blinking")
    webhook_delivery.record("case.created", payloads.helpdesk_case(case), case_id=case.id)  # what a helpdesk gets
    db.session.commit()
    stored = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert any("Jane Doe" in d.payload_json for d in stored) and any("jane.doe@example.com" in d.payload_json
                                                                     for d in stored)
    anonymize_user(admin, person)
    db.session.expire_all()
    stored = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    for delivery in stored:
        assert "janedoe" not in delivery.payload_json.lower() and "Jane Doe" not in delivery.payload_json
    post_created = json.loads(next(d for d in stored if d.event_type == "post.created").payload_json)
    assert post_created["post"]["author"] == {"id": person.id, "username": f"deleted-user-{person.id}",
                                              "display_name": PLACEHOLDER_NAME, "role": "member"}
    assert post_created["post"]["body"] == "It blinks orange again this morning."  # the post itself stays
    helpdesk = json.loads(next(d for d in stored if d.event_type == "case.created").payload_json)
    assert helpdesk["case"]["customer"]["email"] == person.email  # the .invalid placeholder
    assert helpdesk["thread"]["author"]["display_name"] == PLACEHOLDER_NAME


def test_mail_to_other_people_is_left_as_it_was_written(admin, make, db):
    """Word matching in others' mail rewrote unrelated text (a member named "the" or "a"): it stays as sent."""
    the = make.make_user(username="the", display_name="a")
    olga = make.make_user(username="olga", email="olga@example.com", email_frequency="immediately")
    reset = OutboundEmail(to_address="olga@example.com", subject="Reset the password of your account",
                          text_body="Someone asked to reset the password.", html_body='<p><a href="/t/1">the</a></p>',
                          created_at=clock.now())
    db.session.add(reset)
    db.session.commit()
    anonymize_user(admin, the)
    db.session.expire_all()
    assert (reset.subject, reset.text_body, reset.html_body) == (
        "Reset the password of your account", "Someone asked to reset the password.", '<p><a href="/t/1">the</a></p>')
    assert olga.email == "olga@example.com"


def test_their_threads_search_documents_are_purged_not_just_replaced(admin, person, db):
    thread_id = db.session.scalar(select(Post.thread_id).where(Post.author_id == person.id))
    anonymize_user(admin, person)
    purges = db.session.scalars(select(Job.payload_json).where(Job.name == indexing.PURGE_THREAD_JOB)).all()
    assert {json.loads(payload)["thread_id"] for payload in purges} == {thread_id}
