"""Tag pages: the index of tags, and one tag's threads (sorted, paged by cursor) with its description,
followers, synonyms and a follow button. A synonym's address redirects for good to its tag's page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from forum import tagging
from forum.core.i18n import _l
from forum.http.auth import acting_user
from forum.services import reading, subscriptions

bp = Blueprint("tags", __name__)
THREADS_PER_PAGE = 20
SORTS = [("active", _l("Active")), ("latest", _l("Latest")), ("votes", _l("Most helpful"))]


@bp.get("/tags")
def index():
    return render_template("tags/index.html", rows=tagging.tag_rows(acting_user()), limit=tagging.MAX_LISTED)


@bp.get("/tags/<name>")
def show(name: str):
    viewer = acting_user()
    tag, via_synonym = tagging.find_tag(name)
    if via_synonym:  # an old name (renamed or merged tag) or a synonym: one address per tag
        kept = {key: value for key, value in request.args.items() if key != "name"}
        return redirect(url_for("tags.show", name=tag.name, **kept), 301)
    sort = request.args.get("sort") or "active"
    cursor = request.args.get("cursor") or None
    page = reading.list_threads(viewer, reading.ThreadQuery(tag=tag.name, sort=sort), THREADS_PER_PAGE, cursor)
    return render_template(
        "tags/show.html",
        tag=tag,
        page=page,
        sort=sort,
        sorts=SORTS,
        cursor=cursor,
        follow_state=subscriptions.state_of(viewer, tag),
        followers=tagging.follower_count(tag),
        synonyms=[synonym.name for synonym in tagging.synonyms_of(tag)],
    )
