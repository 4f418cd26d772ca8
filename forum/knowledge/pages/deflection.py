"""POST /ask/opened (knowledge.opened): a suggestion opened from the ask page, recorded for deflection.

Two ways in, both with the page's CSRF token and visit token (forum.knowledge.deflection):
- without JavaScript, each suggestion of the "before you post" step is a tiny form (target="_blank", so the
  draft stays in its tab, as links did); the answer is a 303 to the thread or article;
- similar.js keeps the live suggestions as plain links (they sit inside the question's form, where a form
  may not nest) and, on a click, sends the same fields with navigator.sendBeacon (or fetch keepalive) plus
  beacon=1: the answer is then a bare 204, so the beacon never fetches the item a second time.
"""

from __future__ import annotations

from flask import redirect, request
from flask_login import login_required

from forum.core.errors import Invalid
from forum.core.text import NUL_MESSAGE, nul_fields
from forum.http.auth import acting_user
from forum.http.urls import thread_url
from forum.knowledge import deflection
from forum.knowledge.articles import article_path
from forum.knowledge.pages import bp
from forum.models import Article


@bp.post("/ask/opened")
@login_required
def opened():
    fields = nul_fields(request.form.to_dict())
    if fields:  # the 422 page says what to remove, as a form page would beside the field
        raise Invalid({name: [NUL_MESSAGE] for name in fields}, NUL_MESSAGE)
    kind, item_id = request.form.get("kind", ""), request.form.get("id", type=int)
    deflection.record_open(acting_user(), request.form.get("visit", ""), kind, item_id)
    if request.form.get("beacon") == "1":
        return "", 204
    item = deflection.suggested_item(kind, item_id)
    return redirect(article_path(item) if isinstance(item, Article) else thread_url(item), 303)
