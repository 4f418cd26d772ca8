"""/admin/watched-words: admins list, add and delete watched words."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.services.permissions import Action, require
from moderation.models import WatchedWordMode
from moderation.services import watched_words

bp = Blueprint("moderation_watched_words", __name__)

MODE_LABELS = {
    WatchedWordMode.BLOCK.value: _l("Block (refuse the post)"),
    WatchedWordMode.REQUIRE_APPROVAL.value: _l("Require approval"),
    WatchedWordMode.CENSOR.value: _l("Censor (■■■)"),
    WatchedWordMode.LINK.value: _l("Link to a page"),
}


class WatchedWordForm(FlaskForm):
    phrase = StringField(_l("Word or phrase"), validators=[DataRequired(), Length(max=100)])
    mode = SelectField(_l("What happens"), choices=[SelectChoice(value, label) for value, label in MODE_LABELS.items()])
    replacement = StringField(_l("Link address (for “Link to a page”)"), validators=[Length(max=500)])


@bp.before_request
def require_admin() -> None:
    """Admins only: anonymous visitors are sent to sign in, everyone else gets 403."""
    require(acting_user(), Action.WATCHED_WORDS_MANAGE)


def _render(form: WatchedWordForm):
    page = render_template("moderation/watched_words.html", form=form, words=watched_words.list_watched_words(),
                           labels=MODE_LABELS)
    return page, 422 if form.errors else 200


@bp.route("/admin/watched-words", methods=["GET", "POST"])
def index():
    form = WatchedWordForm()
    if form.validate_on_submit():
        data = watched_words.WatchedWordInput(form.phrase.data, form.mode.data, form.replacement.data or "")
        try:
            word = watched_words.add_watched_word(acting_user(), data)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(_("“%(phrase)s” is now watched.", phrase=word.phrase), "success")
            return redirect(url_for("moderation_watched_words.index"))
    return _render(form)


@bp.post("/admin/watched-words/<id:word_id>/delete")
def delete(word_id: int):
    watched_words.delete_watched_word(acting_user(), word_id)
    flash(_("The phrase is no longer watched."), "success")
    return redirect(url_for("moderation_watched_words.index"))
