"""/admin/tags: admins describe, rename and merge tags and keep their synonyms (plain forms, no JavaScript).

One edit page per tag holds a form for each change; each form posts to its own address, and a refused
change shows that page again (422) with the message beside the field that caused it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.core.errors import DomainError
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, show_errors
from forum.services.permissions import Action, require
from forum.tagging import lookups, merging, service

bp = Blueprint("tag_admin", __name__)


class DescribeForm(FlaskForm):
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=service.MAX_DESCRIPTION_CHARS)])


class RenameForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=64)])


class SynonymForm(FlaskForm):
    synonym = StringField(_l("Add a synonym"), validators=[DataRequired(), Length(max=64)])


class MergeForm(FlaskForm):
    target = StringField(_l("Merge into the tag"), validators=[DataRequired(), Length(max=64)])


@bp.before_request
def require_tag_manager() -> None:
    """Every page here: anonymous visitors are sent to sign in, everyone but admins gets 403."""
    require(acting_user(), Action.TAG_MANAGE)


@bp.get("/admin/tags")
def index():
    prefix = request.args.get("q", "")[:32]
    rows = lookups.tag_rows(acting_user(), prefix=prefix, include_unused=True)
    return render_template("admin/tags.html", rows=rows, q=prefix, limit=lookups.MAX_LISTED)


def _edit_page(tag, status: int = 200, **forms: FlaskForm):
    forms.setdefault("describe_form", DescribeForm(formdata=None, description=tag.description))
    forms.setdefault("rename_form", RenameForm(formdata=None))
    forms.setdefault("synonym_form", SynonymForm(formdata=None))
    forms.setdefault("merge_form", MergeForm(formdata=None))
    return render_template("admin/tags_edit.html", tag=tag, synonyms=lookups.synonyms_of(tag),
                           followers=lookups.follower_count(tag), threads=len(lookups.thread_ids_of(tag)),
                           **forms), status


@bp.get("/admin/tags/<id:tag_id>")
def edit(tag_id: int):
    return _edit_page(lookups.get_tag_by_id(tag_id))


def _refused(tag, key: str, form: FlaskForm, exc: DomainError | None = None):
    if exc is not None:
        show_errors(form, exc)
    return _edit_page(tag, 422, **{key: form})


@bp.post("/admin/tags/<id:tag_id>/describe")
def describe(tag_id: int):
    tag = lookups.get_tag_by_id(tag_id)
    form = DescribeForm()
    if not form.validate_on_submit():
        return _refused(tag, "describe_form", form)
    try:
        changed = service.describe(acting_user(), tag, form.description.data or "")
    except DomainError as exc:
        return _refused(tag, "describe_form", form, exc)
    report(changed, _("The description of “%(name)s” is saved.", name=tag.name), _("the description was already so."))
    return redirect(url_for("tag_admin.edit", tag_id=tag.id))


@bp.post("/admin/tags/<id:tag_id>/rename")
def rename(tag_id: int):
    tag = lookups.get_tag_by_id(tag_id)
    form = RenameForm()
    old = tag.name
    if not form.validate_on_submit():
        return _refused(tag, "rename_form", form)
    try:
        changed = service.rename(acting_user(), tag, form.name.data)
    except DomainError as exc:
        return _refused(tag, "rename_form", form, exc)
    report(changed, _("“%(old)s” is now “%(new)s”; “%(old)s” stays as its synonym.", old=old, new=tag.name),
           _("the tag already has that name."))
    return redirect(url_for("tag_admin.edit", tag_id=tag.id))


@bp.post("/admin/tags/<id:tag_id>/synonyms")
def add_synonym(tag_id: int):
    tag = lookups.get_tag_by_id(tag_id)
    form = SynonymForm()
    if not form.validate_on_submit():
        return _refused(tag, "synonym_form", form)
    try:
        synonym = service.add_synonym(acting_user(), tag, form.synonym.data)
    except DomainError as exc:
        return _refused(tag, "synonym_form", form, exc)
    flash(_("“%(synonym)s” now stands for “%(tag)s”.", synonym=synonym.name, tag=tag.name), "success")
    return redirect(url_for("tag_admin.edit", tag_id=tag.id))


@bp.post("/admin/tags/<id:tag_id>/synonyms/<id:synonym_id>/remove")
def remove_synonym(tag_id: int, synonym_id: int):
    tag = lookups.get_tag_by_id(tag_id)
    form = FlaskForm()
    if form.validate_on_submit():
        service.remove_synonym(acting_user(), tag, synonym_id)
        flash(_("The synonym is removed."), "success")
    return redirect(url_for("tag_admin.edit", tag_id=tag.id))


@bp.post("/admin/tags/<id:tag_id>/merge")
def merge(tag_id: int):
    tag = lookups.get_tag_by_id(tag_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return _refused(tag, "merge_form", form)
    name = tag.name
    try:
        target, _via_synonym = lookups.find_tag(form.target.data)
        merging.merge(acting_user(), tag, target)
    except DomainError as exc:
        return _refused(tag, "merge_form", form, exc if exc.errors else DomainError("", {"target": [exc.detail]}))
    flash(_("“%(name)s” is merged into “%(target)s”; “%(name)s” is now its synonym.", name=name, target=target.name),
          "success")
    return redirect(url_for("tag_admin.edit", tag_id=target.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
