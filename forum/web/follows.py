"""Watch and mute buttons: threads (for replies), categories and tags (for new questions).

A suspended member may not start following anything (issue 20: following is taking part), but may
mute, unfollow and forget: that only shrinks what reaches their own inbox, which nobody else sees.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required

from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.standing import open_while
from forum.http.urls import thread_url
from forum.services import categories, reading, subscriptions
from forum.services.permissions import Restriction

bp = Blueprint("follows", __name__)


@bp.post("/t/<id:thread_id>/watch")
@login_required
def watch_thread(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    report(subscriptions.watch(viewer, thread), _("You're watching this thread: we'll tell you about new replies."),
           _("you were already watching this thread."))
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/mute")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def mute_thread(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    report(subscriptions.mute(viewer, thread), _("Muted: you won't hear about this thread, even after you reply."),
           _("this thread was already muted."))
    return redirect(thread_url(thread))


@bp.post("/c/<slug>/follow")
@login_required
def follow_category(slug: str):
    category = categories.get_category_by_slug(slug)
    report(subscriptions.watch(acting_user(), category),
           _("You're following %(name)s: we'll tell you about new questions there.", name=category.name),
           _("you were already following %(name)s.", name=category.name))
    return redirect(url_for("categories.show", slug=category.slug))


@bp.post("/c/<slug>/mute")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def mute_category(slug: str):
    category = categories.get_category_by_slug(slug)
    report(subscriptions.mute(acting_user(), category),
           _("Muted: you won't hear about new questions in %(name)s.", name=category.name),
           _("%(name)s was already muted.", name=category.name))
    return redirect(url_for("categories.show", slug=category.slug))


@bp.post("/tags/<name>/follow")
@login_required
def follow_tag(name: str):
    tag = reading.get_tag(name)
    report(subscriptions.watch(acting_user(), tag),
           _("You're following the tag “%(name)s”: we'll tell you about new questions with it.", name=tag.name),
           _("you were already following the tag “%(name)s”.", name=tag.name))
    return redirect(url_for("tags.show", name=tag.name))


@bp.post("/tags/<name>/unfollow")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def unfollow_tag(name: str):
    tag = reading.get_tag(name)
    report(subscriptions.mute(acting_user(), tag), _("You no longer follow the tag “%(name)s”.", name=tag.name),
           _("you were not following the tag “%(name)s”.", name=tag.name))
    return redirect(url_for("tags.show", name=tag.name))


@bp.post("/settings/notifications/watches/<id:subscription_id>/remove")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def forget(subscription_id: int):
    subscriptions.forget(acting_user(), subscription_id)
    flash(_("Removed. Replying to a thread or saying “me too” watches it again."), "success")
    return redirect(url_for("notifications.settings", _anchor="following"))
