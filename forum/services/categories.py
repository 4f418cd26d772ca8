"""Categories: the sections of the community, managed by admins.

A category holds questions and discussions, or ideas (its kind, chosen when it is made). The kind of a
category that has threads never changes: the threads would land on the wrong board, and an idea without
its idea row (or a question with one) is exactly what forum.ideas must never meet. An ideas category
has no email address, because mail opens questions (forum.mail.questions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import exists, select

from forum import cases
from forum.core import text
from forum.core.errors import Conflict, ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.mail import addresses as mail_addresses
from forum.models import Category, CategoryKind, Thread, User
from forum.services import audit_writer
from forum.services.permissions import Action, require

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class SupportHoursInput:
    """A category's support hours as typed: all empty clears the calendar (SLA clocks run 24/7).

    week maps "mon".."sun" to (opens, closes) as "HH:MM" text, or None for a closed day.
    """

    time_zone: str = ""
    week: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    holidays: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.time_zone.strip() and not any(self.week.values()) and not self.holidays


@dataclass(frozen=True)
class CategoryInput:
    slug: str
    name: str
    description: str = ""
    position: int = 0
    # None leaves the support hours as they are (the API and creation never touch them).
    support_hours: SupportHoursInput | None = None
    # Mail to it opens a question here (forum.mail.questions). None leaves it as it is (the API and
    # creation never touch it); "" removes it.
    email_address: str | None = None
    # CategoryKind value; None leaves it as it is (creation makes a threads category).
    kind: str | None = None


def _calendar_columns(hours: SupportHoursInput, errors: ErrorCollector) -> tuple[str | None, str | None]:
    """(sla_time_zone, sla_hours_json) for the input; problems go to errors under the form's field names."""
    if hours.is_empty:
        return None, None
    document = {"week": {day: list(times) if times else None for day, times in hours.week.items()},
                "holidays": list(hours.holidays)}
    try:
        calendar = cases.parse_calendar(hours.time_zone, document)
    except Invalid as exc:
        for name, messages in exc.errors.items():
            for message in messages:
                errors.add(name, message)
        return None, None
    return calendar.time_zone, cases.calendar_json(calendar)


def _validate(data: CategoryInput) -> tuple[str | None, str | None] | None:
    """Check the input; the calendar columns to store, or None when the support hours stay as they are."""
    errors = ErrorCollector()
    if not SLUG_PATTERN.match(data.slug or "") or len(data.slug) > 64:
        errors.add("slug", _("Use lowercase letters, digits and single dashes (up to 64)."))
    if not 1 <= len((data.name or "").strip()) <= 80 or text.visible_length(data.name or "") == 0:
        errors.add("name", _("Give the category a name of up to 80 characters that people can see."))
    if len(data.description or "") > 2000:
        errors.add("description", _("Use at most 2,000 characters."))
    if not isinstance(data.position, int) or not -10000 <= data.position <= 10000:
        errors.add("position", _("Use a whole number from -10000 to 10000."))
    columns = _calendar_columns(data.support_hours, errors) if data.support_hours is not None else None
    if data.kind is not None and data.kind not in {kind.value for kind in CategoryKind}:
        errors.add("kind", _("Choose what the category holds: questions and discussions, or ideas."))
    if data.email_address:
        _check_email_address(errors, data.email_address)
    errors.raise_if_any()
    return columns


def _normalized_address(address: str) -> str | None:
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _check_email_address(errors: ErrorCollector, address: str) -> None:
    """A real address, and not the mailbox replies and bounces come back to (mail to it would loop)."""
    if mail_addresses.is_own_address(address.strip()):
        errors.add("email_address", _("This is the address the site sends from, or where replies and bounces "
                                      "come back to: choose another one, such as support@ your domain."))
    elif _normalized_address(address) is None:
        errors.add("email_address", _("Enter a whole email address, such as support@example.com."))


def _ensure_address_free(address: str | None, exclude_id: int | None) -> None:
    query = select(Category.name).where(Category.email_address == address)
    if exclude_id is not None:
        query = query.where(Category.id != exclude_id)
    other = db.session.scalar(query) if address else None
    if other is not None:
        message = _("The category “%(name)s” already has that address.", name=other)
        raise Conflict(message, {"email_address": [message]})


def _check_kind(category: Category | None, kind: str, email_address: str | None) -> None:
    """An ideas category takes no email address; a category with threads keeps its kind (Conflict)."""
    if kind == CategoryKind.IDEAS.value and email_address:
        raise Invalid({"email_address": [_("An ideas category has no email address: mail to it would open "
                                           "questions, and ideas are posted on the ideas board.")]})
    if category is None or category.kind == kind:
        return
    if db.session.scalar(select(exists().where(Thread.category_id == category.id))):
        message = _("This category has threads, so what it holds can't change: create a new category instead.")
        raise Conflict(message, {"kind": [message]})


def _ensure_slug_free(slug: str, exclude_id: int | None = None) -> None:
    query = select(Category.id).where(Category.slug == slug)
    if exclude_id is not None:
        query = query.where(Category.id != exclude_id)
    if db.session.scalar(query):
        message = _("That slug is already used.")
        raise Conflict(message, {"slug": [message]})


def settings_of(category: Category) -> dict[str, object]:
    """What an edit can change of a category (the audit log keeps it before and after a change)."""
    return {"slug": category.slug, "name": category.name, "description": category.description,
            "position": category.position, "sla_time_zone": category.sla_time_zone,
            "sla_hours_json": category.sla_hours_json, "email_address": category.email_address,
            "kind": category.kind}


def create_category(actor: User, data: CategoryInput) -> Category:
    require(actor, Action.CATEGORY_MANAGE)
    calendar_columns = _validate(data)
    _ensure_slug_free(data.slug)
    address = _normalized_address(data.email_address) if data.email_address else None
    kind = data.kind or CategoryKind.THREADS.value
    _check_kind(None, kind, address)
    _ensure_address_free(address, None)
    category = Category(
        slug=data.slug, name=data.name.strip(), description=data.description.strip(), position=data.position,
        email_address=address, kind=kind,
    )
    if calendar_columns is not None:
        category.sla_time_zone, category.sla_hours_json = calendar_columns
    db.session.add(category)
    db.session.flush()
    audit_writer.record(actor, "category.create", "category", category.id, after=settings_of(category))
    db.session.commit()
    return category


def update_category(actor: User, category: Category, data: CategoryInput) -> Category:
    require(actor, Action.CATEGORY_MANAGE)
    calendar_columns = _validate(data)
    _ensure_slug_free(data.slug, exclude_id=category.id)
    address = category.email_address
    if data.email_address is not None:
        address = _normalized_address(data.email_address) if data.email_address.strip() else None
        _ensure_address_free(address, category.id)
    kind = data.kind or category.kind
    _check_kind(category, kind, address)
    before = settings_of(category)
    category.slug, category.name = data.slug, data.name.strip()
    category.description, category.position = data.description.strip(), data.position
    category.email_address, category.kind = address, kind
    if calendar_columns is not None:
        category.sla_time_zone, category.sla_hours_json = calendar_columns
    if settings_of(category) != before:
        audit_writer.record(actor, "category.update", "category", category.id, before=before,
                            after=settings_of(category))
    db.session.commit()
    return category


def list_categories() -> list[tuple[Category, int]]:
    """Every category in display order with its count of public threads (kept in the row: one cheap query)."""
    rows = db.session.scalars(select(Category).order_by(Category.position, Category.name))
    return [(category, category.thread_count) for category in rows]


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("No such category."))
    return category


def get_category_by_slug(slug: str) -> Category:
    if "\x00" in slug:  # no slug holds one, and PostgreSQL refuses to even compare it (a 500)
        raise NotFound(_("No such category."))
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(_("No such category."))
    return category
