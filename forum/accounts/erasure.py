"""Erase a person from an account (the right to be forgotten): identity goes, the posts stay.

The one place that knows everything that identifies or reaches a member, shared by the admin's
anonymisation (moderation.services.anonymize, which adds its permission check and audit entry) and
the member's own deletion after its grace period (forum.accounts.deletion). Answers stay useful to
the next customer, so posts, votes and the reputation ledger are kept, under a placeholder name.
Everything else goes: names, email, bio, picture, password (and with it every reset link, whose
fingerprint is the hash), second factor, sessions, tokens, provider sign-ins, subscriptions,
notifications, stored emails to them and data exports, drafts, whom they ignore and who ignores them,
and every IP address stored of them (sessions and audit entries, forum.accounts.address_retention).
Email they sent keeps only that it came and what it became (_forget_mail), and the bounce record of their
address goes. A staged account (made for someone who wrote in by email) is erased the same way and can
no longer be claimed.
Their private messages stay with the other participants, like their posts, under the anonymous name,
with contact details (email addresses, phone and card numbers, postal addresses) taken out of the text.
Copies of their name elsewhere take the anonymous one: the user summaries in stored webhook deliveries
(so pending ones go out without it), the emails other people were sent about them, and the search
documents of their threads (purged, so the old author term leaves the index files too). Knowledge-base
articles they wrote stay like their posts once published or archived (knowledge belongs to the community);
a draft or an article in review, which only they and staff could see, goes (_forget_knowledge). Receivers of
the `user.deleted` webhook are told, with the id alone, so they can forget the person too.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select, update

from forum.accounts import address_retention, blocks, data_export, members, personal_data, sessions
from forum.core import clock, events
from forum.core.extensions import db
from forum.integrations import payload_history
from forum.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Conversation,
    ConversationMessage,
    DataExport,
    Draft,
    InboundMail,
    InboundStatus,
    MailAddressHealth,
    Notification,
    OutboundEmail,
    RecoveryCode,
    Subscription,
    SuggestionOpen,
    Thread,
    User,
    UserIdentity,
    UserSession,
)
from forum.services import indexing, markup

PLACEHOLDER_NAME = "Former member"
# What staff read for an email whose sender's account was erased: the original outcome may quote them.
ERASED_OUTCOME = "The sender's account was erased: their address and words are gone."


def erase(user: User) -> None:
    """Remove everything that identifies or reaches user, in the caller's transaction (the caller commits).

    The caller checks that this may happen and that it has not happened already (anonymized_at).
    Export archives are deleted from disk at once, before the commit: should the commit fail, a row
    names a missing file, which is harmless, while the other order could leave the archive behind.
    """
    old_email, old_names = user.email, (user.username, user.display_name)
    _forget_identity(user)
    _forget_second_factor(user)
    _cut_access(user, old_email)
    address_retention.forget_addresses_of(user.id)
    _forget_exports(user)
    _forget_private(user)
    _forget_knowledge(user)
    _forget_mail(user, old_email)
    _rename_copies(user, old_names)
    _purge_their_threads(user)
    user.anonymized_at, user.staged_at = clock.now(), None
    user.deletion_scheduled_at, user.deletion_removes_unanswered = None, False
    events.publish("user.deleted", user_id=user.id)


def _free_username(user: User) -> str:
    """deleted-user-<id>, or with a random suffix should someone have registered that name."""
    name = f"deleted-user-{user.id}"
    while db.session.scalar(select(User.id).where(User.username_key == name.lower(), User.id != user.id)):
        name = f"deleted-user-{user.id}-{secrets.token_hex(3)}"
    return name


def _forget_identity(user: User) -> None:
    username = _free_username(user)
    user.username, user.username_key = username, username.lower()
    user.email = f"{username}@anonymized.invalid"  # .invalid never resolves (RFC 2606), and stays unique
    user.display_name, user.bio, user.time_zone = PLACEHOLDER_NAME, "", "UTC"
    user.avatar_upload_id = None  # their photo is theirs too: unreferenced now, the orphan sweep deletes it
    # No Argon2 hash: no password matches, and reset links (which carry a fingerprint of the hash) die.
    user.password_hash = "!anonymized:" + secrets.token_hex(16)
    user.email_frequency, user.weekly_digest = "off", False
    user.last_seen_at = None


def _forget_second_factor(user: User) -> None:
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _cut_access(user: User, old_email: str) -> None:
    """Sign out everywhere (forgetting where from), revoke tokens, and drop what reached the person."""
    sessions.end_all(user.id)
    db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id).values(ip_address=None, user_agent="")
    )
    members.revoke_all_api_tokens(user)
    db.session.execute(delete(Subscription).where(Subscription.user_id == user.id))
    db.session.execute(delete(UserIdentity).where(UserIdentity.user_id == user.id))  # no more provider sign-ins
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.to_address == old_email))


def _forget_exports(user: User) -> None:
    """Delete the member's export archives (files and rows): each is a copy of everything above."""
    folder = data_export.exports_dir()
    for file_name in db.session.scalars(select(DataExport.file_name).where(DataExport.user_id == user.id)):
        if file_name:
            path = folder / Path(file_name).name  # a bare name: never a path out of the folder
            path.unlink(missing_ok=True)
    db.session.execute(delete(DataExport).where(DataExport.user_id == user.id))


def _forget_private(user: User) -> None:
    """Drafts and ignores both ways go; the person's messages stay for the others in each conversation (as
    their posts stay), with the contact details a private message is likeliest to hold redacted, as in the
    titles of the conversations they started."""
    db.session.execute(delete(Draft).where(Draft.user_id == user.id))
    blocks.forget_all(user.id)
    messages = db.session.execute(select(ConversationMessage.id, ConversationMessage.body)
                                  .where(ConversationMessage.author_id == user.id)).all()
    for message_id, body in messages:
        scrubbed = personal_data.redact(body)
        if scrubbed != body:
            db.session.execute(update(ConversationMessage).where(ConversationMessage.id == message_id).values(
                body=scrubbed, body_html=markup.render_markdown(scrubbed), renderer_version=markup.RENDERER_VERSION))
    started = db.session.execute(select(Conversation.id, Conversation.title)
                                 .where(Conversation.started_by_id == user.id)).all()
    for conversation_id, title in started:
        if (scrubbed := personal_data.redact(title)) != title:
            db.session.execute(update(Conversation).where(Conversation.id == conversation_id)
                               .values(title=scrubbed[:200]))


def _forget_knowledge(user: User) -> None:
    """Their unpublished articles go (versions, feedback, links and attachments with them), and so does one
    staff archived without ever publishing it (as private as a draft: forum.knowledge.rules); published and
    archived ones stay under the anonymous name, with the versions they saved, and no longer name them as
    owner (the review reminder would reach nobody: staff's "needs review" list keeps them in sight). Their
    comments on articles are blanked while their yes/no answers stay counted, and the suggestions they
    opened while asking and not yet settled are forgotten."""
    unpublished = (ArticleStatus.DRAFT.value, ArticleStatus.IN_REVIEW.value)
    never_public = or_(Article.status.in_(unpublished),  # archived unpublished: as private as a draft (rules)
                       and_(Article.status == ArticleStatus.ARCHIVED.value, Article.published_at.is_(None)))
    db.session.execute(delete(Article).where(Article.author_id == user.id, never_public))
    db.session.execute(update(Article).where(Article.owner_id == user.id).values(owner_id=None))
    db.session.execute(update(ArticleFeedback).where(ArticleFeedback.user_id == user.id).values(comment=""))
    # A settled row is a measured outcome of an account that is now anonymous: it stays, so the metrics of
    # past periods and the articles' deflection counts keep agreeing. One still open would settle as a
    # deflection of someone who can no longer ask: it goes.
    db.session.execute(delete(SuggestionOpen).where(SuggestionOpen.user_id == user.id,
                                                    SuggestionOpen.settled_at.is_(None)))


def _forget_mail(user: User, old_email: str) -> None:
    """Email received from the person keeps when it came, how, its status and the ids of what it became
    (a post stays like their other posts); the address, subject, words, Message-ID and raw message go, and
    the row no longer names the account. Mail from their address that was never tied to them (refused,
    ignored) is theirs too and goes the same way. A question still waiting for its confirmation link is
    dropped: it is refused, never published later. The digest stays (it is the row's unique key, and only
    someone holding the very message can match it), so a mail server retrying an old delivery is still
    recognised and not handled again. New mail from the address finds no account: theirs now reads
    deleted-user-<id>@anonymized.invalid, and a reply key naming the account needs the sender to be its
    current address (forum.mail.replies). Bounces are counted per address: that record goes too.
    """
    address = old_email.lower()
    theirs = or_(InboundMail.user_id == user.id, func.lower(InboundMail.from_address) == address)
    unfinished = (InboundStatus.PENDING.value, InboundStatus.RECEIVED.value)
    db.session.execute(update(InboundMail).where(theirs, InboundMail.status.in_(unfinished))
                       .values(status=InboundStatus.REFUSED.value, processed_at=clock.now()))
    db.session.execute(update(InboundMail).where(theirs).values(
        user_id=None, from_address="", to_address="", subject="", body_text="", message_id="", raw=None,
        outcome=ERASED_OUTCOME))
    db.session.execute(delete(MailAddressHealth).where(MailAddressHealth.address == address))


def _rename_copies(user: User, old_names: tuple[str, str]) -> None:
    """Where webhook receivers were sent the person's summary, the anonymous one stands in.

    Mail already sent to other people (a mention, a digest) is left as it is: finding the person's name in
    someone else's mail by matching words rewrote unrelated text (a member named "the" or "a" would rewrite
    every mail), and unsent mail must go out as written. Telling which stored mail concerns whom needs the
    mail to record it; until then the outbox is the recipients' copy, not the member's data.
    """
    old_username, _old_display_name = old_names
    payload_history.scrub_user_deliveries(
        user.id, old_username, {"username": user.username, "display_name": user.name, "email": user.email}
    )


def _purge_their_threads(user: User) -> None:
    """Search documents name each thread's author: rewrite those of the threads they started, leaving no
    older copy behind (a plain reindex replaces the document, but Whoosh keeps the old one in its segment).
    Their published articles' documents name them too: those are written again under the anonymous name, with no
    older copy left behind either."""
    for thread_id in db.session.scalars(select(Thread.id).where(Thread.author_id == user.id)):
        indexing.purge_thread(thread_id)
    published = select(Article.id).where(Article.author_id == user.id,
                                         Article.status == ArticleStatus.PUBLISHED.value)
    for article_id in db.session.scalars(published):
        indexing.purge_article(article_id)
