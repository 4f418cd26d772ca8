"""Hiding a post with ten seconds to take it back (forum.services.undo holds the signed ticket's rules).

A hide in error (the wrong reply of two similar ones) is undone by the moderator's unhide, audited as any
unhide, and only while nothing happened to the post since the hide: the post's latest audit entry must
still be that very hide (its entry's id is in the ticket), by the same moderator.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import AuditEntry, Post, User, Visibility
from forum.services import undo
from moderation.services import actions

UNDO_NOTE = N_("Hidden by mistake: undone straight away.")  # the unhide's reason, in the moderator's language


def hide_with_undo(secret_key: str, actor: User, post: Post, reason: str) -> str | None:
    """actions.hide_post, and the ticket that undoes it; None when the post already was hidden."""
    was_solution = post.thread.accepted_post_id == post.id
    if not actions.hide_post(actor, post, reason):
        return None
    entry = _latest_entry(post)
    return undo.issue(secret_key, undo.HIDE, post.id, actor, solution=int(was_solution),
                      entry=entry[0] if entry else None)


def undo_hide(secret_key: str, actor: User, post: Post, token: str) -> bool:
    """Make the post visible again (actions.unhide_post); True when the hide had dropped it as the solution,
    which stays dropped, as after any unhide: the asker (or staff) accepts it again if it should be."""
    ticket = undo.redeem(secret_key, token, undo.HIDE, post.id, actor)
    this_hide = (ticket.state.get("entry"), "post.hide", actor.id)
    if post.visibility != Visibility.HIDDEN.value or _latest_entry(post) != this_hide:
        raise undo.Refused(_("Nothing was undone: the post changed since it was hidden. Reload to see it now."))
    if not actions.unhide_post(actor, post, _(UNDO_NOTE)):
        raise undo.Refused(undo.CHANGED_SINCE)
    return bool(ticket.state.get("solution"))


def _latest_entry(post: Post) -> tuple[int, str, int | None] | None:
    """(id, action, actor) of the post's latest audit entry: the ticket names its hide by id, so after an undo
    and a new hide the spent ticket no longer matches."""
    latest = db.session.execute(
        select(AuditEntry.id, AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.target_type == "post", AuditEntry.target_id == post.id)
        .order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return tuple(latest) if latest is not None else None
