"""Posting an idea from the page: /ideas/new offers only the ideas categories, shows similar ideas while the
title is typed (similar.js asks /api/v1/ideas/similar), and answers a posted idea with its thread page.

The service (forum.ideas.post_idea) does the validating; its field errors show beside their fields (422).
"""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request
from flask_login import login_required
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from forum import writing
from forum.core.errors import DomainError, Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.http.urls import thread_url
from forum.ideas import NewIdea, post_idea, presenting
from forum.ideas.pages import bp
from forum.models import User
from forum.services.permissions import Action, require


class IdeaForm(FlaskForm):
    category_id = SelectField(_l("Category"), coerce=int)
    title = StringField(_l("Your idea in one line"), validators=[Length(max=200)])
    body = TextAreaField(_l("Why it would help"))
    tags = StringField(_l("Tags (comma separated, up to 5)"), validators=[Length(max=200)])


def split_tags(raw: str | None) -> list[str]:
    """Tags typed as "billing, wifi" or "billing wifi" (the service validates them)."""
    return [tag for tag in re.split(r"[,\s]+", raw or "") if tag]


@bp.route("/ideas/new", methods=["GET", "POST"])
@login_required
def new():
    viewer = acting_user()
    require(viewer, Action.IDEA_CREATE)
    categories = presenting.ideas_categories()
    chosen = presenting.ideas_category(request.args.get("category"))
    form = IdeaForm(category_id=chosen.id if chosen else None)
    form.category_id.choices = [SelectChoice(category.id, category.name) for category in categories]
    preview = _preview(viewer, form)
    if preview is None and form.validate_on_submit():
        data = NewIdea(category_id=form.category_id.data, title=form.title.data or "", body=form.body.data or "",
                       tags=split_tags(form.tags.data))
        try:
            idea = post_idea(viewer, data)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            thread = idea.thread
            flash(_("Your idea is waiting for a moderator's approval.") if thread.visibility == "pending"
                  else _("Your idea is posted. Members can vote for it now."), "success")
            return redirect(thread_url(thread))
    page = render_template("ideas/new.html", form=form, categories=categories, preview=preview)
    return page, 422 if form.errors else 200


def _preview(viewer: User, form: IdeaForm) -> str | None:
    """The Preview button (no JavaScript): the body as posting would render it; nothing is posted."""
    if request.method != "POST" or "preview" not in request.form:
        return None
    try:
        return writing.render_preview(viewer, form.body.data or "")
    except DomainError as exc:
        show_errors(form, exc)
        return ""
