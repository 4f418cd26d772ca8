"""The importer's pages: old Stack Exchange addresses answering 301 to where their posts live now, and the
claim link on which a person takes over the account an import made for them."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from forum.accounts.pages.signing_in import complete_sign_in
from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http.forms import FlaskForm, show_errors
from forum.http.standing import open_while
from forum.http.urls import thread_path
from forum.importing import people, records
from forum.services.permissions import Restriction

bp = Blueprint("importing", __name__)


@bp.get("/questions/<id:source_id>")
@bp.get("/questions/<id:source_id>/<slug>")
def old_question(source_id: int, slug: str = ""):
    """A Stack Exchange question address, moved for good to the thread it became (404 when none)."""
    thread = records.thread_for_question(source_id)
    if thread is None:
        abort(404)
    return redirect(thread_path(thread), 301)


@bp.get("/a/<id:source_id>")
@bp.get("/a/<id:source_id>/<id:sharer_id>")
def old_answer(source_id: int, sharer_id: int = 0):
    """A Stack Exchange answer address (share links add the sharer's id), moved to the reply it became."""
    post = records.post_for_answer(source_id)
    if post is None:
        abort(404)
    return redirect(thread_path(post.thread, f"p{post.id}"), 301)


class ClaimForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


@bp.route("/claim/<token>", methods=["GET", "POST"])
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def claim(token: str):
    """The link is the credential (as a reset link is): its holder sets the account's email and password."""
    try:
        user = people.user_for_claim(token)
    except Invalid as exc:
        flash(exc.detail, "error")
        return redirect(url_for("auth.login"))
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            user = people.claim(token, form.email.data, form.password.data)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(_("The account is yours. We sent a link to %(email)s: follow it to confirm your address.",
                    email=user.email), "success")
            return complete_sign_in(user)
    return render_template("importing/claim.html", form=form, user=user), 422 if form.errors else 200


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
