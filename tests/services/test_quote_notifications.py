"""Quotes notify the quoted member like a mention, once; ignored members' words notify nobody (issue 22).

An attributed quote (what the thread page's "Quote" button inserts) ends with "— @name, [post #id](link)".
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.accounts import blocks, directory
from forum.core import clock
from forum.core.extensions import db
from forum.models import Block, Notification, NotificationKind, OutboundEmail, Post
from forum.services import notifications, posting, subscriptions
from tests.queries import count_statements


def quote(post: Post, words: str = "Restart the router first.") -> str:
    link = f"/t/{post.thread_id}/{post.thread.slug}#p{post.id}"
    return f"> {words}\n>\n> — @{post.author.username}, [post #{post.id}]({link})\n\n"


def question_of(thread) -> Post:
    return db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(True))).one()


def kinds_for(user, post: Post | None = None) -> list[str]:
    statement = select(Notification.kind).where(Notification.user_id == user.id).order_by(Notification.id)
    if post is not None:
        statement = statement.where(Notification.post_id == post.id)
    return list(db.session.scalars(statement))


@pytest.fixture
def talk(make):
    """alice answered bob's question; carol is about to reply."""
    alice, bob, carol = (make.make_user(username=name) for name in ("alice", "bob", "carol"))
    thread = make.make_thread(author=bob, title="Router drops the connection at night")
    answer = make.make_reply(thread, author=alice, body="Restart the router first. Then update it.")
    db.session.execute(Notification.__table__.delete())
    return thread, answer, alice, bob, carol


def test_the_quoted_member_hears_of_the_quote_once_and_not_of_the_reply_too(talk):
    thread, answer, alice, bob, carol = talk
    reply = posting.reply_to_thread(carol, thread, quote(answer) + "That fixed it for me as well.")
    assert kinds_for(alice, reply) == ["quote"]  # alice watches the thread: a quote, not also a reply
    assert kinds_for(bob, reply) == ["reply"]
    [row] = db.session.scalars(select(Notification).where(Notification.user_id == alice.id))
    assert row.actor_id == carol.id and row.thread_id == thread.id
    assert notifications.describe(row) == "carol quoted you: Router drops the connection at night"


def test_quoted_and_mentioned_is_one_mention(talk):
    thread, answer, alice, _bob, carol = talk
    reply = posting.reply_to_thread(carol, thread, quote(answer) + "@alice did you also update it?")
    assert kinds_for(alice, reply) == ["mention"]


def test_quoting_yourself_tells_nobody_and_quoted_words_mention_no_one(talk, make):
    thread, answer, alice, bob, carol = talk
    dave = make.make_user(username="dave")
    own = posting.reply_to_thread(alice, thread, quote(answer) + "To add to my answer: wait a minute.")
    assert kinds_for(alice, own) == []
    quoted_mention = make.make_reply(thread, author=bob, body="Ask @dave, he knows routers.")
    carols = posting.reply_to_thread(carol, thread, quote(quoted_mention, "Ask @dave, he knows routers.") + "Good.")
    assert kinds_for(bob, carols) == ["quote"]  # bob, quoted; the @dave in bob's words is bob's mention, not carol's
    assert kinds_for(dave) == ["mention"]  # from bob's own post only


def test_a_new_question_quoting_someone_tells_them(make, talk):
    _thread, answer, alice, _bob, carol = talk
    question = make.make_thread(author=carol, body=quote(answer) + "Does this apply to the 5 GHz band too?")
    assert kinds_for(alice) == ["quote"] and kinds_for(alice)[0] == kinds_for(alice, question_of(question))[0]


def test_an_edit_that_adds_a_quote_tells_the_quoted_member_once(talk):
    thread, answer, alice, bob, carol = talk
    reply = posting.reply_to_thread(carol, thread, "That fixed it for me as well.")
    assert kinds_for(alice, reply) == ["reply"]
    posting.edit_post(carol, reply, quote(answer) + "That fixed it for me as well.")
    posting.edit_post(carol, reply, quote(answer) + "That fixed it for me as well, thanks.")
    assert kinds_for(alice, reply) == ["reply", "quote"]
    mentioned = posting.reply_to_thread(carol, thread, "@bob yes, the same here.")
    posting.edit_post(carol, mentioned, quote(answer) + quote(question_of(thread), "Router drops") + "@bob same.")
    assert kinds_for(bob, mentioned) == ["mention"]  # told of this post already
    assert kinds_for(alice, mentioned) == ["reply", "quote"]


def test_the_quote_is_emailed_like_a_mention(talk, run_jobs):
    thread, answer, alice, _bob, carol = talk
    posting.reply_to_thread(carol, thread, quote(answer) + "Same here.")
    run_jobs()
    emails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == alice.email)).all()
    [quoted] = [mail for mail in emails if "carol quoted you: Router drops the connection at night" in mail.text_body]
    assert quoted.subject == "Re: Router drops the connection at night"  # the thread's subject, as every email of it


def test_the_attribution_line_is_what_the_renderer_keeps_and_the_parser_reads():
    source = "> Words\n>\n> — @Alice_K, [post #12](/t/5/router#p12)\n\nAnd @bob too, but not ana@example.com"
    assert directory.quoted_and_mentioned(source) == directory.Named(frozenset({"alice_k"}), frozenset({"bob"}))
    unattributed = "> — someone said @erin\n\n```\n> — @frank, [post #1](/t/1#p1)\n```"
    assert directory.quoted_and_mentioned(unattributed) == directory.Named(frozenset(), frozenset({"erin"}))
    joined = "> Words\n> — @alice"  # no blank quote line before the attribution: still recognised
    assert directory.quoted_and_mentioned(joined).quoted == {"alice"}


# --- ignoring -------------------------------------------------------------------------------------------------

def test_an_ignored_member_mentioning_quoting_or_replying_notifies_nobody_who_ignores_them(talk, make):
    thread, answer, alice, bob, carol = talk
    dave = make.make_user(username="dave")
    subscriptions.watch(dave, thread)
    blocks.ignore(alice, carol)
    blocks.ignore(bob, carol)
    posting.reply_to_thread(carol, thread, "Plain reply.")
    posting.reply_to_thread(carol, thread, "@alice @bob see this.")
    posting.reply_to_thread(carol, thread, quote(answer) + quote(question_of(thread), "Router drops") + "Quoted.")
    make.make_thread(author=carol, body="@alice a question for you.")
    assert kinds_for(alice) == [] and kinds_for(bob) == []
    assert kinds_for(dave) == ["reply", "reply", "reply"]  # the rest still hear
    blocks.unignore(alice, carol)
    posting.reply_to_thread(carol, thread, "@alice once more.")
    assert kinds_for(alice) == ["mention"]


def test_staff_notices_reach_a_member_whatever_they_ignore(talk, make):
    thread, answer, alice, _bob, carol = talk
    blocks.ignore(alice, carol)
    for kind in (NotificationKind.MODERATION, NotificationKind.ACCOUNT, NotificationKind.CASE_UPDATE):
        notifications.notify([alice.id], notifications.Event(kind, thread, answer, carol, "About your post"))
    assert kinds_for(alice) == ["moderation", "account", "case_update"]
    # Someone ignored as a member who became a moderator since: their notices and mentions arrive.
    carol.role = "moderator"
    db.session.commit()
    posting.edit_post(carol, answer, "Restart the router first, then update its firmware.", reason="Clarity")
    posting.reply_to_thread(carol, thread, "@alice thanks, I made it clearer.")
    assert kinds_for(alice)[3:] == ["moderation", "mention"]


def test_the_reply_fan_out_is_one_insert_and_ignoring_costs_no_statement(make):
    def reply_with_watchers(ignoring: int) -> list[str]:
        thread = make.make_thread()
        replier = make.make_user()
        watchers = [make.make_user() for _ in range(6)]
        for watcher in watchers:
            subscriptions.watch(watcher, thread)
        for watcher in watchers[:ignoring]:
            db.session.add(Block(blocker_id=watcher.id, blocked_id=replier.id, created_at=clock.now()))
        db.session.commit()
        with count_statements() as statements:
            posting.reply_to_thread(replier, thread, "Same here since the update.")
        told = db.session.scalar(select(func.count(Notification.id)).where(Notification.actor_id == replier.id))
        assert told == 1 + 6 - ignoring  # the asker and the watchers who do not ignore the replier
        return statements

    plain, filtered = reply_with_watchers(0), reply_with_watchers(4)
    assert len(filtered) == len(plain)
    inserts = [sql for sql in filtered if sql.lstrip().upper().startswith("INSERT INTO NOTIFICATION")]
    assert len(inserts) == 1
