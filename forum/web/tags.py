"""A tag's page: the threads that carry it, sorted and paged by cursor, with a follow button."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from forum.http.auth import acting_user
from forum.services import reading, subscriptions

bp = Blueprint("tags", __name__)
THREADS_PER_PAGE = 20
SORTS = [("active", "Active"), ("latest", "Latest"), ("votes", "Most helpful")]


@bp.get("/tags/<name>")
def show(name: str):
    viewer = acting_user()
    tag = reading.get_tag(name)
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
    )
