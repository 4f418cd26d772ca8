"""The link that publishes a question sent by email (forum.mail.confirmations).

The link opens a page showing the question and a button; only the button's POST publishes. Mail
scanners and link previews open every link in an email, so a GET that published would publish
without the sender ever acting (and reads never write). The link is the credential: no sign-in is
needed, as the sender may have no password yet (a staged account), and whichever account the
browser is signed in to has no say in it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for

from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http.standing import open_while
from forum.mail import confirmations
from forum.services.permissions import Restriction

bp = Blueprint("mail_pages", __name__)
TEMPLATE = "mail/confirm_question.html"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.route(confirmations.CONFIRM_PATH + "<token>", methods=["GET", "POST"])
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)  # the link says who asks, not the browser's account
def confirm_question(token: str):
    """GET shows the waiting question (or the thread it became) and a button; the button's POST publishes it."""
    try:
        found = confirmations.pending(token)
    except Invalid as exc:
        return render_template(TEMPLATE, problem=exc.detail), exc.status
    if request.method == "GET" or found.published:
        return render_template(TEMPLATE, found=found)
    try:
        confirmations.confirm(token, request.form.get("personal_data", ""), found)
    except confirmations.NotPublished as exc:
        headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s else {}
        return render_template(TEMPLATE, found=found, problem=exc.detail, ended=exc.status != 429), exc.status, headers
    except Invalid as exc:
        return render_template(TEMPLATE, found=found, problem=exc.detail), exc.status
    flash(_("Thank you: your question is posted."), "success")
    return redirect(url_for("mail_pages.confirm_question", token=token), 303)

