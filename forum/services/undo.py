"""Ten seconds to take back a one-click act that is easy to regret: accepting an answer, hiding a post.

Instead of an "are you sure?" before every accept, the page that follows offers Undo for WINDOW. Its
button carries a ticket signed with the app's secret key (salted for this use only) that names the act,
its object, what the act changed, who did it and when, by forum's clock. The ticket is honoured only
for that person, within WINDOW plus a short GRACE for a slow connection, and only while nothing has
moved since (nobody accepted another answer in between); anything else is Refused, with the reason,
and nothing happens. The reversal goes through the services that do the opposite every day, so
reputation, audit entries and notifications follow their usual rules.

Irreversible acts (delete, suspend, anonymise) get a confirmation step instead; see their pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from forum.core import clock
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import Post, Thread, User
from forum.services import qa

WINDOW = timedelta(seconds=10)  # how long the page offers Undo (forum/static/undo.js takes the button away)
GRACE = timedelta(seconds=5)  # a click at 9.9 s over a slow connection still counts
SALT = "horseshoe.undo"
ACCEPT, HIDE = "accept", "hide"

# Marked only: Refused translates its reason when raised, in the language of the request it answers.
NOT_VALID = N_("Nothing was undone: this Undo button is not valid. Reload the page to see where things stand.")
SOMEONE_ELSES = N_("Nothing was undone: only the person who did it can undo it.")
TOO_LATE = N_("Nothing was undone: Undo lasts ten seconds and they have passed. "
              "Use the page's own buttons to change it back.")
CHANGED_SINCE = N_("Nothing was undone: the thread changed since (someone else acted on it). Reload to see it now.")
GONE = N_("Nothing was undone: the answer accepted before is no longer in this thread to go back to.")


class Refused(Conflict):
    """The ticket is not honoured (not valid, someone else's, too late, or the state moved); nothing changed.

    detail: one of the N_-marked reasons above (or another marked text), translated here."""

    def __init__(self, detail: str) -> None:
        super().__init__(_(detail))


@dataclass(frozen=True)
class Ticket:
    """One undoable act: act and object_id name it; state is what it changed, to check nothing moved since."""

    act: str
    object_id: int
    actor_id: int
    issued_at: datetime
    state: dict[str, int | None]


def _serializer(secret_key: str) -> URLSafeSerializer:
    """Signed, not timed by itsdangerous: the issue time is in the payload, read against forum's clock."""
    return URLSafeSerializer(secret_key, salt=SALT)


def issue(secret_key: str, act: str, object_id: int, actor: User, **state: int | None) -> str:
    """The signed ticket for the act actor has just done (state: what it changed, e.g. the earlier answer)."""
    payload = {"act": act, "obj": object_id, "by": actor.id, "at": clock.now().timestamp(), "state": state}
    return _serializer(secret_key).dumps(payload)


def redeem(secret_key: str, token: str, act: str, object_id: int, actor: User) -> Ticket:
    """The ticket, if actor may still undo act on object_id with it; otherwise Refused with the reason."""
    try:
        data: Any = _serializer(secret_key).loads(token or "")
    except BadSignature:
        raise Refused(NOT_VALID) from None
    if not _well_formed(data) or data["act"] != act or data["obj"] != object_id:
        raise Refused(NOT_VALID)
    if data["by"] != actor.id:
        raise Refused(SOMEONE_ELSES)
    issued = datetime.fromtimestamp(data["at"], UTC)
    if clock.now() - issued > WINDOW + GRACE:
        raise Refused(TOO_LATE)
    return Ticket(act, object_id, actor.id, issued, dict(data["state"]))


def _well_formed(data: Any) -> bool:
    """A signed payload is ours, but an old release's shape must be refused, not crash."""
    return (isinstance(data, dict) and isinstance(data.get("act"), str) and isinstance(data.get("obj"), int)
            and isinstance(data.get("by"), int) and isinstance(data.get("at"), int | float)
            and isinstance(data.get("state"), dict))


# --- accepting an answer ------------------------------------------------------------------------------------


def accept_with_undo(secret_key: str, actor: User, thread: Thread, post: Post) -> str | None:
    """qa.accept_solution, and the ticket that undoes it; None when post already was the solution."""
    previous_id = thread.accepted_post_id
    if not qa.accept_solution(actor, thread, post):
        return None
    return issue(secret_key, ACCEPT, thread.id, actor, post=post.id, previous=previous_id,
                 solved=_stamp(thread.solved_at))


def _stamp(moment: datetime | None) -> int | None:
    """An acceptance's moment in whole microseconds: it tells this acceptance from a later one of the same answer
    (after an undo and a redo), so a spent ticket never undoes the redo."""
    return None if moment is None else (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def undo_accept(secret_key: str, actor: User, thread: Thread, token: str) -> Post | None:
    """Take back an acceptance: the earlier answer is the solution again, or the thread has none.

    Reputation moves exactly as unaccepting (and, for "accept this instead", accepting the earlier
    answer) does today. Returns the answer restored as the solution (None: the thread has none now).
    """
    ticket = redeem(secret_key, token, ACCEPT, thread.id, actor)
    accepted, previous_id = ticket.state.get("post"), ticket.state.get("previous")
    if (thread.accepted_post_id != accepted or thread.accepted_by_id != actor.id
            or _stamp(thread.solved_at) != ticket.state.get("solved")):
        raise Refused(CHANGED_SINCE)
    if previous_id is None:
        qa.unaccept_solution(actor, thread)
        return None
    previous = db.session.get(Post, previous_id)
    if previous is None or previous.thread_id != thread.id or not previous.is_public:
        raise Refused(GONE)
    if not qa.accept_solution(actor, thread, previous):
        raise Refused(CHANGED_SINCE)  # a concurrent click moved it first
    return previous
