"""`flask --app wsgi moderation export-duplicates [PATH]`: the community's duplicate marks as labelled pairs.

Each line of the JSON Lines output is one question a moderator marked as a duplicate, as it read when
it was marked (moderation.models.DuplicatePair): {"thread_id", "title", "body", "target_id",
"target_title", "reason", "marked_at"}: the community's own labelled examples (the question asks, its
target is the one right answer), kept for measuring the similar-questions engine beside the SemEval set.
bench/similar_quality.py does not read them yet: asked on the live index, a marked question would find
itself and be replaced by its target, so such a bench must first leave the question out of the index.
"""

from __future__ import annotations

import json
from typing import TextIO

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from forum.core.extensions import db
from moderation.models import DuplicatePair

moderation_cli = AppGroup("moderation", help="Moderation data.")


def write_pairs(out: TextIO) -> int:
    """Write every pair, oldest first, one JSON object a line; returns how many."""
    count = 0
    for pair in db.session.scalars(select(DuplicatePair).order_by(DuplicatePair.id).execution_options(yield_per=500)):
        out.write(json.dumps({
            "thread_id": pair.thread_id, "title": pair.title, "body": pair.body, "target_id": pair.target_id,
            "target_title": pair.target_title, "reason": pair.reason, "marked_at": pair.created_at.isoformat(),
        }, ensure_ascii=False) + "\n")
        count += 1
    return count


@moderation_cli.command("export-duplicates")
@click.argument("path", type=click.File("w", encoding="utf-8"), default="-")
def export_duplicates(path: TextIO) -> None:
    """Write the duplicate pairs moderators marked as JSON Lines to PATH (default: standard output)."""
    count = write_pairs(path)
    click.echo(f"Wrote {count} duplicate pair{'s' if count != 1 else ''}.", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(moderation_cli)
