"""The /messages pages with plain form posts (no JavaScript): inbox, new conversation, reply, flag."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, ConversationMessage
from forum.models.conversations import ConversationFlag
from tests.conversations.support import seed_conversation


def member(make, name: str):
    return make.make_user(username=name, created_at=clock.now() - timedelta(days=3))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/messages", "/messages/new", "/messages/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_member_writes_by_username_confirms_personal_data_once_and_gets_an_answer(client, login_as, make):
    ann, bob = member(make, "ann"), member(make, "bob")
    login_as(ann)
    profile = client.get("/u/bob").get_data(as_text=True)
    assert "/messages/new?to=bob" in profile and 'href="/messages"' in profile
    form = client.get("/messages/new?to=bob").get_data(as_text=True)
    assert 'value="bob"' in form
    data = {"to": "@bob", "title": "Your order", "body": "Call me at +44 20 7946 0958 please."}
    warned = client.post("/messages/new", data=data)
    assert warned.status_code == 200 and "personal-data-warning" in warned.get_data(as_text=True)
    assert db.session.scalar(select(Conversation.id)) is None
    sent = client.post("/messages/new", data={**data, "confirmed": "1"})
    assert sent.status_code == 302
    conversation = db.session.scalars(select(Conversation)).one()

    login_as(bob)
    inbox = client.get("/messages").get_data(as_text=True)
    assert "Your order" in inbox and "New" in inbox
    assert "Your order" in client.get("/notifications").get_data(as_text=True)
    assert client.get(f"/messages/{conversation.id}").status_code == 200
    answered = client.post(f"/messages/{conversation.id}", data={"body": "Will do."})
    assert answered.status_code == 302
    assert [m.body for m in db.session.scalars(select(ConversationMessage).order_by(ConversationMessage.id))][-1] == \
        "Will do."


def test_unknown_usernames_are_named_on_the_form(client, login_as, make):
    login_as(member(make, "ann"))
    response = client.post("/messages/new", data={"to": "nobody", "title": "Hello", "body": "Hi"})
    assert response.status_code == 422 and "No member is called @nobody" in response.get_data(as_text=True)


def test_outsiders_get_a_404_page_and_a_participant_flags_by_form(client, login_as, make):
    ann, bob, cat = member(make, "ann"), member(make, "bob"), member(make, "cat")
    conversation = seed_conversation(ann, [bob])
    login_as(cat)
    assert client.get(f"/messages/{conversation.id}").status_code == 404
    login_as(make.make_user(role="admin"))
    assert client.get(f"/messages/{conversation.id}").status_code == 404
    login_as(bob)
    message_id = db.session.scalar(select(ConversationMessage.id))
    flagged = client.post(f"/messages/{conversation.id}/{message_id}/flag", data={"reason": "spam", "note": ""})
    assert flagged.status_code == 302
    assert db.session.scalar(select(ConversationFlag.user_id)) == bob.id
    assert "You flagged this message" in client.get(f"/messages/{conversation.id}").get_data(as_text=True)


def test_a_new_member_is_told_why_they_cannot_start_one(client, login_as, make):
    login_as(make.make_user(username="newbie"))
    response = client.get("/messages/new")
    assert response.status_code == 403 and "New accounts" in response.get_data(as_text=True)


def test_staff_see_send_a_private_message_on_the_member_360_page(client, login_as, make):
    ann = member(make, "ann")
    login_as(make.make_user(role="moderator"))
    page = client.get(f"/staff/members/{ann.id}").get_data(as_text=True)
    assert "Send a private message" in page and "/messages/new?to=ann" in page
