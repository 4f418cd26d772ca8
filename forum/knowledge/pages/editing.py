"""The article editor (/kb/new, /kb/<id>/edit) and the life-cycle buttons (submit, publish, archive, send
back to draft).

A new article may start from a solved thread (?thread=<id>) or a resolved case (?case=<id>): the form is
prefilled by forum.knowledge.sources, which also decides who may do that; the source travels in hidden
fields and is checked again through sources when the draft is saved, so a forged field earns nothing.
The buttons answer with the article page and a flash; a refusal shows the 403/404 page.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import login_required
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from forum import writing
from forum.accounts import personal_data
from forum.core.errors import Conflict, DomainError, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, category_choices, errors_in_one_line, show_errors
from forum.knowledge import articles, lifecycle, sources
from forum.knowledge.pages import bp
from forum.models import Article, User
from forum.services.permissions import Action, require


class ArticleForm(FlaskForm):
    """The editor's fields; the service (forum.knowledge.articles) does the validating."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    category_id = SelectField(_l("Category"), coerce=int)
    tags = StringField(_l("Tags (comma separated, up to 5)"), validators=[Length(max=200)])
    body = TextAreaField(_l("Article"))


class EditArticleForm(ArticleForm):
    """An edit, with a note for the version history (a new article is version 1, with no note)."""

    note = StringField(_l("What changed (optional)"), validators=[Length(max=articles.MAX_NOTE_CHARS)])


class NewArticleForm(ArticleForm):
    """A new draft, with the thread or case it starts from (checked again through sources on save)."""

    source_thread_id = HiddenField()
    source_case_id = HiddenField()


class ArchiveForm(FlaskForm):
    withdrawn = BooleanField(_l("Withdraw it: it should never have been published"))
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=lifecycle.MAX_REASON_CHARS)])


class ReturnToDraftForm(FlaskForm):
    note = TextAreaField(_l("Note to the author (optional)"), validators=[Length(max=lifecycle.MAX_REASON_CHARS)])


def _id_in(raw: str | None, field: str) -> int | None:
    """A source id from the query string or a hidden field: None when absent, Invalid when not an id."""
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise Invalid({field: [_("That source is not valid; start again from the thread or case.")]})
    return int(raw)


def _prefill(viewer: User, thread_id: int | None, case_id: int | None) -> sources.Prefill | None:
    """What the source offers, through sources, which refuses a source the viewer may not use."""
    if thread_id is not None:
        return sources.from_thread(viewer, thread_id)
    if case_id is not None:
        return sources.from_case(viewer, case_id)
    return None


def _preview(viewer: User, form: ArticleForm) -> str | None:
    """The Preview button (no JavaScript): the body as saving would render it; nothing is stored."""
    if "preview" not in request.form:
        return None
    try:
        return writing.render_preview(viewer, form.body.data or "")
    except DomainError as exc:
        show_errors(form, exc)
        return ""


def _editor(form: ArticleForm, *, article: Article | None = None, prefill: sources.Prefill | None = None,
            preview: str | None = None):
    """The editor page; a form with errors answers 422. Personal data in the text is pointed out."""
    if prefill is not None and request.method == "GET":
        findings = personal_data.summary(prefill.findings)
    else:
        findings = personal_data.summary(personal_data.find(form.title.data) + personal_data.find(form.body.data))
    page = render_template("knowledge/edit.html", form=form, article=article, prefill=prefill,
                           preview=preview, findings=findings)
    return page, 422 if form.errors else 200


@bp.route("/kb/new", methods=["GET", "POST"])
@login_required
def new():
    viewer = acting_user()
    require(viewer, Action.ARTICLE_PROPOSE)
    form = NewArticleForm()
    form.category_id.choices = category_choices()
    if request.method == "GET":  # a source that may not be used shows its refusal page
        prefill = _prefill(viewer, _id_in(request.args.get("thread"), "thread"),
                           _id_in(request.args.get("case"), "case"))
        if prefill is not None:
            _fill(form, prefill)
        return _editor(form, prefill=prefill)
    prefill, preview = _checked_source(viewer, form), _preview(viewer, form)
    if preview is None and not form.errors and form.validate_on_submit():
        try:
            article = articles.create_article(viewer, _draft(form, prefill))
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Draft saved. Only you and staff can see it until it is published."), "success")
            return redirect(articles.article_path(article))
    return _editor(form, prefill=prefill, preview=preview)


def _checked_source(viewer: User, form: NewArticleForm) -> sources.Prefill | None:
    """The source the hidden fields name, asked of sources again; a source no longer usable (not solved
    any more, say) is a message on the form. Forbidden and NotFound show their pages."""
    try:
        return _prefill(viewer, _id_in(form.source_thread_id.data, "source_thread_id"),
                        _id_in(form.source_case_id.data, "source_case_id"))
    except Invalid as exc:
        show_errors(form, exc)
        return None


def _fill(form: NewArticleForm, prefill: sources.Prefill) -> None:
    form.title.data, form.body.data = prefill.title, prefill.body
    form.category_id.data, form.tags.data = prefill.category_id, ", ".join(prefill.tags)
    form.source_thread_id.data = str(prefill.source_thread_id or "")
    form.source_case_id.data = str(prefill.source_case_id or "")


def _draft(form: NewArticleForm, prefill: sources.Prefill | None) -> articles.ArticleDraft:
    """The draft as typed, linked to the source that sources vouched for (never to a bare form field)."""
    return articles.ArticleDraft(
        title=form.title.data or "", body=form.body.data or "", category_id=form.category_id.data,
        tags=form.tags.data or "",
        source_thread_id=prefill.source_thread_id if prefill else None,
        source_case_id=prefill.source_case_id if prefill else None,
    )


@bp.route("/kb/<id:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id: int):
    viewer = acting_user()
    article = articles.visible_article(viewer, article_id)
    require(viewer, Action.ARTICLE_EDIT, article)
    form = EditArticleForm(data={"title": article.title, "body": article.body, "category_id": article.category_id,
                             "tags": ", ".join(tag.name for tag in article.tags)})
    form.category_id.choices = category_choices()
    preview = _preview(viewer, form) if request.method == "POST" else None
    if preview is None and form.validate_on_submit():
        before = article.version_count
        change = articles.ArticleChange(title=form.title.data or "", body=form.body.data or "",
                                        tags=form.tags.data or "", category_id=form.category_id.data,
                                        note=form.note.data or "")
        try:
            articles.edit_article(viewer, article, change)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            report(article.version_count != before, _("Saved as version %(number)d.", number=article.version_count),
                   _("the article already read like that; no new version was saved."))
            return redirect(articles.article_path(article))
    return _editor(form, article=article, preview=preview)


def _after(article: Article, action, done: str, *args, **kwargs):
    """Run a life-cycle step; a form problem or a conflict is flashed, a refusal shows its error page."""
    try:
        action(acting_user(), article, *args, **kwargs)
    except (Invalid, Conflict) as exc:
        flash(errors_in_one_line(exc), "error")
    else:
        flash(done, "success")
    return redirect(articles.article_path(article))


@bp.post("/kb/<id:article_id>/submit")
@login_required
def submit(article_id: int):
    article = articles.visible_article(acting_user(), article_id)
    return _after(article, lifecycle.submit_for_review, _("Submitted for review: staff will read it before it is "
                                                          "published."))


@bp.post("/kb/<id:article_id>/publish")
@login_required
def publish(article_id: int):
    article = articles.visible_article(acting_user(), article_id)
    return _after(article, lifecycle.publish, _("Published: everyone can read it now."))


@bp.post("/kb/<id:article_id>/archive")
@login_required
def archive(article_id: int):
    article = articles.visible_article(acting_user(), article_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash(errors_in_one_line(form), "error")
        return redirect(articles.article_path(article))
    done = _("Withdrawn and archived: the author's reputation for it is reversed.") if form.withdrawn.data \
        else _("Archived: it stays readable by link, with a notice, and leaves lists and search.")
    return _after(article, lifecycle.archive, done, withdrawn=form.withdrawn.data, reason=form.reason.data or "")


@bp.post("/kb/<id:article_id>/return-to-draft")
@login_required
def return_to_draft(article_id: int):
    article = articles.visible_article(acting_user(), article_id)
    form = ReturnToDraftForm()
    if not form.validate_on_submit():
        flash(errors_in_one_line(form), "error")
        return redirect(articles.article_path(article))
    return _after(article, lifecycle.return_to_draft, _("Sent back to the author as a draft."), form.note.data or "")
