"""Answering a notification by email: the reply becomes a post or a private message as that member, or a bounce.

Every message here is a real RFC 5322 email received through forum.mail.inbound.receive and handled by the
worker. The sender must own the reply address's account and be able to take part as on the web; each way
of failing that gets a helpful bounce and posts nothing.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum import cases
from forum.accounts import blocks
from forum.core import worker
from forum.core.extensions import db
from forum.mail import addresses, inbound
from forum.models import (
    Attachment,
    CaseMessage,
    ConversationMessage,
    InboundStatus,
    Post,
    Thread,
    Upload,
    User,
    Visibility,
)
from forum.services import community_settings, posting
from moderation.services import watched_words
from tests.conversations.support import seed_conversation
from tests.mail.inbound_support import (
    bounces_to,
    conversation_address,
    deliver,
    email,
    says,
    thread_address,
)

ANSWER = "Changing the channel to 11 fixed it for me."


@pytest.fixture
def helper(make) -> User:
    return make.make_user(username="bea", email="bea@example.com", reputation=50)


@pytest.fixture
def thread(make, asker, helper) -> Thread:
    thread = make.make_thread(author=asker, title="Connection drops every evening")
    make.make_reply(thread, helper, "Have you tried restarting it?")
    return thread


def posts_by(user: User, thread: Thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.author_id == user.id,
                                                      Post.is_question.is_(False)).order_by(Post.id)))


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


# --- replies that become posts --------------------------------------------------------------------------


def test_a_reply_by_email_becomes_a_post_by_that_member_without_the_quote(asker, thread):
    to = thread_address(asker, thread.id)

    mail = deliver(email("Ana <ANA@example.com>", to, ANSWER), to)

    [post] = posts_by(asker, thread)
    assert post.body == ANSWER  # the quoted notification and its header are gone
    assert post.visibility == Visibility.PUBLIC.value
    assert (mail.status, mail.user_id, mail.thread_id, mail.post_id) == (
        InboundStatus.POSTED.value, asker.id, thread.id, post.id)
    assert mail.outcome == "Posted as a reply to “Connection drops every evening”."
    assert mail.body_text == ANSWER
    assert mail.raw is None and mail.processed_at is not None
    assert bounces_to("ana@example.com") == []


def test_the_same_email_received_twice_posts_once(asker, thread):
    to = thread_address(asker, thread.id)
    raw = email("ana@example.com", to, ANSWER)

    first = deliver(raw, to)
    second = deliver(raw, to)  # a mail server retrying the delivery
    inbound.process_inbound_job({"id": first.id, "envelope_recipients": [to]})  # a worker's job run again

    assert second.id == first.id
    assert len(posts_by(asker, thread)) == 1


def test_attachments_become_uploads_shown_on_the_post_and_refused_files_are_named(asker, thread):
    to = thread_address(asker, thread.id)
    raw = email("ana@example.com", to, "Here is what the status page shows.", attachments=[
        ("status.png", "image/png", png()),
        ("router.log", "text/plain", b"18:02 link down\n18:03 link up\n"),
        ("setup.html", "text/html", b"<p>not a file anyone should open</p>"),
    ])

    mail = deliver(raw, to)

    [post] = posts_by(asker, thread)
    attached = db.session.scalars(select(Upload).join(Attachment, Attachment.upload_id == Upload.id)
                                  .where(Attachment.post_id == post.id).order_by(Upload.id)).all()
    assert [upload.filename for upload in attached] == ["status.png", "router.log"]
    assert all(upload.uploader_id == asker.id for upload in attached)
    assert post.body.startswith("Here is what the status page shows.")
    assert f"![status.png](/uploads/{attached[0].id}/status.png)" in post.body
    assert f"(/uploads/{attached[1].id}/router.log)" in post.body
    assert '<img src="/uploads/' in post.body_html
    assert mail.status == InboundStatus.POSTED.value
    assert "Not attached: setup.html" in mail.outcome


def test_a_reply_the_content_checks_hold_is_posted_for_a_moderator(make, thread):
    newcomer = make.make_user(username="nia", email="nia@example.com")  # no reputation: links are held
    to = thread_address(newcomer, thread.id)

    mail = deliver(email("nia@example.com", to, "Try this guide https://example.org/fix and this one "
                                                  "https://example.net/fix"), to)

    [post] = posts_by(newcomer, thread)
    assert post.visibility != Visibility.PUBLIC.value
    assert mail.status == InboundStatus.POSTED.value and mail.post_id == post.id
    assert "waits for a moderator" in mail.outcome


def test_a_reply_with_a_blocked_phrase_is_refused_with_what_the_checks_said(make, asker, thread):
    watched_words.add_watched_word(make.make_user("admin"), watched_words.WatchedWordInput("crypto giveaway", "block"))
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, "Join the crypto giveaway now"), to)

    assert posts_by(asker, thread) == []
    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("ana@example.com")
    assert says(bounce, "rejected")
    assert "What the community's checks said:" in bounce.text_body
    assert f"/t/{thread.id}/" in bounce.text_body


# --- each refusal: a bounce, and no post -------------------------------------------------------------------


def assert_refused(mail, reason: str, sender: str = "ana@example.com", **context) -> None:
    assert mail.status == InboundStatus.REFUSED.value
    assert mail.raw is None and mail.processed_at is not None
    [bounce] = bounces_to(sender)
    assert says(bounce, reason, **context), bounce.text_body
    assert "Connection drops every evening" in bounce.text_body  # the subject they sent, quoted
    assert bounce.subject == "Not posted: Re: Connection drops every evening"


def test_a_forged_reply_address_is_bounced(asker, thread):
    to = thread_address(asker, thread.id).replace(f"t{thread.id}-", f"t{thread.id + 1}-")  # another thread, old mac

    mail = deliver(email("ana@example.com", to, ANSWER), to)

    assert_refused(mail, "forged_key")
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == asker.id,
                                                                Post.is_question.is_(False))) == 0


def test_an_expired_reply_address_is_bounced(asker, thread, clock_at):
    to = thread_address(asker, thread.id)
    clock_at.advance(days=community_settings.get_setting("mail.reply_key_days") + 1)

    mail = deliver(email("ana@example.com", to, ANSWER), to)

    assert_refused(mail, "expired_key", days=90)
    assert posts_by(asker, thread) == []


def test_an_unknown_reply_address_is_bounced(asker, thread):
    to = "reply+not-a-key@horseshoe.local"

    mail = deliver(email("ana@example.com", to, ANSWER), to)

    assert_refused(mail, "unknown_key")
    assert posts_by(asker, thread) == []


def test_a_reply_from_another_address_than_the_accounts_is_bounced_to_that_sender(asker, thread):
    to = thread_address(asker, thread.id)

    mail = deliver(email("Mallory <mallory@example.org>", to, ANSWER), to)

    assert_refused(mail, "wrong_sender", sender="mallory@example.org")
    assert mail.user_id is None  # Ana did not send it: it is not hers
    assert posts_by(asker, thread) == [] and bounces_to("ana@example.com") == []


def test_a_suspended_member_is_bounced(asker, thread, clock_at):
    asker.suspended_until = clock_at.now + timedelta(days=3)
    db.session.commit()
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, ANSWER), to)

    assert_refused(mail, "suspended")
    assert mail.user_id == asker.id and posts_by(asker, thread) == []


def test_a_suspended_customer_still_writes_to_their_own_case_by_email(asker, thread, clock_at):
    """As on the web (the case page is open while suspended): no customer's issue is left unanswered."""
    case = cases.escalate_thread(asker, thread, "Still broken")[0]
    asker.suspended_until = clock_at.now + timedelta(days=3)
    db.session.commit()
    to = addresses.reply_address(addresses.reply_key(asker.id, "c", case.id))

    mail = deliver(email("ana@example.com", to, "It dropped again at 18:00."), to)

    assert mail.status == InboundStatus.POSTED.value
    assert db.session.get(CaseMessage, mail.case_message_id).body == "It dropped again at 18:00."
    assert posts_by(asker, thread) == []


def test_an_unverified_member_is_bounced_with_the_way_to_confirm(make, thread):
    newcomer = make.make_user(username="uma", email="uma@example.com", verified=False)
    to = thread_address(newcomer, thread.id)

    mail = deliver(email("uma@example.com", to, ANSWER), to)

    assert_refused(mail, "unverified", sender="uma@example.com")
    assert "http://localhost/auth/login" in bounces_to("uma@example.com")[0].text_body
    assert posts_by(newcomer, thread) == []


def test_a_reply_to_a_locked_thread_is_bounced_with_its_link(make, asker, thread):
    posting.update_thread(make.make_user("moderator"), thread, posting.ThreadChange(locked=True))
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, ANSWER), to)

    assert_refused(mail, "locked")
    assert f"http://localhost/t/{thread.id}/" in bounces_to("ana@example.com")[0].text_body
    assert posts_by(asker, thread) == []


def test_an_empty_reply_is_bounced(asker, thread):
    to = thread_address(asker, thread.id)

    mail = deliver(email("ana@example.com", to, ""), to)  # only the quote below an empty line

    assert_refused(mail, "empty")
    assert posts_by(asker, thread) == []


def test_replies_faster_than_the_webs_limit_are_bounced_until_the_wait_is_over(asker, thread, limits_on, clock_at):
    to = thread_address(asker, thread.id)
    deliver(email("ana@example.com", to, ANSWER), to)

    clock_at.advance(seconds=4)
    mail = deliver(email("ana@example.com", to, "One more thing: it happens on 5 GHz only."), to)

    assert_refused(mail, "rate_limited", wait="6 seconds")
    assert len(posts_by(asker, thread)) == 1
    clock_at.advance(seconds=6)
    assert deliver(email("ana@example.com", to, "And on 2.4 GHz it is fine."), to).status == "posted"
    assert len(posts_by(asker, thread)) == 2


# --- private conversations ------------------------------------------------------------------------------


def test_a_reply_to_a_private_message_joins_the_conversation(asker, helper):
    conversation = seed_conversation(helper, [asker])
    to = conversation_address(asker, conversation.id)

    mail = deliver(email("ana@example.com", to, "Yes, it came back yesterday.", subject="Re: About your refund"), to)

    sent = db.session.get(ConversationMessage, mail.conversation_message_id)
    assert (sent.conversation_id, sent.author_id, sent.body) == (conversation.id, asker.id,
                                                                 "Yes, it came back yesterday.")
    assert mail.status == InboundStatus.POSTED.value


def test_a_member_who_ignores_the_sender_is_not_written_to_by_email(asker, helper):
    conversation = seed_conversation(helper, [asker])
    answered = db.session.scalar(select(ConversationMessage.id).where(
        ConversationMessage.conversation_id == conversation.id))
    blocks.ignore(helper, asker)
    to = conversation_address(asker, conversation.id, answered)

    mail = deliver(email("ana@example.com", to, "Yes, it came back yesterday.", subject="Re: About your refund"), to)

    assert mail.status == InboundStatus.REFUSED.value
    [bounce] = bounces_to("ana@example.com")
    assert says(bounce, "blocked")
    assert db.session.scalar(select(func.count(ConversationMessage.id)).where(
        ConversationMessage.author_id == asker.id)) == 0


def test_a_job_run_for_a_handled_email_does_nothing(asker, thread):
    to = thread_address(asker, thread.id)
    mail = deliver(email("ana@example.com", to, ANSWER), to)

    inbound.process_inbound_job({"id": mail.id, "envelope_recipients": [to]})
    worker.run_until_empty()

    assert len(posts_by(asker, thread)) == 1
