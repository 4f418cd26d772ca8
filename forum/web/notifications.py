"""Notifications: the list with mark-read buttons, email settings with what one watches, and unsubscribe."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum.core.errors import Invalid
from forum.core.extensions import csrf
from forum.core.i18n import _, ngettext
from forum.http.auth import acting_user
from forum.http.feedback import nothing_changed, report
from forum.http.forms import show_errors
from forum.http.standing import open_while
from forum.services import notification_groups, notifications, subscriptions
from forum.services.permissions import Restriction
from forum.web.forms import ConfirmForm, NotificationSettingsForm

bp = Blueprint("notifications", __name__)
PER_PAGE = 30


@bp.get("/notifications")
@login_required
def index():
    """Replies to one thread show as one line ("3 new replies in …"): PER_PAGE lines a page, grouped in SQL."""
    cursor = request.args.get("cursor") or None
    page = notification_groups.list_groups(acting_user(), PER_PAGE, cursor)
    return render_template(
        "notifications/index.html", page=page, cursor=cursor, summary=notification_groups.summary,
        who=notification_groups.who, path=notifications.path_for,
    )


@bp.post("/notifications/read")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def mark_all_read():
    """Open while suspended: marking one's own notifications read changes nothing anyone else sees."""
    changed = notifications.mark_read(acting_user())
    if changed:
        flash(ngettext("%(num)d notification marked read.", "%(num)d notifications marked read.", changed), "success")
    else:
        nothing_changed(_("you had no unread notifications."))
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<id:notification_id>/read")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def mark_one_read(notification_id: int):
    # Only ever the caller's own: anyone else's notification is a 404 that says so. A group's line sends its
    # newest notification: the group is marked read with it.
    if not notification_groups.mark_group_read(acting_user(), notification_id):
        nothing_changed(_("that notification was already read."))
    return redirect(url_for("notifications.index", cursor=request.args.get("cursor") or None,
                            _anchor=f"n{notification_id}"))


def _split(rows: list) -> dict[str, list]:
    """Watched and muted subscriptions, in the order the settings page lists them."""
    return {"following": [row for row in rows if not row.muted], "muted": [row for row in rows if row.muted]}


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def settings():
    """Email preferences. Open while suspended: they are not the public profile, only decide what reaches
    the member's own inbox, and a suspended member must be able to quiet it."""
    user = acting_user()
    form = NotificationSettingsForm(data={"email_frequency": user.email_frequency, "weekly_digest": user.weekly_digest})
    if form.validate_on_submit():
        before = (user.email_frequency, user.weekly_digest)
        try:
            notifications.set_email_preferences(user, form.email_frequency.data or "", form.weekly_digest.data)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            report((user.email_frequency, user.weekly_digest) != before, _("Your notification settings are saved."),
                   _("your notification settings already were like that."))
            return redirect(url_for("notifications.settings"))
    lists = _split(subscriptions.subscriptions_of(user))
    page = render_template("notifications/settings.html", form=form, remove_form=ConfirmForm(formdata=None), **lists)
    return page, 422 if form.errors else 200


def _invalid_link(exc: Invalid):
    return render_template("notifications/unsubscribe_invalid.html", detail=exc.detail), 400


@bp.get("/unsubscribe/<token>")
def unsubscribe_confirm(token: str):
    """A page with a button: opening the link (mail scanners do) changes nothing."""
    try:
        user = notifications.user_for_unsubscribe_token(token)
    except Invalid as exc:
        return _invalid_link(exc)
    return render_template("notifications/unsubscribe.html", user=user, token=token)


@bp.post("/unsubscribe/<token>")
@csrf.exempt
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def unsubscribe(token: str):
    """Turn emails off. No CSRF token: RFC 8058 one-click mail clients POST without a session; the signed
    token is the proof, and all it can do is stop emails (so it works whatever the browser's account's standing)."""
    try:
        user = notifications.unsubscribe(token)
    except Invalid as exc:
        return _invalid_link(exc)
    return render_template("notifications/unsubscribed.html", user=user)
