"""Anonymise an account on request (the right to be forgotten): identity goes, posts stay.

What goes and what stays is forum.accounts.erasure, shared with members' own deletion; this
module adds who may do it (admins, never on themselves) and the audit entry, which records that
it happened, never who the person was.
"""

from __future__ import annotations

from forum.accounts import erasure
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import User
from forum.services import audit_writer
from forum.services.permissions import Action, require

PLACEHOLDER_NAME = erasure.PLACEHOLDER_NAME


def anonymize_user(actor: User, user: User, reason: str = "") -> User:
    """Remove user's identity for good (admins only, never themselves); their posts stay."""
    require(actor, Action.USER_ANONYMIZE, user)
    if user.anonymized_at is not None:
        raise Conflict(_("This account is already anonymised."))
    erasure.erase(user)
    audit_writer.record(actor, "user.anonymize", "user", user.id, (reason or "").strip()[:1000],
                        before={"anonymized_at": None}, after={"anonymized_at": user.anonymized_at})
    db.session.commit()
    return user
