"""Imported accounts: made without a password or an email, and claimed later by the people they belong to.

A dump has no addresses or passwords, so each source user becomes an account no one can sign in to
(members.NO_PASSWORD) with a placeholder address under the reserved .invalid domain, where no mail
can ever go. Two ways hand an account to its person: staff give them a claim link (signed, it
expires, and dies once a password is set: it carries a fingerprint of the password hash, as reset
links do), on which they choose their email and password; or the operator uploads a mapping of source
ids to addresses, after which the person uses "Forgot your password?" like anyone else.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from forum.accounts import members, verification
from forum.accounts.password_reset import password_fingerprint
from forum.core import clock
from forum.core.errors import Conflict, ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.importing import records
from forum.importing.dump_reader import number, parse_date
from forum.models import ImportedKind, Role, User

CLAIM_SALT = "imported-account-claim"
CLAIM_MAX_AGE_S = 30 * 24 * 3600
PLACEHOLDER_DOMAIN = "import.invalid"  # RFC 2606: never deliverable
DELETED_USER_ID = 0  # the source id standing for posts whose author's account is gone (OwnerDisplayName only)
_NOT_USERNAME = re.compile(r"[^A-Za-z0-9_.-]+")


def placeholder_email(source: str, source_id: int) -> str:
    host = records.site_name(source).replace("/", "-")
    return f"u{source_id}.{host}@{PLACEHOLDER_DOMAIN}"


def is_placeholder(email: str) -> bool:
    return email.endswith("@" + PLACEHOLDER_DOMAIN)


def _base_username(display_name: str, source_id: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    name = _NOT_USERNAME.sub("-", ascii_name).strip("-._")[:24].strip("-._")
    return name if members.USERNAME_PATTERN.match(name) else f"user{abs(source_id)}"


def _free_usernames(wanted: dict[int, str]) -> dict[int, str]:
    """A free username per source id: the display name's when free, else with the source id appended."""
    candidates = set(wanted.values()) | {f"{name}-{sid}".replace("--", "-") for sid, name in wanted.items()}
    taken = set(db.session.scalars(select(User.username_key).where(
        User.username_key.in_([name.lower() for name in candidates]))))
    chosen: dict[int, str] = {}
    for source_id, name in wanted.items():
        for option in (name, f"{name}-{abs(source_id)}", f"{name[:16]}-se{abs(source_id)}"):
            if option.lower() not in taken and members.USERNAME_PATTERN.match(option):
                chosen[source_id] = option
                taken.add(option.lower())
                break
    return chosen


def add_users(source: str, rows: list[dict[str, str]]) -> int:
    """Create an account per source user row not imported yet (the caller commits); returns how many."""
    known = records.mapped(source, ImportedKind.USER, (number(row, "Id") for row in rows))
    fresh = [row for row in rows if number(row, "Id") not in known]
    names = _free_usernames({number(row, "Id"): _base_username(row.get("DisplayName") or "", number(row, "Id"))
                             for row in fresh})
    made = [(row, _account(names[number(row, "Id")], placeholder_email(source, number(row, "Id")), row))
            for row in fresh]
    db.session.add_all(user for _row, user in made)
    db.session.flush()  # once per batch: a flush per account was most of a small import's time
    for row, user in made:
        source_id = number(row, "Id")
        records.remember(source, ImportedKind.USER, source_id, user_id=user.id,
                         author=(row.get("DisplayName") or "")[:150], source_url=f"{source}/users/{source_id}")
    return len(fresh)


def _account(username: str, email: str, row: dict[str, str]) -> User:
    """An account no one can sign in to (as members.add_passwordless_user makes), dated as at its source."""
    return User(username=username, username_key=username.lower(), email=email, password_hash=members.NO_PASSWORD,
                role=Role.MEMBER.value, display_name=(row.get("DisplayName") or "").strip()[:64], bio="",
                time_zone="UTC", reputation=0, created_at=parse_date(row.get("CreationDate")) or clock.now(),
                email_verified_at=None)


def deleted_user_row() -> dict[str, str]:
    """The stand-in source row for authors whose accounts are gone (their posts keep the name they showed)."""
    return {"Id": str(DELETED_USER_ID), "DisplayName": "deleted-user"}


# Claim links ---------------------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=CLAIM_SALT)


def claim_token(user: User) -> str:
    """A claim link's token for an imported, unclaimed account; NotFound for any other account."""
    if records.imported_user(user.id) is None or user.password_hash != members.NO_PASSWORD:
        raise NotFound(_("Only an imported account that nobody has claimed yet can be claimed."))
    return _serializer().dumps({"uid": user.id, "pw": password_fingerprint(user)})


def user_for_claim(token: str) -> User:
    """The account a claim token was made for; it expires, and dies once the account has a password."""
    try:
        data = _serializer().loads(token, max_age=CLAIM_MAX_AGE_S)
    except SignatureExpired as exc:
        raise Invalid({"token": [_("This claim link has expired. Ask the staff for a new one.")]}) from exc
    except BadSignature as exc:
        raise Invalid({"token": [_("This claim link is not valid.")]}) from exc
    user = db.session.get(User, data.get("uid", 0)) if isinstance(data, dict) else None
    if user is None or data.get("pw") != password_fingerprint(user) or user.password_hash != members.NO_PASSWORD:
        raise Invalid({"token": [_("This account was already claimed. Sign in instead.")]})
    return user


def claim(token: str, email: str, password: str) -> User:
    """Give the account its person: their email (confirmed by the link mailed to it) and their password."""
    user = user_for_claim(token)
    errors = ErrorCollector()
    address = members.normalize_email(email or "")
    if address is None or is_placeholder(address):
        errors.add("email", _("Enter a valid email address."))
    errors.raise_if_any()
    if db.session.scalar(select(User.id).where(User.email == address, User.id != user.id)):
        raise Conflict(_("An account with that email already exists."),
                       {"email": [_("An account with that email already exists.")]})
    user.email = address
    user.email_verified_at = None
    members.set_password(user, password)  # validates, commits
    verification.send_link_if_unconfirmed(user)
    db.session.commit()
    return user


# The operator's mapping ------------------------------------------------------------------------------------

@dataclass
class MappingResult:
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def apply_email_mapping(source: str, path: str | Path) -> MappingResult:
    """Give imported accounts their addresses from a CSV of "source id,email" lines (a header line is fine).

    The operator vouches for the addresses, so they count as confirmed; the people then set a password
    through "Forgot your password?". Lines naming an unknown id, a bad address or one already in use are
    reported and skipped.
    """
    result = MappingResult()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for line_no, row in enumerate(csv.reader(handle), start=1):
            problem = _apply_line(source, row, result)
            if problem:
                result.problems.append(f"line {line_no}: {problem}")
    db.session.commit()
    return result


def _apply_line(source: str, row: list[str], result: MappingResult) -> str | None:
    if not row or not row[0].strip().lstrip("-").isdigit():
        return None  # a header or an empty line
    if len(row) < 2:
        return "expected: source id,email"
    user = records.user_for_source(source, int(row[0].strip()))
    address = members.normalize_email(row[1].strip())
    if user is None:
        return f"no imported user with id {row[0].strip()}"
    if address is None:
        return f"not an email address: {row[1].strip()}"
    if db.session.scalar(select(User.id).where(User.email == address, User.id != user.id)):
        return f"{address} already belongs to another account"
    user.email = address
    user.email_verified_at = clock.now()
    result.updated += 1
    return None
