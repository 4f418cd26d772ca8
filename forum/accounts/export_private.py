"""The data export's sections for what a member writes or decides in private: drafts, conversations, ignores.

drafts.json holds the member's unpublished texts. conversations.json holds each private conversation they
take part in, with the messages they could read there, as they saw them — like an exported mailbox, other
participants' messages are part of the member's correspondence, shown under the sender's username (never
an email address or anything else of theirs); a message a moderator hid is left out unless it is the
member's own (marked hidden), and once the member left a conversation, what others wrote after (or that
they left after) is not theirs to take. ignored.json lists whom they ignore (forum.accounts.blocks); who
ignores them is the other person's business and never exported. email_received.json holds each message
Horseshoe received by email and tied to their account (InboundMail.user_id, set once the router knows
the sender is them): when and how it came, the addresses, the subject, the words kept (quotes and
signature removed), what became of it and the ids of what it became. Never the raw message (it holds
the headers of every mail server it passed and whatever the sender quoted of other people's mail), and
never mail that only claims their address in From: (anyone can write that).
articles.json holds the knowledge-base articles they wrote (as author, in any status), article_versions.json
each version of an article they saved (of an article they may still see: a draft someone else wrote that
they edited as staff is not theirs to take once they cannot read it), article_feedback.json their own "did
this help?" answers and comments; never anyone else's feedback.

forum.accounts.export_archive lists these SECTIONS after its own; export_format writes the files.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.export_format import BATCH, Section, streamed, timestamp, write_json_array
from forum.core.extensions import db
from forum.models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    Block,
    Conversation,
    ConversationMessage,
    ConversationParticipant,
    Draft,
    InboundMail,
    User,
)
from forum.services.permissions import Action, can


def write_drafts(archive: zipfile.ZipFile, user: User) -> None:
    rows = streamed(select(Draft).where(Draft.user_id == user.id).order_by(Draft.updated_at, Draft.id))
    write_json_array(archive, "drafts.json", (
        {"key": row.key, "title": row.title, "body": row.body, "created_at": timestamp(row.created_at),
         "updated_at": timestamp(row.updated_at)} for row in rows
    ))


def write_conversations(archive: zipfile.ZipFile, user: User) -> None:
    """Each conversation the member is or was in, oldest first, with the messages they could read."""
    rows = db.session.execute(
        select(ConversationParticipant, Conversation)
        .join(Conversation, Conversation.id == ConversationParticipant.conversation_id)
        .options(selectinload(Conversation.participants).joinedload(ConversationParticipant.user),
                 joinedload(Conversation.started_by))
        .where(ConversationParticipant.user_id == user.id)
        .order_by(Conversation.created_at, Conversation.id)
        .execution_options(yield_per=BATCH)
    )
    write_json_array(archive, "conversations.json",
                     (_conversation(conversation, me, user) for me, conversation in rows))


def _name(author: User | None, user: User) -> str | None:
    if author is None:
        return None
    return "you" if author.id == user.id else author.username


def _conversation(conversation: Conversation, me: ConversationParticipant, user: User) -> dict[str, Any]:
    return {
        "id": conversation.id, "title": conversation.title, "started_by": _name(conversation.started_by, user),
        "started_by_staff": conversation.staff_started, "created_at": timestamp(conversation.created_at),
        "you_joined_at": timestamp(me.joined_at), "you_left_at": timestamp(me.left_at),
        "participants": [{"username": _name(p.user, user), "left_at": timestamp(_left_as_seen(p, me))}
                         for p in conversation.participants],
        "messages": _messages(conversation, me, user),
    }


def _left_as_seen(participant: ConversationParticipant, me: ConversationParticipant) -> datetime | None:
    """When participant left, as the member could see it: not if that was after the member left themselves."""
    if participant.left_at is None or me.left_at is None or participant is me or participant.left_at <= me.left_at:
        return participant.left_at
    return None


def _messages(conversation: Conversation, me: ConversationParticipant, user: User) -> list[dict[str, Any]]:
    """The member's own messages (hidden ones marked), and others' that were shown to them."""
    others_visible = ConversationMessage.hidden_at.is_(None)
    if me.left_at is not None:
        others_visible &= ConversationMessage.created_at <= me.left_at
    messages = db.session.scalars(
        select(ConversationMessage).options(joinedload(ConversationMessage.author))
        .where(ConversationMessage.conversation_id == conversation.id,
               or_(ConversationMessage.author_id == user.id, others_visible))
        .order_by(ConversationMessage.created_at, ConversationMessage.id)
    )
    return [{"from": _name(message.author, user), "body": message.body, "created_at": timestamp(message.created_at),
             **({"hidden_by_moderator": True} if message.hidden_at is not None else {})} for message in messages]


def write_ignored(archive: zipfile.ZipFile, user: User) -> None:
    """Whom the member ignores (every row stored, also one kept from before its member became staff)."""
    rows = db.session.execute(
        select(User.username, Block.created_at).join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == user.id).order_by(Block.created_at, Block.id)
    )
    write_json_array(archive, "ignored.json", ({"username": username, "since": timestamp(since)}
                                          for username, since in rows))


def write_received_mail(archive: zipfile.ZipFile, user: User) -> None:
    """The email the member sent Horseshoe, oldest first, each as it was kept: never `raw`."""
    rows = streamed(select(InboundMail).where(InboundMail.user_id == user.id)
                    .order_by(InboundMail.received_at, InboundMail.id))
    write_json_array(archive, "email_received.json", (_received(row) for row in rows))


def _received(mail: InboundMail) -> dict[str, Any]:
    became = {"thread_id": mail.thread_id, "post_id": mail.post_id, "case_message_id": mail.case_message_id,
              "conversation_message_id": mail.conversation_message_id}
    return {
        "received_at": timestamp(mail.received_at), "channel": mail.channel, "from": mail.from_address,
        "to": mail.to_address, "subject": mail.subject, "text": mail.body_text, "status": mail.status,
        "outcome": mail.outcome, "processed_at": timestamp(mail.processed_at),
        "became": {name: value for name, value in became.items() if value is not None},
    }


def write_articles(archive: zipfile.ZipFile, user: User) -> None:
    """The member's articles, the versions they saved and their feedback, each oldest first."""
    authored = streamed(select(Article).options(joinedload(Article.category), selectinload(Article.tags))
                        .where(Article.author_id == user.id).order_by(Article.created_at, Article.id))
    write_json_array(archive, "articles.json", (_article(article) for article in authored))
    saved = db.session.execute(
        select(ArticleVersion, Article).join(Article, Article.id == ArticleVersion.article_id)
        .where(ArticleVersion.editor_id == user.id).order_by(ArticleVersion.created_at, ArticleVersion.id)
        .execution_options(yield_per=BATCH)
    )
    write_json_array(archive, "article_versions.json", (
        {"article_id": version.article_id, "number": version.number, "title": version.title, "body": version.body,
         "note": version.note, "saved_at": timestamp(version.created_at)}
        for version, article in saved if can(user, Action.ARTICLE_VIEW, article)
    ))
    answers = db.session.execute(
        select(ArticleFeedback, Article.title).join(Article, Article.id == ArticleFeedback.article_id)
        .where(ArticleFeedback.user_id == user.id).order_by(ArticleFeedback.created_at, ArticleFeedback.id)
        .execution_options(yield_per=BATCH)
    )
    write_json_array(archive, "article_feedback.json", (
        {"article_id": answer.article_id, "article_title": title, "helpful": answer.helpful,
         "comment": answer.comment, "created_at": timestamp(answer.created_at),
         "updated_at": timestamp(answer.updated_at)} for answer, title in answers
    ))


def _article(article: Article) -> dict[str, Any]:
    return {
        "id": article.id, "title": article.title, "status": article.status, "body": article.body,
        "category": article.category.name, "tags": [tag.name for tag in article.tags],
        "source_thread_id": article.source_thread_id, "created_at": timestamp(article.created_at),
        "updated_at": timestamp(article.updated_at), "published_at": timestamp(article.published_at),
        "archived_at": timestamp(article.archived_at),
    }


SECTIONS: list[tuple[str, Section]] = [
    ("drafts", write_drafts),
    ("conversations", write_conversations),
    ("ignored", write_ignored),
    ("email", write_received_mail),
    ("articles", write_articles),
]
