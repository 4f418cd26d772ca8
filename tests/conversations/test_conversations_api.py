"""/api/v1/conversations for every kind of caller: participants read and write, everyone else gets a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import conversations
from forum.accounts import blocks
from forum.core import clock
from forum.core.extensions import db
from forum.models import AuditEntry, Case, CaseMessage, Conversation, Notification, NotificationKind
from forum.services import community_settings
from moderation.services import suspensions
from tests.api.support import assert_problem
from tests.conversations.support import seed_conversation


def member(make, name: str, **extra):
    """A member past the new-account sandbox."""
    return make.make_user(username=name, created_at=clock.now() - timedelta(days=3), **extra)


@pytest.fixture
def people(make):
    return {"ann": member(make, "ann"), "bob": member(make, "bob"), "cat": member(make, "cat"),
            "mod": make.make_user(role="moderator", username="mod")}


def start(api_client, user, to, title="Your order", body="Hello there, about the order."):
    return api_client(user).post("/api/v1/conversations", json={"user_ids": [u.id for u in to], "title": title,
                                                                "body": body})


def test_a_member_starts_a_conversation_and_the_other_reads_and_answers_it(api_client, people):
    ann, bob = people["ann"], people["bob"]
    response = start(api_client, ann, [bob])
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["warnings"] == [] and [m["body"] for m in created["messages"]] == ["Hello there, about the order."]
    assert {p["username"] for p in created["participants"]} == {"ann", "bob"}

    inbox = api_client(bob).get("/api/v1/conversations").get_json()
    assert [(c["id"], c["unread"]) for c in inbox["items"]] == [(created["id"], True)]
    shown = api_client(bob).get(f"/api/v1/conversations/{created['id']}").get_json()
    assert shown["messages"][0]["body_html"].startswith("<p>Hello there")
    assert api_client(bob).get("/api/v1/conversations").get_json()["items"][0]["unread"] is False

    answer = api_client(bob).post(f"/api/v1/conversations/{created['id']}/messages", json={"body": "**Thanks**"})
    assert answer.status_code == 201 and "<strong>Thanks</strong>" in answer.get_json()["body_html"]


def test_the_inbox_is_paged_latest_activity_first(api_client, people, clock_at):
    ann, bob = people["ann"], people["bob"]
    ids = []
    for n in range(3):
        clock_at.advance(minutes=1)
        ids.append(start(api_client, ann, [bob], title=f"Conversation {n}").get_json()["id"])
    first = api_client(bob).get("/api/v1/conversations?limit=2").get_json()
    assert [c["id"] for c in first["items"]] == [ids[2], ids[1]]
    rest = api_client(bob).get(f"/api/v1/conversations?limit=2&cursor={first['next_cursor']}").get_json()
    assert [c["id"] for c in rest["items"]] == [ids[0]] and rest["next_cursor"] is None


def test_anonymous_callers_get_401(client):
    assert_problem(client.get("/api/v1/conversations"), 401)
    assert_problem(client.post("/api/v1/conversations", json={}), 401)


def test_non_participants_and_moderators_without_a_flag_get_404(api_client, people):
    conversation = seed_conversation(people["ann"], [people["bob"]])
    for outsider in (people["cat"], people["mod"]):
        assert_problem(api_client(outsider).get(f"/api/v1/conversations/{conversation.id}"), 404)
        assert_problem(api_client(outsider).post(f"/api/v1/conversations/{conversation.id}/messages",
                                                 json={"body": "Let me in"}), 404)
        assert api_client(outsider).get("/api/v1/conversations").get_json()["items"] == []


def test_a_suspended_participant_reads_but_cannot_write(api_client, people):
    ann, bob, mod = people["ann"], people["bob"], people["mod"]
    conversation = seed_conversation(ann, [bob])
    suspensions.suspend_user(mod, bob, suspensions.SuspensionInput(clock.now() + timedelta(days=3), "Spam"))
    assert api_client(bob).get(f"/api/v1/conversations/{conversation.id}").status_code == 200
    assert_problem(api_client(bob).post(f"/api/v1/conversations/{conversation.id}/messages", json={"body": "Hi"}), 403)
    assert_problem(start(api_client, bob, [ann]), 403)


def test_a_new_account_cannot_start_one_but_staff_can(api_client, make, people):
    newcomer = make.make_user(username="newbie")
    problem = assert_problem(start(api_client, newcomer, [people["ann"]]), 403)
    assert "New accounts" in problem["detail"]
    new_agent = make.make_user(role="agent", username="newagent")
    assert start(api_client, new_agent, [people["ann"]]).status_code == 201


def test_someone_who_is_ignored_cannot_start_one_with_the_one_ignoring_them(api_client, make, people):
    ann, bob = people["ann"], people["bob"]
    blocks.ignore(bob, ann)
    assert_problem(start(api_client, ann, [bob]), 422, "user_ids")
    staff = make.make_user(role="moderator", username="helpful")
    assert start(api_client, staff, [bob]).status_code == 201  # staff are never ignored out


def test_the_group_limit_counts_the_starter(api_client, make, people):
    community_settings.update_settings(make.make_user(role="admin"), {"conversations.max_participants": 3})
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    dan = member(make, "dan")
    assert_problem(start(api_client, ann, [bob, cat, dan]), 422, "user_ids")
    assert start(api_client, ann, [bob, cat]).status_code == 201
    assert_problem(start(api_client, ann, [ann]), 422, "user_ids")
    assert_problem(api_client(ann).post("/api/v1/conversations", json={"user_ids": [99999], "title": "Hello there",
                                                                       "body": "Hi"}), 422, "user_ids")


def test_the_daily_limit_stops_members_but_not_staff(api_client, make, people):
    community_settings.update_settings(make.make_user(role="admin"), {"conversations.daily_limit": 2})
    ann, bob = people["ann"], people["bob"]
    assert [start(api_client, ann, [bob]).status_code for _ in range(2)] == [201, 201]
    refused = assert_problem(start(api_client, ann, [bob]), 429)
    assert refused["title"] == "Daily conversation limit reached"
    agent = make.make_user(role="agent")
    assert [start(api_client, agent, [bob]).status_code for _ in range(3)] == [201, 201, 201]


def test_personal_data_is_warned_about_and_check_only_stores_nothing(api_client, people):
    ann, bob = people["ann"], people["bob"]
    body = "My card is 4111 1111 1111 1111, can you check it?"
    asked = api_client(ann).post("/api/v1/conversations", json={"user_ids": [bob.id], "title": "Card question",
                                                                 "body": body, "check_only": True})
    problem = assert_problem(asked, 409)
    assert problem["warnings"][0]["type"] == "personal_data" and "4111" not in asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0
    sent = start(api_client, ann, [bob], title="Card question", body=body)
    assert sent.status_code == 201 and sent.get_json()["warnings"][0]["type"] == "personal_data"


def test_messages_batch_into_one_notification_per_conversation_and_skip_who_ignores(api_client, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    conversation_id = start(api_client, ann, [bob, cat]).get_json()["id"]
    blocks.ignore(cat, ann)
    api_client(ann).post(f"/api/v1/conversations/{conversation_id}/messages", json={"body": "One more thing"})
    rows = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.MESSAGE.value)).all()
    assert [(row.user_id, row.count, row.conversation_id) for row in rows if row.user_id == bob.id] == [
        (bob.id, 2, conversation_id)]
    assert [row.count for row in rows if row.user_id == cat.id] == [1]  # the first, before cat ignored ann
    api_client(bob).get(f"/api/v1/conversations/{conversation_id}")
    assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == bob.id)) is not None


def test_a_flag_lets_moderators_read_the_conversation_audited_and_hide_the_message(api_client, client, login_as,
                                                                                     people):
    ann, bob, mod = people["ann"], people["bob"], people["mod"]
    conversation = seed_conversation(ann, [bob], body="You are an idiot")
    message_id = conversations.messages_by(ann)[0].id
    login_as(mod)
    assert client.get(f"/moderation/conversations/{conversation.id}").status_code == 404
    flagged = api_client(bob).post(f"/api/v1/conversations/{conversation.id}/messages/{message_id}/flags",
                                   json={"reason": "offensive", "note": "Rude"})
    assert flagged.status_code == 201
    assert_problem(api_client(bob).post(f"/api/v1/conversations/{conversation.id}/messages/{message_id}/flags",
                                        json={"reason": "spam"}), 409)
    assert_problem(api_client(ann).post(f"/api/v1/conversations/{conversation.id}/messages/{message_id}/flags",
                                        json={"reason": "spam"}), 403)  # one's own message

    queue = client.get("/moderation/queue").get_data(as_text=True)
    assert "Flagged private messages" in queue and "About your refund" in queue
    page = client.get(f"/moderation/conversations/{conversation.id}")
    assert page.status_code == 200 and "You are an idiot" in page.get_data(as_text=True)
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.view")).all()
    assert [(a.actor_id, a.target_id) for a in audited] == [(mod.id, conversation.id)]
    assert_problem(api_client(mod).get(f"/api/v1/conversations/{conversation.id}"), 404)  # only through the flag

    decided = client.post(f"/moderation/conversation-messages/{message_id}", data={"action": "hide"})
    assert decided.status_code == 302
    shown = api_client(bob).get(f"/api/v1/conversations/{conversation.id}").get_json()
    assert shown["messages"][0]["hidden"] is True and shown["messages"][0]["body"] == ""
    assert "Flagged private messages" not in client.get("/moderation/queue").get_data(as_text=True)


def test_a_message_emails_the_other_participant_with_a_link_to_the_conversation(api_client, people, smtp_server,
                                                                                run_jobs):
    ann, bob = people["ann"], people["bob"]
    conversation_id = start(api_client, ann, [bob]).get_json()["id"]
    api_client(ann).post(f"/api/v1/conversations/{conversation_id}/messages", json={"body": "Still there?"})
    run_jobs()
    [message] = [m for m in smtp_server.messages if m["To"] == bob.email]  # one email, not one per message
    assert message["Subject"] == "Private conversation: Your order"  # the same for every email of the conversation
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "ann sent you a message (2)" in text  # both messages, one email
    assert f"/messages/{conversation_id}" in text
    assert [m for m in smtp_server.messages if m["To"] == ann.email] == []


def test_staff_open_a_case_from_their_conversation_without_it_counting_as_a_case(client, login_as, make, people):
    ann = people["ann"]
    thread = make.make_thread(author=ann, title="Charged twice for my plan")
    agent = make.make_user(role="agent", username="sam")
    conversation = conversations.start_conversation(agent, conversations.NewConversation(
        [ann.id], "About your account", "We saw a double charge on your account."))
    assert conversation.staff_started and db.session.scalar(select(func.count(Case.id))) == 0
    login_as(agent)
    page = client.get(f"/messages/{conversation.id}").get_data(as_text=True)
    assert "Open a case" in page
    response = client.post(f"/messages/{conversation.id}/case", data={"thread_id": thread.id})
    assert response.status_code == 302
    [case] = db.session.scalars(select(Case)).all()
    assert case.customer_id == ann.id and case.thread_id == thread.id and case.source == "staff"
    [first] = db.session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()
    assert first.visibility == "internal" and "double charge" in first.body


def test_export_helpers_list_a_members_conversations_and_messages(people):
    ann, bob = people["ann"], people["bob"]
    conversation = seed_conversation(ann, [bob])
    assert conversations.conversations_of(bob) == [conversation]
    assert [m.body for m in conversations.messages_by(ann)] == ["Did the second charge go back?"]
    assert conversations.messages_by(bob) == []
