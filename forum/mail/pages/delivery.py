"""/admin/delivery: the delivery problems page (forum.mail.delivery_problems), admins only.

The list shows each failing or dead job with its error (the whole of it behind a disclosure), Resend as a
one-button form, and Discard… leading to a confirmation page of its own whose red button alone discards
(it sends confirm=discard; a POST without it discards nothing), the way deleting a post asks first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from wtforms import HiddenField

from forum.core import local_time
from forum.core.errors import Conflict, DomainError
from forum.core.i18n import N_, _, ngettext
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, errors_in_one_line
from forum.mail import delivery_problems
from forum.services.permissions import Action, can, require

bp = Blueprint("delivery_problems", __name__)
CONFIRM_DISCARD = "discard"
UNCONFIRMED = N_("Nothing was discarded yet: discarding needs the confirmation on this page. Read it, then confirm.")
EMPTY = N_("Nothing has failed. Mail and background jobs are running normally.")


class ButtonForm(FlaskForm):
    """Nothing but the CSRF token, for Resend and Resend all."""


class DiscardForm(FlaskForm):
    confirm = HiddenField()


def delivery_problem_count() -> int:
    """Dead jobs, for the admin menu: one query, at most once a request, and only for admins."""
    if "delivery_problem_count" not in g:
        g.delivery_problem_count = delivery_problems.summary().dead if can(acting_user(), Action.ADMIN_VIEW) else 0
    return g.delivery_problem_count


@bp.app_context_processor
def inject_delivery_problem_count() -> dict[str, Any]:
    return {"delivery_problem_count": delivery_problem_count}


@bp.before_request
def require_admin() -> None:
    """Every page here: anonymous visitors are sent to sign in, everyone but admins gets 403."""
    require(acting_user(), Action.ADMIN_VIEW)


def _when():
    zone = local_time.zone_of(getattr(acting_user(), "time_zone", None))
    return lambda moment: local_time.short_moment(moment, zone) if isinstance(moment, datetime) else ""


@bp.get("/admin/delivery")
def index():
    """Failing and dead jobs, newest first, with the counts above them."""
    cursor = request.args.get("cursor") or None
    found = delivery_problems.list_problems(acting_user(), delivery_problems.PER_PAGE, cursor)
    next_url = url_for("delivery_problems.index", cursor=found.next_cursor) if found.next_cursor else None
    return render_template(
        "admin/delivery_problems.html", problems=found.items, counts=delivery_problems.summary(), when=_when(),
        empty=_(EMPTY), next_url=next_url, first_url=url_for("delivery_problems.index") if cursor else None,
    )


@bp.post("/admin/delivery/<id:job_id>/resend")
def resend(job_id: int):
    if ButtonForm().validate_on_submit():
        try:
            resent = delivery_problems.resend(acting_user(), job_id)
        except DomainError as exc:
            flash(errors_in_one_line(exc), "error")
        else:
            flash(resent_message(resent), "success")
    return redirect(url_for("delivery_problems.index"), 303)


def resent_message(resent: delivery_problems.Resent) -> str:
    what = resent.problem.what
    if resent.already_sent:
        return _("%(what)s had been sent after all, so it is not sent twice: its job is queued again only to "
                 "finish.", what=what)
    return _("%(what)s is queued again and runs at the worker's next turn.", what=what)


@bp.post("/admin/delivery/resend-mail")
def resend_dead_mail():
    """Every dead email at once, after a mail server outage is over."""
    if ButtonForm().validate_on_submit():
        try:
            count = delivery_problems.resend_dead_mail(acting_user())
        except DomainError as exc:  # another admin resent one meanwhile: nothing was done, say so
            flash(errors_in_one_line(exc), "error")
        else:
            report(bool(count), ngettext("%(num)d email is queued again.", "%(num)d emails are queued again.", count),
                   _("no email had gone dead."))
    return redirect(url_for("delivery_problems.index"), 303)


@bp.route("/admin/delivery/<id:job_id>/discard", methods=["GET", "POST"])
def discard(job_id: int):
    """The confirmation page (what is given up, and its whole error); its red button alone discards."""
    return discard_page(job_id, url_for("delivery_problems.index"))


def discard_page(job_id: int, back_url: str):
    """Discard's confirmation and its outcome, for this page and the System page (forum.operations): done, or
    cancelled, the admin goes back to back_url, the page they came from."""
    viewer = acting_user()
    form = DiscardForm()
    status = 200
    if form.validate_on_submit():
        if form.confirm.data != CONFIRM_DISCARD:
            form.form_errors.append(_(UNCONFIRMED))
            status = 422
        else:
            try:
                discarded = delivery_problems.discard(viewer, job_id)
            except Conflict as exc:  # it started running, or finished, since the page was shown
                form.form_errors.append(exc.detail)
                status = exc.status
            else:
                report(discarded is not None, _("%(what)s is discarded: it is not tried again.",
                                                 what=discarded.what if discarded else ""),
                       _("it was discarded already."))
                return redirect(back_url, 303)
    if form.confirm.errors:  # a hidden field's complaint (a NUL) shows with the form's
        form.form_errors.extend(form.confirm.errors)
        status = 422
    page = render_template("admin/delivery_discard.html", problem=delivery_problems.get_problem(viewer, job_id),
                           form=form, when=_when(), confirm_value=CONFIRM_DISCARD, back_url=back_url)
    return page, status


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
