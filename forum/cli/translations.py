"""`flask translations check|update`: the catalogues' upkeep (forum.cli.catalogues says what each asks)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.cli import catalogues

translations_cli = AppGroup("translations", help="Keep the German and Spanish catalogues complete.")
SHOWN_PER_LIST = 40


def _echo_list(heading: str, items: list[str]) -> None:
    if not items:
        return
    click.echo(f"{heading} ({len(items)}):", err=True)
    for item in items[:SHOWN_PER_LIST]:
        click.echo(f"  {item}", err=True)
    if len(items) > SHOWN_PER_LIST:
        click.echo(f"  … and {len(items) - SHOWN_PER_LIST} more", err=True)


@translations_cli.command("check")
def check_translations() -> None:
    """Fail on unmarked text, a template that extraction would change, or an incomplete catalogue."""
    report = catalogues.check()
    _echo_list("Text not marked for translation", report.unmarked)
    _echo_list("messages.pot is not what the code holds: run `flask translations update`", report.template_drift)
    for language, problems in report.untranslated.items():
        _echo_list(f"{language}: entries to translate", problems)
    for language, figure in report.statistics.items():
        click.echo(f"{language}: {figure}")
    if not report.ok:
        raise SystemExit(1)
    click.echo("Translations: every text marked, the template current, every catalogue complete.")


@translations_cli.command("update")
def update_translations() -> None:
    """Extract the text again and merge it into each catalogue; then translate what is new and compile."""
    for path in catalogues.update():
        click.echo(f"Updated {path}")
