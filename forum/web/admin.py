"""Admin pages: categories, user roles and community settings; admins only."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from forum import accounts, cases
from forum.core.errors import Conflict, DomainError, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import show_errors
from forum.models import Role
from forum.services import categories, community_settings
from forum.services.permissions import Action, require
from forum.web import settings_display
from forum.web.forms import CategoryEditForm, CategoryForm, RoleForm, settings_form_class

bp = Blueprint("admin", __name__)
USERS_SHOWN = 100
# A role as a sentence names it ("helper is now moderator.").
ROLE_NAMES = {Role.MEMBER.value: _l("member"), Role.ADVOCATE.value: _l("advocate"),
              Role.MODERATOR.value: _l("moderator"), Role.AGENT.value: _l("agent"), Role.ADMIN.value: _l("admin")}


@bp.before_request
def require_admin() -> None:
    """Every admin page: anonymous visitors are sent to sign in, everyone else but admins gets 403."""
    require(acting_user(), Action.ADMIN_VIEW)


@bp.get("/admin")
def index():
    category_count = len(categories.list_categories())
    return render_template("admin/index.html", user_count=accounts.count_users(), category_count=category_count)


def _category_input(form: CategoryForm) -> categories.CategoryInput:
    return categories.CategoryInput(
        slug=form.slug.data.strip(),
        name=form.name.data,
        description=form.description.data or "",
        position=form.position.data,
        kind=form.kind.data or None,
    )


@bp.route("/admin/categories", methods=["GET", "POST"])
def category_list():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = categories.create_category(acting_user(), _category_input(form))
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(_("Category “%(name)s” is created.", name=category.name), "success")
            return redirect(url_for("admin.category_list"))
    listing = categories.list_categories()
    return render_template("admin/categories.html", form=form, categories=listing), 422 if form.errors else 200


def _support_hours_input(form: CategoryEditForm) -> categories.SupportHoursInput | None:
    """The typed support hours; a day with both times empty is closed, holidays one per line or comma.

    None (leave them as they are) when the post carries no support-hours field at all.
    """
    if not form.time_zone.raw_data:
        return None
    week = {}
    for day in cases.DAYS:
        opens, closes = ((form[f"{day}_{end}"].data or "").strip() for end in ("open", "close"))
        week[day] = (opens, closes) if opens or closes else None
    holidays = tuple(part for part in (form.holidays.data or "").replace(",", " ").split() if part)
    return categories.SupportHoursInput(time_zone=(form.time_zone.data or "").strip(), week=week, holidays=holidays)


def _fill_support_hours(form: CategoryEditForm, category) -> None:
    """Show the stored calendar in the form (GET only, so a failed POST keeps what was typed)."""
    calendar = cases.sla_calendar(category)
    if calendar is None:
        return
    form.time_zone.data = calendar.time_zone
    document = cases.calendar_document(calendar)
    for day, (opens, closes) in document["week"].items():
        form[f"{day}_open"].data, form[f"{day}_close"].data = opens, closes
    form.holidays.data = "\n".join(document["holidays"])


@bp.route("/admin/categories/<id:category_id>/edit", methods=["GET", "POST"])
def category_edit(category_id: int):
    category = categories.get_category(category_id)
    form = CategoryEditForm(obj=category)
    if request.method == "GET":
        _fill_support_hours(form, category)
    if form.validate_on_submit():
        data = replace(_category_input(form), support_hours=_support_hours_input(form),
                       email_address=None if not form.email_address.raw_data else form.email_address.data or "")
        before = categories.settings_of(category)
        try:
            categories.update_category(acting_user(), category, data)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            report(categories.settings_of(category) != before, _("Category “%(name)s” is saved.", name=category.name),
                   _("category “%(name)s” already had these settings.", name=category.name))
            return redirect(url_for("admin.category_list"))
    return render_template(
        "admin/category_edit.html", form=form, category=category, days=cases.DAY_NAMES,
        time_zones=cases.time_zone_names(),
    ), 422 if form.errors else 200


def _render_users(prefix: str, errors: dict[int, list[str]] | None = None, status: int = 200):
    users = accounts.list_users(acting_user(), prefix, limit=USERS_SHOWN)
    page = render_template("admin/users.html", users=users, q=prefix, roles=list(Role), errors=errors or {})
    return page, status


@bp.get("/admin/users")
def user_list():
    return _render_users(request.args.get("q", "")[:32])


def _messages(exc: DomainError) -> list[str]:
    """The refusal's summary followed by its field messages, without repeating the summary."""
    details = [m for messages in exc.errors.values() for m in messages if m != exc.detail]
    return [exc.detail, *details]


@bp.post("/admin/users/<id:user_id>/role")
def user_role(user_id: int):
    user = accounts.get_user(user_id)
    form = RoleForm()
    prefix = request.args.get("q", "")[:32]
    if not form.validate_on_submit():
        return _render_users(prefix, {user.id: form.role.errors}, 422)
    try:
        changed = accounts.set_role(acting_user(), user, form.role.data)
    except (Invalid, Conflict) as exc:
        return _render_users(prefix, {user.id: _messages(exc)}, 422)
    role = ROLE_NAMES.get(user.role, user.role)
    report(changed, _("%(name)s is now %(role)s.", name=user.username, role=role),
           _("%(name)s already is %(role)s.", name=user.username, role=role))
    return redirect(url_for("admin.user_list", q=prefix or None))


def number_or_text(raw: str | None) -> int | float | str:
    """A typed number as int or float; anything else is passed on for the service to refuse."""
    text = (raw or "").strip()
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return int(value) if value.is_integer() else value


def list_items(raw: str | None) -> list[str]:
    """A list setting as typed: items separated by commas or new lines; the service trims and checks them."""
    return [item for item in re.split(r"[,\n]", raw or "") if item.strip()]


def _submitted(spec, field) -> Any:
    """The typed value of one settings field, in the shape the API would send it."""
    if spec.shape == "boolean":
        return bool(field.data)
    if spec.shape == "list":
        return list_items(field.data)
    if spec.shape == "string":
        return field.data or ""
    return number_or_text(field.data)


def _shown(value: Any) -> Any:
    """A stored value as its field shows it: numbers without a needless .0, lists one item per line."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return "\n".join(value)
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@bp.route("/admin/settings", methods=["GET", "POST"])
def settings():
    registry = community_settings.REGISTRY
    form_class = settings_form_class(registry.values())
    current = community_settings.all_settings()
    form = form_class(data={key: _shown(value) for key, value in current.items()})
    if form.validate_on_submit():
        changes = {key: _submitted(spec, form[key]) for key, spec in registry.items()}
        try:
            after = community_settings.update_settings(acting_user(), changes)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            report(after != current, _("Settings are saved and apply at once."),
                   _("every setting already had that value."))
            return redirect(url_for("admin.settings"))
    groups = settings_display.grouped(current)
    return render_template("admin/settings.html", form=form, groups=groups), 422 if form.errors else 200
