"""Thread and post pages: read a thread, ask, reply, edit, see revisions, delete, moderate."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum import writing
from forum.accounts import personal_data, personal_data_moves
from forum.core.errors import Conflict, DomainError, Forbidden, Invalid, NotAuthenticated, NotFound
from forum.core.i18n import N_, _
from forum.http.auth import acting_user
from forum.http.feedback import nothing_changed, report
from forum.http.forms import category_choices, show_errors
from forum.http.urls import post_location, thread_url
from forum.models import IDEA_KIND, Post, Thread, User
from forum.services import posting, reading, suggestions, write_checks
from forum.services.permissions import Action, can, require
from forum.web import thread_page
from forum.web.forms import (
    CheckedWriteForm,
    DeletePostForm,
    EditPostForm,
    ReplyForm,
    ThreadEditForm,
    ThreadForm,
    ThreadModerationForm,
)
from forum.writing import diffs, edit_history
from forum.writing import pages as drafts_pages

bp = Blueprint("threads", __name__)
# What authors are told when the content checks hold their post for review.
PENDING_FLASH = N_("Your post is waiting for a moderator's approval. Only you and moderators can see it until then.")
# The personal-data warning's two answers (forms' personal_data field, set by the warning's buttons).
POST_PUBLICLY, SEND_PRIVATELY = "public", "private"
VISIT_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")  # an ask-page visit token as secrets.token_urlsafe makes them


def split_tags(raw: str | None) -> list[str]:
    """Tags typed as "billing, wifi" or "billing wifi", as a list (the service validates them)."""
    return [tag for tag in re.split(r"[,\s]+", raw or "") if tag]


@bp.get("/t/<id:thread_id>")
@bp.get("/t/<id:thread_id>/<slug>")
def show(thread_id: int, slug: str | None = None):
    try:
        thread, refusal = reading.get_thread(acting_user(), thread_id), None
    except (NotFound, Forbidden, NotAuthenticated) as exc:
        thread, refusal = None, exc
    # After the load, so the merge check finds the thread in the session instead of selecting it again;
    # a merged thread redirects whoever asks, as before.
    merged = thread_page.merged_redirect(thread_id)
    if merged is not None:
        return merged
    if refusal is not None:
        raise refusal
    if slug != thread.slug:  # /t/<id> or an old title's slug: one address per thread
        return thread_page.canonical_redirect(thread)
    return thread_page.render(thread)


@bp.route("/ask", methods=["GET", "POST"])
@login_required
def new():
    viewer = acting_user()
    form = ThreadForm(category_id=request.args.get("category", type=int))
    form.category_id.choices = category_choices()
    similar: list[suggestions.Suggestion] = []
    preview = _preview(form)
    category_id = request.args.get("category", type=int)
    draft = drafts_pages.restore_question(viewer, form, category_id) if request.method == "GET" else None
    if request.method == "GET" and draft is None:  # ?title= (an empty search's "Ask the community"); a draft wins
        form.title.data = request.args.get("title", "").strip()[:200] or form.title.data
    if preview is None and form.validate_on_submit():
        # First submit: if solved threads may already answer it, show them and post nothing yet.
        similar = [] if form.is_confirmed else suggestions.similar_questions(viewer, form.title.data)
        warned = not similar and _warn_personal_data(form, form.title.data, form.body.data)
        if warned:
            form.confirmed.data = "1"  # similar questions were looked for already
        thread = None if similar or warned else _start_thread(viewer, form)
        if thread is not None:
            flash(_(PENDING_FLASH) if thread.visibility == "pending"
                  else _("Your thread is posted. We will let you know when someone replies."), "success")
            return redirect(thread_url(thread))
    if similar:
        form.confirmed.data = "1"  # the next submit is "Post my question anyway"
    page = render_template("threads/new.html", form=form, similar=similar, preview=preview, draft=draft,
                           visit=_visit_token())
    return page, 422 if form.errors else 200


def _visit_token() -> str:
    """The ask-page visit the suggestions opened from it count under (forum.knowledge.deflection): a new random
    token per visit, kept across the page's own resubmits (a hidden field); nothing is stored on a GET."""
    kept = request.form.get("visit", "") if request.method == "POST" else ""
    return kept if VISIT_TOKEN.fullmatch(kept) else secrets.token_urlsafe(12)


def _preview(form: ThreadForm | EditPostForm | ReplyForm) -> str | None:
    """The Preview button (no JavaScript): the body as publishing would store it, nothing posted or stored.

    writing.render_preview, as the live preview: the same rewrites and the same size limit (a refusal shows
    on the body field, and the preview box stays empty).
    """
    if "preview" not in request.form:
        return None
    try:
        return writing.render_preview(acting_user(), form.body.data or "")
    except DomainError as exc:
        show_errors(form, exc)
        return ""


def _start_thread(viewer: User, form: ThreadForm) -> Thread | None:
    """Post the asked thread, or put the service's complaints on the form and return None."""
    data = posting.NewThread(
        category_id=form.category_id.data,
        title=form.title.data,
        body=form.body.data,
        tags=split_tags(form.tags.data),
        kind=form.kind.data,
    )
    try:
        if form.personal_data.data != SEND_PRIVATELY:
            return posting.start_thread(viewer, data)
        thread, case = personal_data_moves.start_thread_privately(viewer, data)
    except Invalid as exc:
        show_errors(form, exc)
        return None
    flash(_("The personal details went privately to the support team (case %(case)s); "
            "the public question shows them as removed.", case=case.public_reference), "info")
    return thread


def _warn_personal_data(form: ThreadForm | ReplyForm, *texts: str | None) -> bool:
    """Before publishing what looks like personal data, ask: post publicly anyway, or send it to support.

    True when the form is to be shown again with the warning (form.personal_data_findings, masked).
    """
    if form.personal_data.data in {POST_PUBLICLY, SEND_PRIVATELY}:
        return False
    findings = [finding for text in texts for finding in personal_data.find(text)]
    form.personal_data_findings = personal_data.summary(findings)
    return bool(findings)


@bp.post("/t/<id:thread_id>/reply")
@login_required
def reply(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    require(viewer, Action.THREAD_REPLY, thread)
    form = ReplyForm()
    if "preview" in request.form:  # the Preview button: show the sanitized rendering, post nothing
        preview = _preview(form)
        return thread_page.render(thread, reply_form=form, preview=preview, status=422 if form.errors else 200)
    if form.validate_on_submit():
        if _warn_personal_data(form, form.body.data):
            return thread_page.render(thread, reply_form=form)
        try:
            if form.personal_data.data == SEND_PRIVATELY:
                case = personal_data_moves.send_reply_privately(viewer, thread, form.body.data)
                writing.delete_draft(viewer, writing.reply_key(thread.id))  # sent to support: the draft is done
                flash(_("Your message went privately to the support team; nothing was posted on the thread."),
                      "success")
                return redirect(url_for("cases.show", case_id=case.id, _anchor="conversation"))
            post = posting.reply_to_thread(viewer, thread, form.body.data)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(_(PENDING_FLASH) if post.visibility == "pending" else _("Your reply is posted."), "success")
            return redirect(post_location(post))
    return thread_page.render(thread, reply_form=form, status=422)


def _thread_change(form: ThreadEditForm, moderating: bool) -> posting.ThreadChange:
    change = posting.ThreadChange(title=form.title.data, tags=split_tags(form.tags.data))
    if not moderating:
        return change
    return posting.ThreadChange(
        title=change.title,
        tags=change.tags,
        category_id=form.category_id.data,
        locked=form.locked.data,
        pinned=form.pinned.data,
        reason=form.reason.data or "",
    )


def _thread_state(thread: Thread) -> tuple:
    """What the edit form can change, to tell an edit that changed something from one that did not."""
    return thread.title, sorted(tag.name for tag in thread.tags), thread.category_id, thread.locked, thread.pinned


def _thread_form(thread: Thread, moderating: bool) -> ThreadEditForm:
    data = {"title": thread.title, "tags": ", ".join(tag.name for tag in thread.tags)}
    if not moderating:
        return ThreadEditForm(data=data)
    data.update(category_id=thread.category_id, locked=thread.locked, pinned=thread.pinned)
    form = ThreadModerationForm(data=data)
    form.category_id.choices = category_choices("ideas" if thread.kind == IDEA_KIND else "threads")
    return form


@bp.route("/t/<id:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit(thread_id: int):
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    require(viewer, Action.THREAD_EDIT, thread)
    moderating = can(viewer, Action.THREAD_MODERATE, thread)
    form = _thread_form(thread, moderating)
    if form.validate_on_submit() and not _title_held_by_checks(viewer, thread, form):
        before = _thread_state(thread)
        try:
            posting.update_thread(viewer, thread, _thread_change(form, moderating))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            report(_thread_state(thread) != before, _("The thread is updated."),
                   _("the thread already read like that."))
            return redirect(thread_url(thread))
    page = render_template("threads/edit.html", form=form, thread=thread, similar=form.similar)
    return page, 422 if form.errors else 200


def _title_held_by_checks(viewer: User, thread: Thread, form: ThreadEditForm) -> bool:
    """A new title meets the ask page's checks: similar solved questions, then personal data (shown once)."""
    return _held(form, write_checks.for_title_edit(viewer, thread, form.title.data))


@bp.route("/p/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    require(viewer, Action.POST_EDIT, post)
    form = EditPostForm(data={"body": post.body})
    preview = _preview(form)
    draft = drafts_pages.restore_edit(viewer, post, form) if request.method == "GET" else None
    if preview is None and form.validate_on_submit() and not _held_by_checks(post, form):
        before = post.body
        try:
            posting.edit_post(viewer, post, form.body.data, reason=form.reason.data or "")
        except Invalid as exc:
            show_errors(form, exc)
        else:
            if post.body == before:  # the service keeps no revision of an unchanged text
                nothing_changed(_("the text is the same as before; the post and its history stay as they were."))
                return redirect(post_location(post))
            flash(_(PENDING_FLASH) if post.visibility == "pending"
                  else _("Your changes are saved; the earlier version is kept in the post's history."), "success")
            return redirect(post_location(post))
    page = render_template("threads/edit_post.html", form=form, post=post, similar=form.similar,
                           reason_wanted=_reason_wanted(viewer, post), preview=preview, draft=draft)
    return page, 422 if form.errors else 200


def _reason_wanted(viewer: User, post: Post) -> str | None:
    """Whether the edit and delete forms ask why: "required" of a moderator acting on someone else's post,
    "optional" for other editors of someone else's post (advocates' wiki edits), None for the author."""
    if edit_history.reason_required(viewer, post):
        return "required"
    return None if viewer.id == post.author_id else "optional"


def _held_by_checks(post: Post, form: EditPostForm) -> bool:
    """An edit meets the ask page's personal-data check; an unchanged text is not checked again."""
    return form.body.data != post.body and _held(form, write_checks.for_edit(post, form.body.data))


def _held(form: CheckedWriteForm, findings: write_checks.Findings) -> bool:
    """Show the findings once before saving: similar solved questions first, then personal data.

    True when the form is shown again; the next submit confirms (confirmed, personal_data=public).
    """
    form.similar = [] if form.is_confirmed else findings.similar
    warned = not form.similar and form.personal_data.data != POST_PUBLICLY and bool(findings.personal_data)
    form.personal_data_findings = personal_data.summary(findings.personal_data) if warned else []
    if form.similar or warned:
        form.confirmed.data = "1"
        return True
    return False


@bp.get("/p/<id:post_id>/history")
def post_history(post_id: int):
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    revisions = reading.post_revisions(viewer, post)
    return render_template("threads/history.html", post=post, revisions=revisions,
                           changes=diffs.post_diffs(post, revisions))


# The delete page's button sends confirm=delete: a POST without it (a stray form, a script) deletes nothing.
CONFIRM_DELETE = "delete"
UNCONFIRMED_DELETE = N_("Nothing was deleted yet: deleting needs the confirmation on this page. Read it, then confirm.")


@bp.route("/p/<id:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(post_id: int):
    """The confirmation page (what goes, what cannot be undone); its danger button deletes. The API has no step."""
    viewer = acting_user()
    post = reading.get_post(viewer, post_id)
    require(viewer, Action.POST_DELETE, post)
    form = DeletePostForm()
    if form.validate_on_submit():
        if form.confirm.data != CONFIRM_DELETE:
            form.form_errors.append(_(UNCONFIRMED_DELETE))
        else:
            try:
                posting.delete_post(viewer, post, reason=form.reason.data or "")
            except Invalid as exc:
                show_errors(form, exc)
            else:
                flash(_("The thread is deleted.") if post.is_question else _("The reply is deleted."), "success")
                if post.is_question:
                    return redirect(url_for("categories.show", slug=post.thread.category.slug))
                return redirect(thread_url(post.thread))
    form.form_errors.extend(form.confirm.errors)  # a hidden field's complaint (a NUL) shows with the form's
    page = render_template("threads/delete_post.html", form=form, post=post, reason_wanted=_reason_wanted(viewer, post),
                           confirm_value=CONFIRM_DELETE, may_restore=can(viewer, Action.THREAD_MODERATE, post.thread))
    return page, 422 if form.errors else 200
