"""Recognition pages: the badge catalogue and holders, leaderboards, missions, and staff mission management."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.forms import show_errors
from forum.models import Category, Mission
from forum.recognition import badges, leaderboards, mission_tracking, missions
from forum.recognition.mission_tracking import METRIC_LABELS
from forum.services import categories
from forum.services.permissions import Action, require
from forum.web.forms import ConfirmForm, MissionForm

bp = Blueprint("recognition", __name__)
LEADERBOARD_SIZE = 50
FORM_TIME = "%Y-%m-%dT%H:%M"


@bp.app_template_global("badge_named")
def badge_named(code: str | None) -> badges.Badge | None:
    """The catalogue's badge for a code (a member's top_badge), None for none; no query, so post blocks may ask."""
    return badges.BY_CODE.get(code) if code else None


@bp.get("/badges")
def badge_list():
    viewer = acting_user()
    return render_template(
        "recognition/badges.html", tiers=list(badges.Tier), catalogue=badges.CATALOGUE,
        counts=badges.holder_counts(), mine=badges.held_codes(viewer.id) if viewer else set(),
    )


@bp.get("/badges/<code>")
def badge_holders(code: str):
    badge = badges.get_badge(code[:48])
    return render_template("recognition/badge.html", badge=badge, holders=badges.holders(badge.code),
                           count=badges.holder_counts()[badge.code])


def _category(raw: str | None) -> Category | None:
    """?category= is a slug (or an id, as in the API); an unknown one is a 404 page."""
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        return categories.get_category(int(raw))
    return categories.get_category_by_slug(raw[:64])


@bp.get("/leaderboard")
def leaderboard():
    period = leaderboards.parse_period(request.args.get("period"))
    category = _category(request.args.get("category"))
    rows = leaderboards.leaderboard(period, category.id if category else None, LEADERBOARD_SIZE)
    return render_template(
        "recognition/leaderboard.html", rows=rows, period=period, periods=leaderboards.PERIOD_LABELS,
        category=category, categories=[c for c, _count in categories.list_categories()],
    )


@bp.get("/missions")
def mission_list():
    viewer = acting_user()
    taking_part = mission_tracking.takes_part(viewer)
    return render_template("recognition/missions.html", statuses=missions.list_active(viewer if taking_part else None),
                           badge_catalogue=badges.BY_CODE, taking_part=taking_part)


# --- staff: manage missions -------------------------------------------------------------------


def _mission_form(mission: Mission | None = None) -> MissionForm:
    """The form with its choices; prefilled from mission (times shown in UTC, as the labels say)."""
    data = None
    if mission is not None:
        data = {
            "title": mission.title, "description": mission.description, "metric": mission.metric,
            "goal": mission.goal, "points": mission.points, "badge": mission.badge or "",
            "category_id": str(mission.category_id or ""),
            "starts_at": mission.starts_at.replace(tzinfo=None), "ends_at": mission.ends_at.replace(tzinfo=None),
        }
    form = MissionForm(data=data)
    form.metric.choices = [SelectChoice(metric.value, _upper_first(str(label)))
                           for metric, label in METRIC_LABELS.items()]
    form.category_id.choices = [SelectChoice("", _("Any category"))] + [
        SelectChoice(str(c.id), c.name) for c, _count in categories.list_categories()]
    form.badge.choices = [SelectChoice("", _("No badge"))] + [
        SelectChoice(b.code, _("%(badge)s (%(tier)s)", badge=_(b.name), tier=_(b.tier.value)))
        for b in badges.MISSION_BADGES]
    return form


def _upper_first(text: str) -> str:
    """"Accepted solutions" from "accepted solutions" (capitalize() would lower a German noun after the first)."""
    return text[:1].upper() + text[1:]


def _optional_id(raw: str | None) -> int | None:
    """A chosen id; anything tampered becomes 0, which no row has, so the service names the field."""
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0


def _mission_input(form: MissionForm) -> missions.MissionInput:
    return missions.MissionInput(
        title=form.title.data or "", description=form.description.data or "", metric=form.metric.data or "",
        goal=form.goal.data, points=form.points.data, badge=form.badge.data or None,
        category_id=_optional_id(form.category_id.data),
        starts_at=form.starts_at.data, ends_at=form.ends_at.data,
    )


@bp.route("/staff/missions", methods=["GET", "POST"])
def staff_missions():
    actor = acting_user()
    require(actor, Action.MISSION_MANAGE)
    form = _mission_form()
    if form.validate_on_submit():
        try:
            mission = missions.create_mission(actor, _mission_input(form))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Mission “%(title)s” is created.", title=mission.title), "success")
            return redirect(url_for("recognition.staff_missions"))
    page = render_template("recognition/staff_missions.html", form=form, missions=missions.list_missions(actor),
                           labels=METRIC_LABELS)
    return page, 422 if form.errors else 200


def _managed_mission(mission_id: int) -> Mission:
    """Staff only; anyone else learns nothing about which missions exist."""
    require(acting_user(), Action.MISSION_MANAGE)
    return missions.get_mission(mission_id)


@bp.route("/staff/missions/<id:mission_id>/edit", methods=["GET", "POST"])
def edit_mission(mission_id: int):
    mission = _managed_mission(mission_id)
    form = _mission_form(mission) if request.method == "GET" else _mission_form()
    if form.validate_on_submit():
        try:
            missions.update_mission(acting_user(), mission, _mission_input(form))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Mission “%(title)s” is saved.", title=mission.title), "success")
            return redirect(url_for("recognition.staff_missions"))
    return render_template("recognition/mission_edit.html", form=form, mission=mission), 422 if form.errors else 200


@bp.route("/staff/missions/<id:mission_id>/delete", methods=["GET", "POST"])
def delete_mission(mission_id: int):
    mission = _managed_mission(mission_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = mission.title
        missions.delete_mission(acting_user(), mission)
        flash(_("Mission “%(title)s” is deleted.", title=title), "success")
        return redirect(url_for("recognition.staff_missions"))
    return render_template("recognition/mission_delete.html", form=form, mission=mission)
