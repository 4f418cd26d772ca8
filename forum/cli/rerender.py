"""`flask --app wsgi rerender-posts`: bring stored HTML up to the current Markdown renderer."""

from __future__ import annotations

import click

from forum.core.extensions import db
from forum.services import markup
from forum.writing import rerender

LABELS = {"post": "posts", "conversation_message": "conversation messages"}


@click.command("rerender-posts")
@click.option("--batch", default=rerender.BATCH, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows re-rendered per transaction.")
@click.option("--in-background", is_flag=True, help="Queue the markup.rerender job for the worker instead.")
def rerender_posts(batch: int, in_background: bool) -> None:
    """Re-render posts and messages an older renderer stored (safe to stop and re-run: it resumes)."""
    stale = rerender.count_stale()
    total = sum(stale.values())
    version = markup.RENDERER_VERSION
    if not total:
        click.echo(f"Everything is rendered by the current renderer (version {version}).")
        return
    if in_background:
        rerender.enqueue()
        db.session.commit()
        click.echo(f"Queued {rerender.JOB} for {total} rows older than version {version}; the worker does the rest.")
        return
    click.echo(f"Re-rendering {total} rows older than version {version}.")
    done = {kind: 0 for kind in stale}

    def progress(kind: str, count: int) -> None:
        done[kind] += count
        click.echo(f"  {LABELS[kind]}: {done[kind]}/{stale[kind]}")

    rerender.rerender_all(progress, batch=batch)
    click.echo(f"Re-rendered {sum(done.values())} of {total} rows.")
