"""A reply by email becomes a post on the thread, a message in the private conversation, or a case message.

The sender must own the key's account (the From address is the account's email), and the account must
be able to take part as on the web: not anonymised, not suspended, its email confirmed when the
community asks for that. The words then go through the web's own services (forum.services.posting,
forum.conversations), so spam checks, watched words, the new-member sandbox and holds for review apply
unchanged; whatever they refuse becomes a helpful bounce (forum.mail.refusals), never a post. The
personal-data guard, which on the web's reply form asks whether to post the details publicly or send
them privately to support, cannot ask an email: a reply to a thread in which it finds something is
refused, and the bounce (naming what it found, masked) sends its sender to the website to choose.
Attachments become the member's uploads, referenced from the body as the editor would. The web's rate
limits are counted for email per account (posting_limit).

The mail is marked POSTED before the service commits, so the post and the mail's new status land in
the same commit: a worker that dies after it finds the mail handled and never posts twice.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, timedelta

from flask import current_app
from limits import parse as parse_limit
from sqlalchemy import select

from forum import conversations, uploads
from forum.accounts import blocks, personal_data
from forum.core import clock, i18n, posting_rules
from forum.core.errors import DomainError
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.mail import addresses, case_replies, refusals
from forum.mail.addresses import ReplyKey
from forum.mail.message import InboundMessage
from forum.mail.refusals import refuse
from forum.models import (
    Conversation,
    ConversationMessage,
    InboundMail,
    InboundStatus,
    Post,
    Thread,
    User,
    Visibility,
)
from forum.services import community_settings, permissions, posting
from forum.services.notifications import thread_path
from forum.services.permissions import Action, Restriction, can, restriction

SIGN_IN_PATH = "/auth/login"


def handle(message: InboundMessage, key: ReplyKey, mail: InboundMail) -> None:
    """Check that the sender owns the key's account and may take part, then reply where the key says."""
    user = _sender_account(message, key, mail)
    if user is None:
        return
    with i18n.reading_as(user.language, user.time_zone):  # what the services say reaches the sender in their words
        if key.kind == "c":
            case_replies.handle(message, key, user, mail)
        elif key.kind == "m":
            _reply_in_conversation(message, key, user, mail)
        else:
            _reply_on_thread(message, key, user, mail)


def _sender_account(message: InboundMessage, key: ReplyKey, mail: InboundMail) -> User | None:
    """The key's account when the sender owns it and may take part; None once refused."""
    user = db.session.get(User, key.user_id)
    if user is None or user.anonymized_at is not None:
        refuse(message, mail, "unknown_key")
        return None
    if message.from_address.lower() != user.email.lower():
        refuse(message, mail, "wrong_sender")  # not user_id: the owner did not send this
        return None
    mail.user_id = user.id
    standing = restriction(user)
    # As on the web, a suspended customer still writes to their own case: no issue is left unanswered.
    if standing is Restriction.SUSPENDED and key.kind != "c":
        refuse(message, mail, "suspended", link=SIGN_IN_PATH, link_label=_l("Sign in"))
        return None
    if standing is Restriction.UNVERIFIED:
        refuse(message, mail, "unverified", link=SIGN_IN_PATH, link_label=_l("Sign in to confirm your email"))
        return None
    if not message.text.strip() and not message.attachments:
        refuse(message, mail, "empty")
        return None
    return user


def _reply_on_thread(message: InboundMessage, key: ReplyKey, user: User, mail: InboundMail) -> None:
    thread = db.session.get(Thread, key.target_id)
    if thread is None or thread.deleted_at is not None or not can(user, Action.THREAD_VIEW, thread):
        refuse(message, mail, "not_allowed")
        return
    mail.thread_id = thread.id
    link = thread_path(thread)
    if not can(user, Action.THREAD_REPLY, thread):
        refuse(message, mail, "locked" if thread.locked else "not_allowed", link=link)
        return
    wait = posting_limit(user, "reply")
    if wait is not None:
        refuse(message, mail, "rate_limited", wait=refusals.wait_in_words(wait), link=link)
        return
    findings = _personal_data(message.text)
    if findings:  # the web's reply form asks first; an email cannot be asked, so the website must
        refuse(message, mail, "personal_data", detail="; ".join(personal_data.summary(findings)) + ".", link=link,
               link_label=_l("Answer on the website"))
        return
    skipped: list[str] = []
    body = uploads.with_references(user, message.text.strip(), store_attachments(user, message, skipped)).strip()
    if not body:
        refuse(message, mail, "empty", detail=not_attached(skipped))
        return
    title = thread.title
    _mark_posted(mail, f"Posted as a reply to “{title}”.")
    try:
        post = posting.reply_to_thread(user, thread, body)
    except DomainError as error:
        refusals.refuse_error(message, mail, error, link=link, user_id=user.id, thread_id=key.target_id)
        return
    mail.post_id = post.id
    held = post.visibility != Visibility.PUBLIC.value
    _finish_outcome(mail, f"Posted as a reply to “{title}”" + (
        "; it waits for a moderator's review before others see it." if held else "."), skipped)


def _personal_data(text: str) -> list[personal_data.Finding]:
    """What the personal-data guard finds, but for this site's own addresses: a quote header the parser does not
    know (a language it lacks) keeps "<no-reply@our domain> wrote:" in the text, and that is nobody's data."""
    return [finding for finding in personal_data.find(text) if not addresses.is_own_address(finding.text)]


def _reply_in_conversation(message: InboundMessage, key: ReplyKey, user: User, mail: InboundMail) -> None:
    conversation = db.session.get(Conversation, key.target_id)
    if conversation is None or not can(user, Action.CONVERSATION_VIEW, conversation):
        refuse(message, mail, "not_allowed")
        return
    link = f"/messages/{conversation.id}"
    if _blocked(user, conversation, key.answers_id):
        refuse(message, mail, "blocked")
        return
    if not can(user, Action.CONVERSATION_REPLY, conversation):
        refuse(message, mail, "not_allowed", link=link)
        return
    wait = posting_limit(user, "message")
    if wait is not None:
        refuse(message, mail, "rate_limited", wait=refusals.wait_in_words(wait), link=link)
        return
    # Private messages carry no attachments: an upload only becomes visible to others on a post or case message.
    skipped = [_("%(name)s (private messages take no attachments)", name=a.filename or _("attachment"))
               for a in message.attachments]
    if not message.text.strip():
        refuse(message, mail, "empty", detail=not_attached(skipped))
        return
    _mark_posted(mail, f"Sent in the conversation “{conversation.title}”.")
    try:
        sent = conversations.reply(user, conversation.id, message.text.strip())
    except DomainError as error:
        refusals.refuse_error(message, mail, error, link=link, user_id=user.id)
        return
    mail.conversation_message_id = sent.id
    _finish_outcome(mail, mail.outcome, skipped)


def _blocked(user: User, conversation: Conversation, answers_id: int) -> bool:
    """Whether the person answered ignores the sender (forum.accounts.blocks): the one who wrote the message the
    email answers, else everyone else still in the conversation. On the web such a message reaches nobody's
    notifications; by email the sender is told instead of writing into silence."""
    answered = db.session.get(ConversationMessage, answers_id) if answers_id else None
    if answered is not None and answered.conversation_id == conversation.id and answered.author_id != user.id:
        return blocks.ignores(answered.author_id, user.id)
    others = [p.user_id for p in conversation.participants if p.left_at is None and p.user_id != user.id]
    return bool(others) and not blocks.not_ignoring(user.id, others)


def _mark_posted(mail: InboundMail, outcome: str) -> None:
    """Set before the service commits, so the message and the mail's status are committed together."""
    mail.settle(InboundStatus.POSTED, outcome)


def _finish_outcome(mail: InboundMail, outcome: str, skipped: list[str]) -> None:
    mail.outcome = " ".join(part for part in (outcome, not_attached(skipped)) if part)[:300]


def not_attached(skipped: list[str]) -> str:
    """The attachments the uploads rules refused, named with why, for a mail's outcome or a bounce; "" for none."""
    return _("Not attached: %(files)s.", files="; ".join(skipped)) if skipped else ""


def store_attachments(user: User, message: InboundMessage, skipped: list[str] | None = None) -> list[int]:
    """Store each attachment as one of user's uploads (forum.uploads' rules: types, sizes, daily count); the
    upload ids. A file the rules refuse is skipped, and named with the reason in skipped when given.

    Each upload commits on its own (forum.uploads.store_upload): call this once every check that could
    refuse the message has passed. Uploads left unreferenced by a refusal are removed by the orphan sweep.
    """
    stored = []
    for attachment in message.attachments:
        name = attachment.filename or _("attachment")
        try:
            stored.append(uploads.store_stream(user, io.BytesIO(attachment.data), name, attachment.content_type).id)
        except DomainError as error:
            if skipped is not None:
                skipped.append(f"{name} ({error.detail})")
    return stored


def posting_limit(user: User, action: str) -> int | None:
    """Seconds the member must wait before action ("reply", "message" or "question") by email; None when free.

    The web's rules, per account, counted from what the member wrote in the window (on the web or by
    email), on the services' clock: the limiter's own counters are per endpoint and in wall-clock time.
    Off where the app's rate limiter is switched off (RATELIMIT_ENABLED=False; the test suite's default).
    """
    if not _limits_on():
        return None
    item = parse_limit(_rule(user, action))
    window = timedelta(seconds=item.get_expiry())
    now = clock.now()
    moments = _written_since(user, action, now - window)
    if len(moments) < item.amount:
        return None
    frees_at = moments[len(moments) - item.amount] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _rule(user: User, action: str) -> str:
    """The web's rule for action from the community settings as they are now (staff skip the new-account rate)."""
    setting = community_settings.cached_setting
    if action in {"reply", "message"}:
        return posting_rules.reply_rule(setting)
    if action == "question":
        return posting_rules.new_thread_rule(setting, user.created_at, permissions.is_staff(user))
    raise ValueError(f"unknown action {action!r}")


def _written_since(user: User, action: str, since: datetime) -> list[datetime]:
    """When the member wrote each reply, private message or question since then, oldest first."""
    if action == "message":
        column, query = ConversationMessage.created_at, select(ConversationMessage.created_at).where(
            ConversationMessage.author_id == user.id)
    elif action == "question":
        column, query = Thread.created_at, select(Thread.created_at).where(Thread.author_id == user.id)
    else:
        column, query = Post.created_at, select(Post.created_at).where(
            Post.author_id == user.id, Post.is_question.is_(False))
    return list(db.session.scalars(query.where(column > since).order_by(column)))


def _limits_on() -> bool:
    limiters = current_app.extensions.get("limiter") or ()
    return all(getattr(limiter, "enabled", True) for limiter in limiters)
