"""Starting a private conversation: who with, how many, how often, and the text checks every message meets.

Participants are named by id (the pages turn usernames into ids first). The starter picks 1 to
conversations.max_participants - 1 others, all existing active accounts, never themselves. A member
who ignores the starter cannot be pulled into a conversation by them; staff are never refused that way,
since a member cannot ignore staff (forum.accounts.blocks). A new account is sandboxed and members start
at most conversations.daily_limit conversations a day (staff exempt). Bodies pass the same content checks
as posts (watched words refuse or rewrite); a check that would hold a post for approval is not applied,
because a private message has no approval step: participants flag what is wrong instead.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from forum.accounts import blocks, personal_data
from forum.conversations import notifying, rules
from forum.core import clock
from forum.core.errors import DomainError, ErrorCollector, Forbidden, Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _, ngettext
from forum.core.text import visible_length
from forum.models import Conversation, ConversationMessage, ConversationParticipant, User
from forum.services import community_settings, markup, policies
from forum.services.permissions import Action, is_staff, require
from forum.services.write_checks import Findings

MAX_TITLE = 200
MIN_TITLE = 3
MAX_BODY_BYTES = 64 * 1024


class DailyLimitReached(DomainError):
    status = 429
    title = N_("Daily conversation limit reached")


@dataclass(frozen=True)
class NewConversation:
    user_ids: list[int] = field(default_factory=list)
    title: str = ""
    body: str = ""


def findings_for(*texts: str | None) -> Findings:
    """Personal data in what is about to be sent (warned about as on posts; never refused for it)."""
    return Findings([finding for text in texts for finding in personal_data.find(text)])


def check_title(errors: ErrorCollector, title: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in title):
        errors.add("title", _("Keep the title on one line, without control characters."))
    elif visible_length(title) < MIN_TITLE:
        errors.add("title", _("Give the conversation a title of at least %(num)d characters.", num=MIN_TITLE))
    elif len(title.strip()) > MAX_TITLE:
        errors.add("title", _("Keep the title under %(num)d characters.", num=MAX_TITLE))


def check_body(errors: ErrorCollector, body: str) -> None:
    if not body.strip():
        errors.add("body", _("Write a message first."))
    elif len(body.encode("utf-8")) > MAX_BODY_BYTES:
        errors.add("body", _("This is too long: messages can be at most %(num)d KB.", num=MAX_BODY_BYTES // 1024))


def reviewed(errors: ErrorCollector, author: User, body: str, title: str | None = None) -> tuple[str | None, str]:
    """Title (None: a reply has none) and body after the registered content checks, as a thread's are.

    Refusals join errors; holds do not apply here. The title is checked too: it is what the emails,
    the inbox and the moderators' queue show, so a blocked phrase is refused there as in a thread title.
    """
    try:
        review = policies.review(policies.Draft(author, "message", body, title))
    except Invalid as exc:
        for key, messages in exc.errors.items():
            for message in messages:
                errors.add(key if key in {"title", "body"} else "body", message)
        return title, body
    return review.title, review.body


def reviewed_body(errors: ErrorCollector, author: User, body: str) -> str:
    """A reply's body after the registered content checks (see reviewed)."""
    return reviewed(errors, author, body)[1]


def check_may_start(actor: User) -> None:
    """The sandbox and the daily limit, each refused with its own reason; then the rule itself."""
    if not rules.enabled():
        raise Forbidden(_("Private conversations are turned off in this community."))
    if rules.sandboxed(actor):
        days = community_settings.cached_setting("conversations.min_account_days")
        raise Forbidden(ngettext("New accounts can start private conversations after %(num)d day. You can already "
                                 "reply to conversations others start.",
                                 "New accounts can start private conversations after %(num)d days. You can already "
                                 "reply to conversations others start.", days))
    require(actor, Action.CONVERSATION_START)
    if is_staff(actor):
        return
    limit = community_settings.cached_setting("conversations.daily_limit")
    started = db.session.scalar(select(func.count(Conversation.id)).where(
        Conversation.started_by_id == actor.id, Conversation.created_at > clock.now() - timedelta(days=1)))
    if started >= limit:
        raise DailyLimitReached(ngettext("You can start at most %(num)d conversation a day; please try again tomorrow.",
                                         "You can start at most %(num)d conversations a day; please try again "
                                         "tomorrow.", limit))


def _participants(errors: ErrorCollector, actor: User, user_ids: list[int]) -> list[User]:
    wanted = list(dict.fromkeys(user_ids))
    most = community_settings.cached_setting("conversations.max_participants") - 1
    if actor.id in wanted:
        errors.add("user_ids", _("You are in the conversation already: name the others."))
        wanted = [user_id for user_id in wanted if user_id != actor.id]
    if not wanted:
        errors.add("user_ids", _("Name at least one person to write to."))
        return []
    if len(wanted) > most:
        errors.add("user_ids", ngettext("A conversation can have at most %(num)d person besides you.",
                                        "A conversation can have at most %(num)d people besides you.", most))
        return []
    found = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))}
    people = [found[user_id] for user_id in wanted if user_id in found and _reachable(found[user_id])]
    if len(people) != len(wanted):
        errors.add("user_ids", _("Some of these people do not exist or cannot receive messages."))
    elif not is_staff(actor) and len(blocks.not_ignoring(actor.id, wanted)) != len(wanted):
        errors.add("user_ids", _("You cannot start a conversation with someone who has chosen not to hear from you."))
    return people


def ids_for_usernames(text: str) -> list[int]:
    """The pages' "To" field (usernames, with or without @, split by commas or spaces) as user ids.

    Unknown names are refused with Invalid naming them, so the form can say which one is wrong.
    """
    names = [name.strip().lstrip("@").lower() for name in text.replace(",", " ").split() if name.strip("@ ")]
    names = list(dict.fromkeys(names))
    if not names:
        raise Invalid({"to": [_("Name at least one person to write to.")]})
    found = dict(db.session.execute(select(User.username_key, User.id).where(User.username_key.in_(names))).all())
    unknown = [name for name in names if name not in found]
    if unknown:
        raise Invalid({"to": [_("No member is called %(names)s.", names=", ".join("@" + name for name in unknown))]})
    return [found[name] for name in names]


def _reachable(user: User) -> bool:
    return user.anonymized_at is None and not user.is_service_account


def start_conversation(actor: User, data: NewConversation) -> Conversation:
    """Open a conversation with its first message; the others are told (notifying)."""
    check_may_start(actor)
    errors = ErrorCollector()
    title, body = (data.title or "").strip(), (data.body or "").strip()
    check_title(errors, title)
    check_body(errors, body)
    others = _participants(errors, actor, data.user_ids)
    if not errors.errors.get("body"):
        checked, body = reviewed(errors, actor, body, None if errors.errors.get("title") else title)
        if checked is not None and checked != title:
            title = checked
            check_title(errors, title)
    errors.raise_if_any()
    moment = clock.now()
    conversation = Conversation(title=title, started_by_id=actor.id, staff_started=is_staff(actor),
                                created_at=moment, last_message_at=moment)
    conversation.participants = [
        ConversationParticipant(user_id=person.id, joined_at=moment, last_read_at=moment if person is actor else None)
        for person in [actor, *others]
    ]
    db.session.add(conversation)
    message = new_message(conversation, actor, body)
    notifying.on_message(conversation, message, actor)
    db.session.commit()
    return conversation


def new_message(conversation: Conversation, author: User, body: str) -> ConversationMessage:
    """Add a message (rendered once, here) and move the conversation to the top of everyone's inbox."""
    moment = clock.now()
    message = ConversationMessage(conversation=conversation, author_id=author.id, body=body,
                                  body_html=markup.render_markdown(body), renderer_version=markup.RENDERER_VERSION,
                                  created_at=moment)
    db.session.add(message)
    conversation.last_message_at = moment
    for participant in conversation.participants:
        if participant.user_id == author.id:
            participant.last_read_at = moment
    db.session.flush()
    return message
