""""Did this help?" under an article (knowledge.feedback) and the view beacon (knowledge.viewed).

The answer is a POST form with two buttons and an optional comment; it goes back to the article with a
thank-you. A refused comment (too long) comes back on a page of its own with the text kept (422).
The beacon is POSTed by forum/static/kb_views.js once per page load, so reading the article (a GET)
writes nothing.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import login_required
from wtforms import StringField, TextAreaField

from forum.core.errors import Invalid
from forum.core.extensions import csrf
from forum.core.i18n import N_, _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.http.ratelimits import limiter
from forum.http.standing import open_while
from forum.knowledge import articles, feedback
from forum.knowledge.pages import bp
from forum.services.permissions import Restriction

ANSWERS = {"yes": True, "no": False}
THANKS = N_("Thanks: your answer helps us keep this article right.")
# Views per reader's address and article: a reload or two counts, a script hammering one article does not.
VIEWS_RULE = "5 per hour"


class ArticleFeedbackForm(FlaskForm):
    """The buttons send helpful=yes|no; the service refuses anything else, so its message shows.
    templates/knowledge/_feedback.html writes the fields out itself (two submit buttons, one text box)."""

    helpful = StringField(_l("Was this helpful?"))
    comment = TextAreaField(_l("What should we fix or add?"))


@bp.post("/kb/<id:article_id>/feedback", endpoint="feedback")
@login_required
def give_feedback(article_id: int):
    viewer = acting_user()
    article = articles.visible_article(viewer, article_id)
    form = ArticleFeedbackForm()
    if form.validate_on_submit():
        answer = ANSWERS.get(form.helpful.data or "", form.helpful.data)
        try:
            feedback.give(viewer, article, answer, form.comment.data or "")
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_(THANKS), "success")
            return redirect(articles.article_path(article, "feedback"), 303)
    return render_template("knowledge/feedback_refused.html", article=article, feedback_form=form,
                           my_feedback=feedback.answer_of(viewer, article)), 422


def _reader_and_article() -> str:
    """Per address and article, signed in or not: the count is about readers of one article."""
    return f"kb-view:{request.remote_addr or 'unknown'}:{(request.view_args or {}).get('article_id')}"


@bp.post("/kb/<id:article_id>/viewed")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)  # a suspended member still reads
@csrf.exempt
@limiter.limit(VIEWS_RULE, key_func=_reader_and_article, methods=["POST"])
def viewed(article_id: int):
    """Count one view of a published article (404 for any other); 204.

    No CSRF token: the signed-out article page may come from the page cache, with no session to hold one,
    and all a forged request could do is count one view (rate-limited per address and article). Readers
    whose browser runs no JavaScript, crawlers among them, are not counted: a feature, views count people.
    """
    article = articles.visible_article(acting_user(), article_id)
    feedback.count_view(article)
    return "", 204
