"""Members delete their own account: confirm it, wait out a grace period, then the account is erased.

Confirming takes the password (a wrong one counts toward the account's sign-in limit, so a stolen
session can't be used to guess it), or, for an account that has none (an identity provider's), a
signed link emailed to its owner. Scheduling revokes every API token and ends every other session
at once, so whoever else holds a way in loses it now; the browser that asked stays signed in, so its
owner can still change their mind. For GRACE the account lives on, and an interactive sign-in or
POST /tokens cancels the deletion (members.cancel_scheduled_deletion). Then the accounts.delete_due
job erases it (forum.accounts.erasure): posts stay under the anonymous name, or, when the member
asked, the threads nobody else took part in go too (unanswered_threads says exactly which).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from forum.accounts import erasure, members, sessions, sign_in_guard
from forum.core import clock, outbox
from forum.core.errors import Forbidden, Invalid
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.mail.sending import absolute_url, queue_email
from forum.models import AuditEntry, Case, Post, Thread, User
from forum.services import audit_writer, moderation_state

GRACE = timedelta(days=7)
LINK_MAX_AGE = timedelta(hours=24)
LINK_SALT = "account-deletion"
CONFIRM_PATH = "/settings/privacy/delete/confirm/{token}"
SIGN_IN_PATH = "/auth/login"
DUE_JOB = "accounts.delete_due"
DUE_INTERVAL_S = 3600  # the periodic sweep; each scheduling also queues a run for its own deadline
BATCH = 50  # accounts erased per run; a full batch queues the next run at once
SCHEDULED_ACTION = "user.deletion_scheduled"
REFUSED_ACTION = "user.deletion_refused"
REMOVAL_REASON = "The author deleted their account."


def refusal(user: User) -> str | None:
    """Why user may not delete their own account here, or None when they may.

    Staff accounts hold powers over other people's posts and cases: an admin makes them a member
    first (and no community loses its last admin to a click). Service accounts belong to the
    community, not to a person: admins revoke their tokens.
    """
    if user.anonymized_at is not None:
        return _("This account is already deleted.")
    return _role_refusal(user)


def _role_refusal(user: User) -> str | None:
    """The refusals that a change of role during the grace period can bring (refusal without the deleted check)."""
    if user.is_service_account:
        return _("A service account is not deleted by itself: an admin revokes its tokens.")
    if user.is_staff:
        return _("Staff accounts are not deleted by themselves: ask an admin to make yours a member account first.")
    return None


def confirms_by_email(user: User) -> bool:
    """Accounts without a password (made by an identity provider) confirm with an emailed link instead."""
    return user.password_hash == members.NO_PASSWORD


def start(user: User, password: str | None, *, remove_unanswered: bool) -> datetime | None:
    """What both front ends call: schedule with the password, or email a link to an account without one.

    Returns when the account will be erased, or None when a confirmation link was emailed.
    """
    if confirms_by_email(user):
        request_by_email(user, remove_unanswered)
        return None
    return schedule(user, password, remove_unanswered=remove_unanswered)


def schedule(user: User, password: str | None, *, remove_unanswered: bool) -> datetime:
    """Schedule user's deletion once the password confirms it; Invalid (errors.password) when it does not.

    A wrong password changes nothing but the account's count of failed sign-ins.
    """
    _refuse_if_not_allowed(user)
    if not password:
        raise Invalid({"password": [_("Enter your password to confirm.")]})
    if not sign_in_guard.guarded(user, lambda: members.authenticate(user.email, password) is not None):
        raise Invalid({"password": [_("That is not your password.")]})  # as signing in checks it (Argon2)
    return _schedule(user, remove_unanswered)


def request_by_email(user: User, remove_unanswered: bool) -> None:
    """Email the owner of an account without a password a link that confirms its deletion (24 hours)."""
    _refuse_if_not_allowed(user)
    token = confirmation_token(user, remove_unanswered)
    queue_email(user.email, _l("Confirm deleting your Horseshoe account"), "account_deletion_confirm", essential=True,
                user=user, link=absolute_url(CONFIRM_PATH.format(token=token)),
                hours=int(LINK_MAX_AGE.total_seconds() // 3600), days=GRACE.days)
    db.session.commit()


def confirmation_token(user: User, remove_unanswered: bool) -> str:
    """The signed token of a confirmation link: the account, the choice, and when it was made."""
    issued = int(clock.now().timestamp())
    return _serializer().dumps({"uid": user.id, "at": issued, "ru": bool(remove_unanswered)})


def user_for_link(token: str) -> tuple[User, bool]:
    """The account a confirmation link was made for, and whether it asked to remove unanswered threads.

    A link works for LINK_MAX_AGE and once: any scheduling since it was sent uses it up, so an old
    email can't bring back a deletion its owner cancelled by signing in.
    """
    try:
        data = _serializer().loads(token)
    except BadSignature as exc:
        raise Invalid({"token": [_("This link is not valid. Ask for a new one on your privacy page.")]}) from exc
    user = db.session.get(User, data.get("uid", 0)) if isinstance(data, dict) else None
    issued = datetime.fromtimestamp(data.get("at", 0), UTC) if user is not None else None
    if user is None or user.anonymized_at is not None:
        raise Invalid({"token": [_("This link is not valid. Ask for a new one on your privacy page.")]})
    if clock.now() - issued > LINK_MAX_AGE:
        raise Invalid({"token": [_("This link has expired. Ask for a new one on your privacy page.")]})
    if user.deletion_scheduled_at is None and _scheduled_since(user, issued):
        raise Invalid({"token": [_("This link was already used. Ask for a new one on your privacy page.")]})
    return user, bool(data.get("ru"))


def schedule_from_link(token: str) -> User:
    """Schedule the deletion a link confirms (already scheduled: nothing changes); returns the account.

    Sessions other than the one of this request end; when the owner follows the link signed in on
    this browser, the account loaded here is the signed-in one (one object per row in the session),
    so its session stays.
    """
    user, remove_unanswered = user_for_link(token)
    _refuse_if_not_allowed(user)
    if user.deletion_scheduled_at is None:
        _schedule(user, remove_unanswered)
    return user


def cancel(user: User) -> bool:
    """The owner keeps the account after all (the explicit button); False when nothing was scheduled."""
    if user.deletion_scheduled_at is None:
        return False
    user.deletion_scheduled_at, user.deletion_removes_unanswered = None, False
    audit_writer.record(user, "user.deletion_cancelled", "user", user.id, "The owner cancelled it.")
    db.session.commit()
    return True


def _refuse_if_not_allowed(user: User) -> None:
    why = refusal(user)
    if why is not None:
        raise Forbidden(why)


def _serializer() -> URLSafeSerializer:
    """Signed, not timed by itsdangerous: the issue time is in the payload, read against forum's clock."""
    return URLSafeSerializer(current_app.secret_key, salt=LINK_SALT)


def _scheduled_since(user: User, moment: datetime) -> bool:
    return db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == SCHEDULED_ACTION, AuditEntry.target_type == "user",
                                    AuditEntry.target_id == user.id, AuditEntry.created_at >= moment).limit(1)
    ) is not None


def _schedule(user: User, remove_unanswered: bool) -> datetime:
    """Set the date, cut every other way in, tell the owner, and queue the run that erases it then.

    Scheduling again while scheduled keeps the date (a second request must not postpone it) and
    takes the latest choice about unanswered threads.
    """
    if user.deletion_scheduled_at is not None:
        user.deletion_removes_unanswered = bool(remove_unanswered)
        db.session.commit()
        return user.deletion_scheduled_at
    due = clock.now() + GRACE
    user.deletion_scheduled_at, user.deletion_removes_unanswered = due, bool(remove_unanswered)
    members.revoke_all_api_tokens(user)
    ended = sessions.end_others(user)
    audit_writer.record(user, SCHEDULED_ACTION, "user", user.id, "The owner asked to delete the account.",
                        before={"deletion_scheduled_at": None},
                        after={"deletion_scheduled_at": due, "removes_unanswered": bool(remove_unanswered),
                               "sessions_ended": ended})
    queue_email(user.email, _l("Your Horseshoe account will be deleted"), "account_deletion_scheduled", essential=True,
                user=user, due=due, days=GRACE.days, remove_unanswered=bool(remove_unanswered),
                sign_in=absolute_url(SIGN_IN_PATH))
    outbox.enqueue(DUE_JOB, {}, delay_s=GRACE.total_seconds())
    db.session.commit()
    return due


# --- the job -------------------------------------------------------------------------------------


def delete_due(_payload: dict | None = None) -> int:
    """The accounts.delete_due job: erase every account whose grace period is over; how many were erased."""
    now = clock.now()
    due = list(db.session.scalars(
        select(User.id).where(User.deletion_scheduled_at <= now, User.anonymized_at.is_(None))
        .order_by(User.deletion_scheduled_at, User.id).limit(BATCH)
    ))
    db.session.commit()
    erased = sum(_erase_if_still_due(user_id, now) for user_id in due)
    if len(due) == BATCH:
        outbox.enqueue(DUE_JOB, {})  # more may be waiting
        db.session.commit()
    return erased


def _erase_if_still_due(user_id: int, now: datetime) -> bool:
    """Claim the account with a conditional UPDATE, so a sign-in that just cancelled wins and two runs erase once.

    Then ask again whether it may go: an admin may have made the member staff (or a service account's
    keeper) during the grace period. Such an account keeps everything, and the schedule is cleared.
    """
    claimed = db.session.execute(
        update(User).where(User.id == user_id, User.deletion_scheduled_at <= now, User.anonymized_at.is_(None))
        .values(anonymized_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return False
    user = db.session.get_one(User, user_id)
    db.session.refresh(user)
    why = _role_refusal(user)
    if why is not None:
        _refuse_due(user, why)
        return False
    removed = remove_unanswered_threads(user) if user.deletion_removes_unanswered else 0
    erasure.erase(user)
    audit_writer.record(None, "user.delete", "user", user.id, "The owner's deletion came due.",
                        before={"anonymized_at": None},
                        after={"anonymized_at": user.anonymized_at, "threads_removed": removed})
    db.session.commit()
    return True


def _refuse_due(user: User, why: str) -> None:
    """Undo the claim and the schedule in the claiming transaction, audited; the owner can ask again as a member."""
    due = user.deletion_scheduled_at
    user.anonymized_at = None
    user.deletion_scheduled_at, user.deletion_removes_unanswered = None, False
    audit_writer.record(None, REFUSED_ACTION, "user", user.id, why,
                        before={"deletion_scheduled_at": due}, after={"deletion_scheduled_at": None})
    db.session.commit()


def unanswered_threads(user: User) -> list[Thread]:
    """The live threads user started that nobody else took part in.

    "Nobody replied" means: no post in the thread by anyone else (a reply a moderator hid or is
    still reviewing counts as a reply, since someone did answer; a deleted one does not), and no
    support case was opened on it (agents answered there). Their replies in other people's threads
    always stay: each is part of a conversation others read, and removing it would leave answers
    and follow-ups pointing at nothing. Threads merged into another live on there, so they stay too.
    """
    others = select(Post.id).where(Post.thread_id == Thread.id, Post.author_id != user.id, Post.deleted_at.is_(None))
    cases = select(Case.id).where(Case.thread_id == Thread.id)
    return list(db.session.scalars(
        select(Thread).where(Thread.author_id == user.id, Thread.deleted_at.is_(None),
                             Thread.merged_into_id.is_(None), ~others.exists(), ~cases.exists())
        .order_by(Thread.id)
    ))


def remove_unanswered_threads(user: User) -> int:
    """Delete, as the system, each of unanswered_threads(user), in the caller's transaction; how many.

    Through moderation_state.remove_post, the path every deletion takes: the thread leaves view,
    its reputation is reversed, review items close and search drops it (forum.services.indexing).
    """
    removed = 0
    for thread in unanswered_threads(user):
        question = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(True)))
        if question is not None and moderation_state.remove_post(question, None, REMOVAL_REASON):
            removed += 1
    return removed
