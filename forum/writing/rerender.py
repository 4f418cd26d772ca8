"""Re-render stored Markdown whose HTML an older renderer made (after markup.RENDERER_VERSION is bumped).

Posts and conversation messages keep their Markdown source and the version that rendered it; this
renders the source again with render_markdown, exactly as a fresh save does (posting stores
render_markdown(body) and nothing else; attachments are rows, not HTML), and touches nothing but
body_html and renderer_version: not edited_at, not the revisions, not the sentiment.

Rows go in id order, a batch per transaction. The version column is the progress marker: a run
that crashes keeps every committed batch, and the next run (or job) only finds what is left. Each
row is written only while it still holds the source and old version that were read, so a post
edited meanwhile keeps its edit's newer rendering. A changed body_html goes through the ORM, so the
search index hears of it (forum.services.indexing) like any other write.

The `markup.rerender` job does one batch and queues the next one until nothing is left; the
`flask --app wsgi rerender-posts` command runs every batch itself (or queues the job).
Case messages store no renderer version, so they are not re-rendered here.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update

from forum.core import outbox
from forum.core.extensions import db
from forum.models import ConversationMessage, Post
from forum.services import markup

JOB = "markup.rerender"
BATCH = 200
SOURCES: dict[str, type] = {"post": Post, "conversation_message": ConversationMessage}


def count_stale() -> dict[str, int]:
    """How many rows of each kind an older renderer made (the work left)."""
    version = markup.RENDERER_VERSION
    return {kind: db.session.scalar(select(func.count(model.id)).where(model.renderer_version < version)) or 0
            for kind, model in SOURCES.items()}


def rerender_batch(kind: str, after_id: int = 0, limit: int | None = None) -> tuple[int, int | None]:
    """Re-render up to `limit` stale rows of `kind` with an id above after_id, and commit.

    Returns (rows looked at, last id looked at), the last id None when nothing was left.
    """
    model, limit = SOURCES[kind], limit or BATCH
    version = markup.RENDERER_VERSION
    rows = db.session.execute(
        select(model.id, model.body, model.body_html)
        .where(model.id > after_id, model.renderer_version < version)
        .order_by(model.id)
        .limit(limit)
    ).all()
    for row_id, body, stored_html in rows:
        html = markup.render_markdown(body)
        values = {"renderer_version": version} | ({"body_html": html} if html != stored_html else {})
        db.session.execute(
            update(model)
            .where(model.id == row_id, model.renderer_version < version, model.body == body)
            .values(**values)
        )
    db.session.commit()
    return len(rows), (rows[-1].id if rows else None)


def rerender_all(progress: Callable[[str, int], object] = lambda _kind, _n: None, *, batch: int = BATCH) -> int:
    """Every stale row, batch by batch; progress(kind, rows) after each batch. Returns how many rows."""
    done = 0
    for kind in SOURCES:
        after_id: int | None = 0
        while after_id is not None:
            count, after_id = rerender_batch(kind, after_id, batch)
            if count:
                done += count
                progress(kind, count)
            if count < batch:
                break
    return done


def enqueue(kind: str = "post", after_id: int = 0) -> None:
    """Queue the job (in the caller's transaction) starting at kind's rows above after_id."""
    outbox.enqueue(JOB, {"kind": kind, "after_id": after_id})


def run_job(payload: dict) -> None:
    """One batch; then the next one is queued (the same kind further on, or the next kind) until none is left."""
    kind = payload.get("kind") if payload.get("kind") in SOURCES else next(iter(SOURCES))
    batch = BATCH
    count, last_id = rerender_batch(kind, int(payload.get("after_id") or 0), batch)
    kinds = list(SOURCES)
    if count == batch:
        enqueue(kind, last_id)
    elif kinds.index(kind) + 1 < len(kinds):
        enqueue(kinds[kinds.index(kind) + 1])
    else:
        return
    db.session.commit()
