"""Mail out that behaves in a mail client, through a real SMTP server.

Every email about one thread (case, conversation) follows one root Message-ID with one subject, so it
groups as one conversation; each carries the recipient's own signed reply address where a reply makes
sense, says it is automatic (no out-of-office answers), and leaves with a VERP return path.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum import accounts, cases
from forum.core import clock
from forum.core.extensions import db
from forum.mail import addresses, sending
from forum.models import MessageVisibility, OutboundEmail
from forum.services import community_settings, digests, moderation_state, posting, subscriptions
from tests.mail.outbound_support import sent_to, text_of

KEY_DAYS = 90


def reply_key_of(message) -> addresses.ReplyKey:
    detail = addresses.detail_of(message["Reply-To"], addresses.mailbox()[0])
    assert detail is not None, message["Reply-To"]
    return addresses.parse_reply_key(detail, KEY_DAYS)


def test_two_notifications_about_one_thread_arrive_as_one_conversation(make, smtp_server, run_jobs):
    asker = make.make_user(username="nora", email="nora@example.com")
    thread = make.make_thread(author=asker, title="Scanner jams on the second page")
    first = posting.reply_to_thread(make.make_user(username="olaf"), thread, "Clean the rollers.")
    second = posting.reply_to_thread(make.make_user(username="pia"), thread, "@nora which model is it?")
    run_jobs()

    (reply, _), (mention, _) = sent_to(smtp_server, "nora@example.com")
    root = f"<thread-{thread.id}@{addresses.sender_domain()}>"
    assert reply["References"] == mention["References"] == root
    assert reply["In-Reply-To"] == mention["In-Reply-To"] == root
    assert reply["Message-ID"] != mention["Message-ID"]
    assert reply["Subject"] == mention["Subject"] == "Re: Scanner jams on the second page"
    assert "New reply: Scanner jams" in text_of(reply) and "pia mentioned you: Scanner jams" in text_of(mention)
    for message, post in ((reply, first), (mention, second)):
        key = reply_key_of(message)
        assert (key.kind, key.target_id, key.answers_id, key.user_id) == ("t", thread.id, post.id, asker.id)
        assert "Reply to this email to answer on the thread." in text_of(message)


def test_mail_says_it_is_automatic_and_leaves_with_a_signed_return_path(app, make, smtp_server, run_jobs):
    thread = make.make_thread(author=make.make_user(email="quinn@example.com"))
    make.make_reply(thread)
    run_jobs()

    [(message, envelope)] = sent_to(smtp_server, "quinn@example.com")
    email = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "quinn@example.com")).one()
    assert envelope.mail_from == addresses.bounce_address(email.id)
    assert envelope.mail_from.startswith(f"bounces+{email.id}-")
    assert addresses.parse_bounce_key(addresses.detail_of(envelope.mail_from, "bounces")) == email.id
    assert message["From"] == app.config["HORSESHOE"].mail_sender  # the return path is the envelope's alone
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Message-ID"] == sending.message_id(email)


def test_a_reply_address_belongs_to_its_recipient_alone(make, smtp_server, run_jobs):
    asker = make.make_user(email="rita@example.com")
    watcher = make.make_user(email="sam@example.com")
    thread = make.make_thread(author=asker)
    subscriptions.watch(watcher, thread)
    make.make_reply(thread)
    run_jobs()

    [(to_asker, _)] = sent_to(smtp_server, "rita@example.com")
    [(to_watcher, _)] = sent_to(smtp_server, "sam@example.com")
    assert to_asker["Reply-To"] != to_watcher["Reply-To"]
    assert (reply_key_of(to_asker).user_id, reply_key_of(to_watcher).user_id) == (asker.id, watcher.id)
    assert to_asker["References"] == to_watcher["References"]


def test_with_reply_by_email_off_the_mail_has_no_reply_address_and_says_nothing_of_replying(
        make, smtp_server, run_jobs):
    community_settings.update_settings(make.make_user("admin"), {"mail.reply_by_email": False})
    thread = make.make_thread(author=make.make_user(email="tara@example.com"))
    make.make_reply(thread)
    run_jobs()

    [(message, _)] = sent_to(smtp_server, "tara@example.com")
    assert message["Reply-To"] is None
    assert "Reply to this email" not in text_of(message)
    assert message["References"] == f"<thread-{thread.id}@{addresses.sender_domain()}>"  # still one conversation


def test_a_moderation_notice_keeps_its_own_subject_and_takes_no_reply(make, smtp_server, run_jobs):
    author = make.make_user(email="uma@example.com")
    thread = make.make_thread(title="Printer offline after update")
    post = make.make_reply(thread, author=author)
    assert moderation_state.hide_post(post, make.make_user("moderator"), "Off topic.")
    db.session.commit()
    run_jobs()

    [(notice, _)] = sent_to(smtp_server, "uma@example.com")
    assert notice["Subject"] == "A moderator looked at your post: Printer offline after update"
    assert notice["Reply-To"] is None and notice["References"] is None
    assert "Reply to this email" not in text_of(notice)


def test_a_private_message_email_answers_in_its_conversation(api_client, make, smtp_server, run_jobs):
    older = {"created_at": clock.now() - timedelta(days=3)}
    ann = make.make_user(username="ann_c", **older)
    bob = make.make_user(username="bob_c", email="bob_c@example.com", **older)
    response = api_client(ann).post("/api/v1/conversations", json={
        "user_ids": [bob.id], "title": "Your refund", "body": "It went back today."})
    conversation_id = response.get_json()["id"]
    run_jobs()

    [(message, _)] = sent_to(smtp_server, "bob_c@example.com")
    key = reply_key_of(message)
    assert (key.kind, key.target_id, key.user_id) == ("m", conversation_id, bob.id)
    assert message["References"] == f"<conversation-{conversation_id}@{addresses.sender_domain()}>"
    assert message["Subject"] == "Private conversation: Your refund"
    assert "Reply to this email to answer in the conversation." in text_of(message)


def test_a_case_email_answers_the_case_message_it_tells_of(make, smtp_server, run_jobs):
    customer = make.make_user(username="vera", email="vera@example.com")
    agent = make.make_user("agent", username="walt")
    thread = make.make_thread(author=customer, title="Billing shows two plans")
    case = cases.escalate_thread(customer, thread, "Still charged twice")[0]
    cases.change_case(agent, case, cases.CaseChange(assignee_id=agent.id))
    message = cases.post_message(agent, case, "I have refunded the second plan.", MessageVisibility.CUSTOMER.value)
    run_jobs()

    emails = [email for email, _ in sent_to(smtp_server, "vera@example.com")]
    [told] = [email for email in emails if "Support wrote to you on case" in text_of(email)]
    key = reply_key_of(told)
    assert (key.kind, key.target_id, key.answers_id, key.user_id) == ("c", case.id, message.id, customer.id)
    assert "Reply to this email to answer on the case." in text_of(told)
    assert len(emails) > 1  # the escalation's notice too: the same conversation in Vera's mail client
    assert {email["References"] for email in emails} == {f"<case-{case.id}@{addresses.sender_domain()}>"}
    assert {email["Subject"] for email in emails} == {"Update on your support case: Billing shows two plans"}


def test_the_agent_of_a_case_reads_its_number_not_your_support_case(make, smtp_server, run_jobs):
    customer = make.make_user(username="yuri", email="yuri@example.com")
    agent = make.make_user("agent", username="zora", email="zora@example.com")
    thread = make.make_thread(author=customer, title="Modem light blinks orange")
    case = cases.escalate_thread(customer, thread, "Nothing works")[0]
    cases.change_case(agent, case, cases.CaseChange(assignee_id=agent.id))
    cases.post_message(customer, case, "It started after the storm.", MessageVisibility.CUSTOMER.value)
    run_jobs()

    [told] = [email for email, _ in sent_to(smtp_server, "zora@example.com") if "wrote on case" in text_of(email)]
    assert told["Subject"] == f"Case #{case.id}: Modem light blinks orange"
    assert told["References"] == f"<case-{case.id}@{addresses.sender_domain()}>"


def test_essential_mail_and_digests_carry_no_reply_address(make, smtp_server, run_jobs):
    member = make.make_user(email="xena@example.com", email_frequency="daily")
    make.make_reply(make.make_thread(author=member))
    assert digests.send_daily_digests() == 1
    accounts.request_password_reset("xena@example.com")
    run_jobs()

    digest, reset = (message for message, _ in sent_to(smtp_server, "xena@example.com"))
    assert digest["Subject"].startswith("Your Horseshoe digest")
    assert reset["Subject"] == "Reset your Horseshoe password"
    for message in (digest, reset):
        assert message["Reply-To"] is None and message["In-Reply-To"] is None and message["References"] is None
        assert message["Auto-Submitted"] == "auto-generated"


def test_an_automatic_answer_to_a_received_email_follows_it_and_says_auto_replied(make, smtp_server, run_jobs):
    for address, answered in (("yann@example.com", "<their-message@mail.example.com>"), ("zoe@example.com", "")):
        member = make.make_user(email=address)
        sending.queue_email(address, "We could not post your email", "password_reset", answering=answered,
                            user=member, link="http://localhost/auth/forgot", minutes=30)
    db.session.commit()
    run_jobs()

    [(answer, _)] = sent_to(smtp_server, "yann@example.com")
    assert answer["In-Reply-To"] == answer["References"] == "<their-message@mail.example.com>"
    assert answer["Auto-Submitted"] == "auto-replied"
    [(without_id, _)] = sent_to(smtp_server, "zoe@example.com")  # the message answered had no Message-ID
    assert without_id["In-Reply-To"] is None and without_id["Auto-Submitted"] == "auto-replied"
