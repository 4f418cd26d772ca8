"""An article's history pages: /kb/<id>/versions (every save, with compare links) and /kb/<id>/diff
(?from=N&to=M: the title and body changes between any two versions; by default the latest against the one
before it). Who may see them is forum.knowledge.history's rule (the author and staff); to anyone else
they are a 404, as the article's drafts are. A version number that is not a number is a 400 page, one
the article does not have a 404.
"""

from __future__ import annotations

import re

from flask import render_template, request

from forum.core.errors import DomainError
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.knowledge import history
from forum.knowledge.pages import bp
from forum.models import Article

_VERSION_NUMBER = re.compile(r"[1-9][0-9]{0,8}")  # nine digits: more than any article saves, less than SQL ints


def _version_number(name: str) -> int | None:
    """The query argument as a version number; absent or empty: None (the default); else a 400 page."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not _VERSION_NUMBER.fullmatch(value):
        raise DomainError(_("“%(name)s” must be a version number, such as %(name)s=2.", name=name))
    return int(value)


@bp.app_template_global("may_see_article_history")
def may_see_article_history(article: Article) -> bool:
    """For the article page: whether to link to its history (the signed-in viewer is its author or staff)."""
    return history.may_see(acting_user(), article)


@bp.get("/kb/<id:article_id>/versions")
def versions(article_id: int):
    article, saved = history.history_of(acting_user(), article_id)
    return render_template("knowledge/versions.html", article=article, versions=saved)


@bp.get("/kb/<id:article_id>/diff")
def diff(article_id: int):
    older, newer = _version_number("from"), _version_number("to")
    comparison = history.compare(acting_user(), article_id, older, newer)
    return render_template("knowledge/diff.html", comparison=comparison, article=comparison.article)
