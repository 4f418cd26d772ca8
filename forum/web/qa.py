"""Q&A buttons on the thread page: accept a solution, helpful votes, "me too", needs-info, feedback, preview.

Each is a POST form that calls one service and goes back to the thread; refusals come back as
DomainErrors, which the error handlers show as pages (or send anonymous visitors to sign in).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from forum import writing
from forum.core.errors import DomainError, Invalid
from forum.core.i18n import _
from forum.http import undo as undo_offer
from forum.http.auth import acting_user
from forum.http.feedback import nothing_changed, report
from forum.http.forms import show_errors
from forum.http.ratelimits import limiter
from forum.http.urls import post_location, thread_url
from forum.services import feedback, needs_info, qa, reading, undo
from forum.services.permissions import Action, require
from forum.web import thread_page
from forum.web.forms import FeedbackForm, NeedsInfoForm
from forum.writing import preview as preview_limits

bp = Blueprint("qa", __name__)
ANSWERS = {"yes": True, "no": False}


@bp.post("/p/<id:post_id>/accept")
@login_required
def accept(post_id: int):
    """Accept (or "accept this instead"); the notice that follows offers Undo for ten seconds."""
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    token = undo.accept_with_undo(undo_offer.secret_key(), viewer, post.thread, post)
    if token is None:
        nothing_changed(_("the reply by %(name)s already is the solution.", name=post.author.name))
    else:
        undo_offer.offer(_("The reply by %(name)s is marked as the solution.", name=post.author.name),
                         url_for("qa.undo_accept", thread_id=post.thread.id), token, _("accepting this answer"))
    return redirect(thread_url(post.thread, _anchor=f"p{post.id}"))


@bp.post("/t/<id:thread_id>/accept/undo")
@login_required
def undo_accept(thread_id: int):
    """The notice's Undo: the earlier answer is the solution again, or none is; refused after ten seconds."""
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    require(viewer, Action.THREAD_ACCEPT, thread)
    token = undo_offer.ticket()
    if token is None:
        return redirect(thread_url(thread))
    try:
        restored = undo.undo_accept(undo_offer.secret_key(), viewer, thread, token)
    except undo.Refused as exc:
        undo_offer.refused(exc)
    else:
        flash(_("Undone: the answer accepted before is the solution again.") if restored is not None
              else _("Undone: the thread has no accepted solution again."), "success")
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/unaccept")
@login_required
def unaccept(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    report(qa.unaccept_solution(viewer, thread), _("The solution is unmarked; the thread is open for a better answer."),
           _("this thread has no accepted solution to unmark."))
    return redirect(thread_url(thread))


@bp.post("/p/<id:post_id>/helpful")
@login_required
def vote(post_id: int):
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    report(qa.vote_helpful(viewer, post).changed, _("Thanks: your helpful vote is counted."),
           _("you had already voted this post helpful; a vote counts once."))
    return redirect(post_location(post))


@bp.post("/p/<id:post_id>/helpful/withdraw")
@login_required
def withdraw_vote(post_id: int):
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    report(qa.withdraw_vote(viewer, post).changed, _("Your helpful vote is withdrawn."),
           _("you had not voted this post helpful, so there was no vote to withdraw."))
    return redirect(post_location(post))


@bp.post("/t/<id:thread_id>/me-too")
@login_required
def me_too(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    report(qa.add_me_too(viewer, thread).changed, _("Counted: you have this question too. You'll hear about replies."),
           _("you had already said you have this question too; it counts once."))
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/me-too/withdraw")
@login_required
def withdraw_me_too(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    report(qa.remove_me_too(viewer, thread).changed, _("You no longer count as having this question."),
           _("you had not said you have this question too."))
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/needs-info")
@login_required
def request_info(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    form = NeedsInfoForm()
    if form.validate_on_submit():
        try:
            needs_info.request_info(viewer, thread, form.note.data or "")
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("The asker is asked for more information."), "success")
            return redirect(thread_url(thread))
    return thread_page.render(thread, info_form=form, status=422)


@bp.post("/t/<id:thread_id>/needs-info/clear")
@login_required
def clear_info(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    report(needs_info.clear_info_request(viewer, thread), _("The request for more information is cleared."),
           _("this thread was not waiting for more information."))
    return redirect(thread_url(thread))


def _feedback_input(form: FeedbackForm) -> feedback.FeedbackInput:
    """Map the form's words to the service's values; anything unexpected passes on for it to refuse."""
    resolved = ANSWERS.get(form.resolved.data or "", form.resolved.data)
    rating = form.rating.data or None
    rating = int(rating) if isinstance(rating, str) and rating.isdecimal() and len(rating) < 3 else rating
    return feedback.FeedbackInput(resolved=resolved, rating=rating, comment=form.comment.data or "")


@bp.post("/t/<id:thread_id>/feedback")
@login_required
def give_feedback(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            answer = feedback.give_feedback(viewer, thread, _feedback_input(form))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            if feedback.offers_escalation(answer):
                flash(_("Thanks for telling us. Here is how to get more help."), "info")
                return redirect(thread_url(thread, _anchor="more-help"))
            flash(_("Thanks! Glad it's resolved."), "success")
            return redirect(thread_url(thread))
    return thread_page.render(thread, feedback_form=form, status=422)


@bp.post("/preview")
@login_required
@limiter.shared_limit(preview_limits.RATE, preview_limits.SCOPE, methods=["POST"])
def preview():
    """The sanitized HTML of a Markdown draft, for the live preview (same renderer as saved posts).

    One budget with POST /api/v1/preview (forum.writing.api), which the Ask and Edit pages' editor calls.
    """
    body = request.form.get("body", "")
    try:
        return {"html": writing.render_preview(acting_user(), body)}
    except DomainError as exc:
        return {"error": exc.detail}, exc.status
