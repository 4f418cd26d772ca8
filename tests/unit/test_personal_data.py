"""The personal-data guard: what the detector flags (and what it leaves alone), and moving posts into a case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import cases
from forum.accounts import personal_data, personal_data_moves
from forum.accounts.personal_data import Kind
from forum.core.errors import Conflict, Forbidden
from forum.core.extensions import db
from forum.models import AuditEntry, Case, CaseMessage, Notification, PostRevision, Thread, User
from forum.services import posting, reading


def kinds(text: str) -> list[str]:
    return [finding.kind.value for finding in personal_data.find(text)]


# --- detection -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Write to me at jane.doe+shop@example.co.uk please",
    "mail: J_Smith99@mail.example.com.",
])
def test_email_addresses_are_found(text):
    assert kinds(text) == ["email"]


@pytest.mark.parametrize("text", [
    "My card is 4111 1111 1111 1111 and it was charged twice",
    "card 4111-1111-1111-1111",
    "5500000000000004",
    "Amex 3782 822463 10005",
    "6011111111111117 (Discover)",
])
def test_card_numbers_passing_luhn_are_found(text):
    assert kinds(text) == ["card"]


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112",        # fails the Luhn check
    "0000 0000 0000 0000",             # passes Luhn, but no card looks like that
    "Order number 1234567890123456 shipped",
    "timestamp 1700000000000 in the log",
    "tracking 9400111899223100001234",  # too long for a card
])
def test_numbers_that_are_not_cards_are_left_alone(text):
    assert kinds(text) == []


def test_luhn():
    assert personal_data.luhn_valid("4111111111111111")
    assert personal_data.luhn_valid("79927398713")
    assert not personal_data.luhn_valid("79927398710")
    assert not personal_data.luhn_valid("4111-1111")


@pytest.mark.parametrize("text", [
    "Call +44 20 7946 0958 any time",
    "Call 0044 20 7946 0958",
    "my number is +1 (415) 555-0132",
    "reach me on +49 30 901820",
    "my number (555) 123-4567",
    "Phone: 555 123 4567",
    "mobile 07700 900123",
])
def test_phone_numbers_are_found(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize("text", [
    "I live at 221B Baker Street, London",
    "Send it to 1600 Pennsylvania Ave NW, Washington",
    "Meine Adresse: Hauptstraße 5, Berlin",
    "12 rue de la Paix, Paris",
    "42 Wallaby Way, Sydney",
])
def test_postal_addresses_are_found(text):
    assert kinds(text) == ["address"]


@pytest.mark.parametrize("text", [
    "Order #100234567 from 2024-01-15 on version 3.12.1 at 192.168.1.10",
    "Error 0x80070005 in build 22631.2861 since 15/01/2024",
    "uuid 550e8400-e29b-41d4-a716-446655440000",
    "+1 to this, works with 2 apps on 3 devices",
    "I tried 3 different ways and 2 Main things",
    "Router at 10.0.0.1:8080, firmware v2.4.15, ticket 98765",
    "It costs $1,299.99 (was 1 499,00 €) since 12:30 on 2024-03-31T10:00:00Z",
    "Visit https://example.com/help?id=4111111111111111x for details",
    "",
])
def test_everyday_numbers_are_not_personal_data(text):
    assert kinds(text) == []


def test_findings_come_in_reading_order_and_never_overlap():
    text = "Card 4111 1111 1111 1111, mail a@example.com, call +44 20 7946 0958, at 10 Downing Street."
    assert kinds(text) == ["card", "email", "phone", "address"]
    assert kinds("reach me: 4155550132@sms.example.com") == ["email"]  # the digits belong to the email


def test_masks_show_enough_to_recognise_but_not_the_data():
    found = {f.kind: f.masked for f in personal_data.find(
        "4111 1111 1111 1111 / jane@example.com / +44 20 7946 0958 / 221B Baker Street")}
    assert found == {Kind.CARD: "••• 1111", Kind.EMAIL: "j•••@example.com", Kind.PHONE: "••• 58",
                     Kind.ADDRESS: "••• Baker Street"}
    assert personal_data.summary(personal_data.find("card 4111111111111111")) == ["a card number (••• 1111)"]


def test_redact_replaces_each_finding_with_what_was_removed():
    text = "Charged twice on 4111 1111 1111 1111; mail jane@example.com or call +44 20 7946 0958."
    assert personal_data.redact(text) == (
        "Charged twice on [card number removed]; mail [email address removed] or call [phone number removed].")
    assert personal_data.redact("Nothing personal in v1.2.3") == "Nothing personal in v1.2.3"
    assert not personal_data.contains_personal_data(personal_data.redact(text))


# --- moving into a case --------------------------------------------------------------------------

CARD_TEXT = "I was charged twice on card 4111 1111 1111 1111, please refund."


@pytest.fixture
def agent(make) -> User:
    return make.make_user("agent")


def test_a_new_question_can_go_public_redacted_with_the_original_in_a_case(make):
    asker = make.make_user()
    category = make.make_category()
    data = posting.NewThread(category_id=category.id, title="Charged twice this month", body=CARD_TEXT)
    thread, case = personal_data_moves.start_thread_privately(asker, data)
    assert reading.question_post(thread).body == (
        "I was charged twice on card [card number removed], please refund.")
    assert (case.thread_id, case.customer_id, case.source) == (thread.id, asker.id, "customer")
    (message,) = cases.messages_for(asker, case)
    assert (message.body, message.visibility, message.author_id) == (CARD_TEXT, "customer", asker.id)


def test_the_title_is_redacted_too_and_kept_in_the_case(make):
    asker = make.make_user()
    data = posting.NewThread(category_id=make.make_category().id, title="Refund to jane@example.com please",
                             body="Charged twice, see title.")
    thread, case = personal_data_moves.start_thread_privately(asker, data)
    assert thread.title == "Refund to [email address removed] please"
    assert cases.messages_for(asker, case)[0].body.startswith("Refund to jane@example.com please")


def test_the_asker_sends_a_reply_privately_and_nothing_is_posted(make):
    thread = make.make_thread()
    replies_before = thread.reply_count
    case = personal_data_moves.send_reply_privately(thread.author, thread, CARD_TEXT)
    again = personal_data_moves.send_reply_privately(thread.author, thread, "And mail jane@example.com")
    assert again.id == case.id  # one open case per thread
    assert [m.body for m in cases.messages_for(thread.author, case)] == [CARD_TEXT, "And mail jane@example.com"]
    assert db.session.get(Thread, thread.id).reply_count == replies_before


def test_only_the_asker_sends_replies_privately(make):
    thread = make.make_thread()
    with pytest.raises(Forbidden):
        personal_data_moves.send_reply_privately(make.make_user(), thread, CARD_TEXT)
    assert cases.open_case_for(thread) is None


def test_staff_move_the_askers_post_keeping_a_redacted_version_and_a_redacted_revision(make, agent):
    thread = make.make_thread(body=CARD_TEXT)
    question = reading.question_post(thread)
    case = personal_data_moves.move_post_to_case(agent, question, "card number in public")
    assert question.body == "I was charged twice on card [card number removed], please refund."
    assert "4111" not in question.body_html and question.edited_at is not None
    revision = db.session.scalars(select(PostRevision).where(PostRevision.post_id == question.id)).one()
    # Who changed the post stays in its history; the data does not (issue 18: the case keeps it).
    assert (revision.body, revision.editor_id) == (question.body, agent.id)
    (message,) = cases.messages_for(thread.author, case)
    assert (message.body, message.visibility, message.author_id) == (CARD_TEXT, "customer", thread.author_id)
    assert (case.source, case.escalated_by_id) == ("staff", agent.id)
    told = db.session.scalars(select(Notification.message).where(Notification.user_id == thread.author_id)).all()
    assert personal_data_moves.MOVED_NOTICE in told
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "post.move_private")).one()
    assert (entry.actor_id, entry.target_id, entry.reason) == (agent.id, question.id, "card number in public")
    assert "4111" not in entry.before_json + entry.after_json
    assert "card" in entry.before_json


def test_someone_elses_details_become_an_internal_note_the_asker_never_sees(make, agent):
    thread = make.make_thread()
    reply = make.make_reply(thread, body="Mail me at helper@example.com and I'll explain.")
    case, _ = cases.escalate_thread(thread.author, thread, "help")
    moved = personal_data_moves.move_post_to_case(agent, reply, case=case)
    assert moved.id == case.id
    assert reply.body == "Mail me at [email address removed] and I'll explain."
    assert cases.messages_for(thread.author, case) == []
    (note,) = cases.messages_for(agent, case)
    assert note.visibility == "internal" and "helper@example.com" in note.body


def test_moving_needs_an_agent_and_something_personal(make, agent):
    thread = make.make_thread(body=CARD_TEXT)
    question = reading.question_post(thread)
    with pytest.raises(Forbidden):
        personal_data_moves.move_post_to_case(make.make_user("moderator"), question)
    plain = make.make_reply(thread, body="Nothing private in here at all.")
    with pytest.raises(Conflict):
        personal_data_moves.move_post_to_case(agent, plain)
    assert question.body == CARD_TEXT
    assert db.session.scalars(select(Case)).all() == []
    assert db.session.scalars(select(CaseMessage)).all() == []
