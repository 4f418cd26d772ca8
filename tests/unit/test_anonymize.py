"""Anonymising an account: identity and access go, posts stay, and only the fact is audited."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from forum import accounts, uploads
from forum.core.errors import Conflict, Forbidden
from forum.models import ApiToken, AuditEntry, Notification, OutboundEmail, Post, Subscription
from forum.services import posting
from moderation.services.anonymize import PLACEHOLDER_NAME, anonymize_user
from tests.factories import PASSWORD, session_key_for


@pytest.fixture
def admin(make):
    return make.make_user(role="admin")


@pytest.fixture
def person(make):
    """Someone with a profile, a thread, a reply, a token, subscriptions and notifications."""
    user = make.make_user(username="janedoe", email="jane.doe@example.com", display_name="Jane Doe",
                          bio="I live at 12 Elm Street")
    thread = make.make_thread(author=user, title="My modem blinks orange all day")
    posting.reply_to_thread(make.make_user(), thread, "Did you try the reset button?")  # notifies Jane
    posting.reply_to_thread(user, thread, "Yes, twice; it still blinks.")
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
