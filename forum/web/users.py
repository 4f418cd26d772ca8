"""Profiles: a member's page with their standing and activity, and the signed-in user's settings."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from forum import accounts, recognition
from forum.accounts import preferences
from forum.core import i18n
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import show_errors
from forum.http.standing import open_while
from forum.services import reading
from forum.services.permissions import Restriction
from forum.web.forms import ProfileForm

bp = Blueprint("users", __name__)
PROFILE_THREADS = 20


@bp.get("/u/<username>")
def show(username: str):
    """A member's profile: their standing (figures, rank progress, badges), recent activity and threads."""
    viewer = acting_user()
    user = accounts.get_user_by_username(username)
    threads = reading.list_threads(viewer, reading.ThreadQuery(author_id=user.id, sort="latest"), PROFILE_THREADS)
    return render_template(
        "users/show.html", user=user, threads=threads.items, profile=recognition.member_profile(viewer, user),
        local_day=local_day,
    )


def local_day(moment) -> str:
    """The day as the viewer writes it, in their time zone (UTC for visitors): "5 March 2026", "5. März 2026"."""
    return i18n.format_date(moment, "long")


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
@open_while(Restriction.UNVERIFIED)  # fixing one's profile is open before the email is confirmed (issue 20)
def edit():
    user = acting_user()
    form = ProfileForm(data={"display_name": user.display_name, "bio": user.bio, "time_zone": user.time_zone,
                             "language": user.language or "", "theme": user.theme})
    form.language.choices = preferences.language_choices()
    form.theme.choices = list(preferences.theme_labels().items())
    if form.validate_on_submit():
        change = accounts.ProfileChange(form.display_name.data, form.bio.data, form.time_zone.data.strip(),
                                        form.language.data, form.theme.data)
        before = (user.display_name, user.bio, user.time_zone, user.language, user.theme)
        try:
            accounts.update_profile(user, user, change)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            report((user.display_name, user.bio, user.time_zone, user.language, user.theme) != before,
                   _("Your profile is saved."), _("your profile already read like that."))
            return redirect(url_for("users.show", username=user.username))
    return render_template("users/edit.html", form=form), 422 if form.errors else 200
