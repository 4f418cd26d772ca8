"""Review of the private conversations (issue 22).

The first tests pin defects found in review (each failed before its fix, including the three outside
forum/conversations: the page cache, the notifications API and the digest links); the probes after them
are what review checked and found sound (privacy of flags across conversations, bad input, query counts),
kept as regressions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import conversations
from forum.core import clock
from forum.core.extensions import db
from forum.http.page_cache import PageCache, SQLiteStore
from forum.models import AuditEntry, ConversationMessage, OutboundEmail
from forum.models.conversations import ConversationFlag
from forum.services import community_settings, digests
from moderation.services import suspensions, watched_words
from tests.api.support import assert_problem
from tests.conversations.support import seed_conversation
from tests.queries import count_statements


def member(make, name: str, **extra):
    return make.make_user(username=name, created_at=clock.now() - timedelta(days=3), **extra)


@pytest.fixture
def people(make):
    return {"ann": member(make, "ann"), "bob": member(make, "bob"), "cat": member(make, "cat"),
            "mod": make.make_user(role="moderator", username="mod")}


def test_private_pages_tell_every_cache_not_to_store_them(client, login_as, people):
    """Private messages must not stay in a browser's or proxy's cache (back button after signing out)."""
    ann, bob, mod = people["ann"], people["bob"], people["mod"]
    conversation = seed_conversation(ann, [bob], flagged_by=bob)
    login_as(ann)
    for path in ("/messages", f"/messages/{conversation.id}", "/messages/new"):
        control = client.get(path).headers.get("Cache-Control", "")
        assert "no-store" in control and "private" in control, (path, control)
    refused = client.post(f"/messages/{conversation.id}", data={"body": ""})
    assert refused.status_code == 422 and "no-store" in refused.headers.get("Cache-Control", "")
    login_as(mod)
    control = client.get(f"/moderation/conversations/{conversation.id}").headers.get("Cache-Control", "")
    assert "no-store" in control and "private" in control


def test_watched_words_check_the_title_as_well_as_the_body(api_client, make, people):
    """A blocked phrase is refused in a thread's title; a conversation's title (emailed, queued) is no different."""
    admin = make.make_user(role="admin")
    watched_words.add_watched_word(admin, watched_words.WatchedWordInput("crypto giveaway", "block"))
    watched_words.add_watched_word(admin, watched_words.WatchedWordInput("darn", "censor"))
    ann, bob = people["ann"], people["bob"]
    refused = api_client(ann).post("/api/v1/conversations", json={
        "user_ids": [bob.id], "title": "Crypto giveaway inside", "body": "Hello there"})
    assert_problem(refused, 422, "title")
    sent = api_client(ann).post("/api/v1/conversations", json={
        "user_ids": [bob.id], "title": "That darn invoice", "body": "Hello there"})
    assert sent.status_code == 201 and "darn" not in sent.get_json()["title"]


def test_probe_bad_cursor_on_inbox_page_is_not_500(client, login_as, people):
    login_as(people["ann"])
    assert client.get("/messages?cursor=garbage").status_code < 500


def test_probe_web_form_naming_yourself_says_why(client, login_as, people):
    login_as(people["ann"])
    response = client.post("/messages/new", data={"to": "ann", "title": "Hello there", "body": "Hi"})
    assert response.status_code == 422
    assert "You are in the conversation already" in response.get_data(as_text=True)


def test_probe_web_daily_limit_is_not_500(client, login_as, make, people):
    community_settings.update_settings(make.make_user(role="admin"), {"conversations.daily_limit": 1})
    ann, bob = people["ann"], people["bob"]
    seed = conversations.start_conversation(ann, conversations.NewConversation([bob.id], "Hello there", "Hi"))
    assert seed.id
    login_as(ann)
    assert client.get("/messages/new").status_code == 429
    assert client.post("/messages/new", data={"to": "bob", "title": "Again", "body": "Hi"}).status_code == 429


def test_probe_flag_on_a_message_of_another_conversation_is_refused(api_client, client, login_as, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    mine = seed_conversation(bob, [cat])
    theirs = seed_conversation(ann, [cat], body="Secret between ann and cat")
    their_message = db.session.scalar(select(ConversationMessage.id).where(
        ConversationMessage.conversation_id == theirs.id))
    assert_problem(api_client(bob).post(f"/api/v1/conversations/{mine.id}/messages/{their_message}/flags",
                                        json={"reason": "spam"}), 404)
    assert_problem(api_client(bob).post(f"/api/v1/conversations/{theirs.id}/messages/{their_message}/flags",
                                        json={"reason": "spam"}), 404)
    login_as(bob)
    client.post(f"/messages/{mine.id}/{their_message}/flag", data={"reason": "spam"})
    assert db.session.scalar(select(func.count()).select_from(ConversationFlag)) == 0


def test_probe_moderator_cannot_decide_on_unflagged_conversation(client, login_as, people):
    ann, bob, mod = people["ann"], people["bob"], people["mod"]
    conversation = seed_conversation(ann, [bob])
    message = db.session.scalar(select(ConversationMessage).where(
        ConversationMessage.conversation_id == conversation.id))
    login_as(mod)
    assert client.post(f"/moderation/conversation-messages/{message.id}", data={"action": "hide"}).status_code == 404
    db.session.refresh(message)
    assert message.hidden_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_probe_huge_ids_are_404(api_client, client, login_as, people):
    ann = people["ann"]
    assert api_client(ann).get("/api/v1/conversations/99999999999999999999").status_code == 404
    login_as(ann)
    assert client.get("/messages/99999999999999999999").status_code == 404


@pytest.mark.parametrize("payload", [
    {"user_ids": "1", "title": "Hello there", "body": "Hi"},
    {"user_ids": [True], "title": "Hello there", "body": "Hi"},
    {"user_ids": [1.5], "title": "Hello there", "body": "Hi"},
    {"user_ids": [2 ** 70], "title": "Hello there", "body": "Hi"},
    {"user_ids": [1], "title": 5, "body": "Hi"},
    {"user_ids": [1], "title": "Hello there", "body": ["Hi"]},
    {"user_ids": [1], "title": "Hello there"},
    {"user_ids": list(range(1, 51)), "title": "Hello there", "body": "Hi"},
    {"user_ids": [1], "title": "Hello there", "body": "Hi", "check_only": "yes"},
])
def test_probe_bad_json_is_422(api_client, people, payload):
    assert api_client(people["ann"]).post("/api/v1/conversations", json=payload).status_code == 422


def _inbox_statements(fetch) -> int:
    with count_statements() as statements:
        assert fetch().status_code == 200
    return len(statements)


def test_probe_inbox_queries_do_not_grow_with_conversations(api_client, client, login_as, make, people):
    ann = people["ann"]
    others = [member(make, f"pal{n}") for n in range(6)]
    seed_conversation(others[0], [ann])
    api = api_client(ann)
    login_as(ann)
    few = (_inbox_statements(lambda: api.get("/api/v1/conversations")),
           _inbox_statements(lambda: client.get("/messages")))
    for other in others[1:]:
        seed_conversation(other, [ann, people["bob"]])
    many = (_inbox_statements(lambda: api.get("/api/v1/conversations")),
            _inbox_statements(lambda: client.get("/messages")))
    assert all(later <= first for later, first in zip(many, few, strict=True))


# Defects outside forum/conversations (files other parts own): pinned here, reported to the lead.

@pytest.fixture
def anonymous_cache(app, db, tmp_path):
    """The app's signed-out page cache on a fresh SQLite store, pages kept 60 s (as tests/web/test_page_cache.py)."""
    cache: PageCache = app.extensions["page_cache"]
    saved = (cache.store, cache.ttl_s)
    cache.store, cache.ttl_s = SQLiteStore(tmp_path / "page_cache.sqlite3"), 60
    yield cache
    cache.store, cache.ttl_s = saved


def test_private_messages_do_not_retire_the_signed_out_page_cache(app, anonymous_cache, people):
    """No signed-out page shows a conversation; yet each message, and each reading (last_read_at), retired them all."""
    ann, bob = people["ann"], people["bob"]
    conversation = seed_conversation(ann, [bob])
    assert app.test_client().get("/").headers["X-Cache"] == "miss"
    assert app.test_client().get("/").headers["X-Cache"] == "hit"
    conversations.reply(bob, conversation.id, "Read and answered")
    conversations.read_conversation(ann, conversation.id)
    assert app.test_client().get("/").headers["X-Cache"] == "hit"


def test_the_notifications_api_links_a_message_notification_to_its_conversation(api_client, people):
    ann, bob = people["ann"], people["bob"]
    conversation = conversations.start_conversation(ann, conversations.NewConversation([bob.id], "Hello there", "Hi"))
    [item] = api_client(bob).get("/api/v1/notifications").get_json()["items"]
    assert item["url"] == f"/messages/{conversation.id}"


def test_the_daily_digest_links_a_message_notification_to_its_conversation(people):
    ann, bob = people["ann"], people["bob"]
    bob.email_frequency = "daily"
    db.session.commit()
    conversation = conversations.start_conversation(ann, conversations.NewConversation([bob.id], "Hello there", "Hi"))
    assert digests.send_daily_digests() == 1
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == bob.email)).one()
    assert f"/messages/{conversation.id}" in mail.text_body


def test_probe_the_web_form_holds_the_sandbox_suspension_and_unconfirmed_email_like_the_api(client, login_as, make,
                                                                                            people):
    ann, mod = people["ann"], people["mod"]
    newcomer = make.make_user(username="newbie")
    unconfirmed = member(make, "unsure", verified=False)
    suspended = member(make, "muted")
    suspensions.suspend_user(mod, suspended, suspensions.SuspensionInput(clock.now() + timedelta(days=3), "Spam"))
    data = {"to": "ann", "title": "Hello there", "body": "Hi", "confirmed": "1"}
    for user in (newcomer, unconfirmed, suspended):
        login_as(user)
        assert client.get("/messages/new").status_code == 403
        assert client.post("/messages/new", data=data).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ConversationMessage)) == 0
    assert conversations.list_conversations(ann, 10).items == []


def test_probe_an_erased_account_cannot_be_written_to(api_client, people):
    ann, bob = people["ann"], people["bob"]
    bob.anonymized_at = clock.now()
    db.session.commit()
    refused = api_client(ann).post("/api/v1/conversations", json={"user_ids": [bob.id], "title": "Hello there",
                                                                  "body": "Hi"})
    assert_problem(refused, 422, "user_ids")


def test_a_decided_flag_opens_the_conversation_to_moderators_for_a_week_only(client, login_as, people, clock_at):
    """"Only through a flag": once the flag is decided the conversation turns private again after a week,
    whatever is written in it later (a flag long dismissed is no standing licence to read)."""
    ann, bob, mod = people["ann"], people["bob"], people["mod"]
    conversation = seed_conversation(ann, [bob], body="You are an idiot")
    message_id = conversations.messages_by(ann)[0].id
    login_as(bob)
    flagged = client.post(f"/messages/{conversation.id}/{message_id}/flag", data={"reason": "offensive"})
    assert flagged.status_code == 302
    login_as(mod)
    assert client.get(f"/moderation/conversations/{conversation.id}").status_code == 200
    assert client.post(f"/moderation/conversation-messages/{message_id}", data={"action": "dismiss"}).status_code == 302
    clock_at.advance(days=6)
    assert client.get(f"/moderation/conversations/{conversation.id}").status_code == 200
    clock_at.advance(days=2)
    assert client.get(f"/moderation/conversations/{conversation.id}").status_code == 404
