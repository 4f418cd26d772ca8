"""`flask --app wsgi import stackexchange DIR --site-url URL`, and claim links for the accounts it made."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from forum.core.errors import DomainError
from forum.core.extensions import db
from forum.importing import people, stackexchange
from forum.importing.dump_reader import DumpError
from forum.mail.sending import absolute_url
from forum.models import User

import_cli = AppGroup("import", help="Bring an existing community's history in.")

STEP_LABELS = {"users": "Users", "questions": "Questions", "answers": "Answers", "accepted": "Accepted answers",
               "comments": "Comments", "links": "Post links"}


@import_cli.command("stackexchange")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--site-url", required=True, help="The site the dump is of, e.g. https://conlang.meta.stackexchange.com")
@click.option("--category", "category_slug", default=None, help="Category slug for the threads (default: the site's).")
@click.option("--emails", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV of source user id,email: gives imported accounts their addresses after the import.")
@click.option("--batch", default=stackexchange.BATCH, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows per transaction.")
def import_stackexchange(directory: str, site_url: str, category_slug: str | None, emails: str | None,
                         batch: int) -> None:
    """Import a Stack Exchange data dump directory (safe to stop and re-run: it resumes, and adds nothing twice)."""
    try:
        sizes = stackexchange.step_sizes(directory)
        with click.progressbar(length=sum(sizes.values()), label="Importing", show_pos=True,
                               item_show_func=lambda step: STEP_LABELS.get(step or "", "")) as bar:
            summary = stackexchange.import_dump(directory, site_url, category_slug=category_slug, batch_size=batch,
                                                progress=lambda step, n: bar.update(n, step))
    except DumpError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {summary.source}:")
    for line in summary.lines():
        click.echo(f"  {line}")
    if emails:
        _apply_emails(summary.source, emails)


def _apply_emails(source: str, path: str) -> None:
    result = people.apply_email_mapping(source, path)
    click.echo(f"Email mapping: {result.updated} accounts got their address.")
    for problem in result.problems:
        click.echo(f"  {problem}", err=True)


@import_cli.command("emails")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--site-url", required=True, help="The site the accounts were imported from.")
def import_emails(path: str, site_url: str) -> None:
    """Give imported accounts their addresses from a CSV of source user id,email lines."""
    _apply_emails(stackexchange.normalize_site(site_url), path)


@import_cli.command("claim-link")
@click.argument("username")
def claim_link(username: str) -> None:
    """Print a claim link for an imported account (valid 30 days, until its person sets a password)."""
    user = db.session.scalar(select(User).where(User.username_key == username.lower()))
    if user is None:
        raise click.ClickException(f"No account named {username}.")
    try:
        token = people.claim_token(user)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(absolute_url(f"/claim/{token}"))
