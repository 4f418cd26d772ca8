"""`flask settings list|get|set`: the community's rules from the operator's console.

So an operator can set a rule before any account exists (staff two-factor, email verification),
and scripts and tests use the same path as people. VALUE is read as JSON when it is JSON (true,
30, ["a.com"]), otherwise as text; the setting's own checks then decide, as on the page.
"""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import AppGroup

from forum.core.errors import DomainError
from forum.services import community_settings

settings_cli = AppGroup("settings", help="Community settings (the same rules as the admin settings page).")


def _shown(value: Any) -> str:
    return json.dumps(value)


def _parsed(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _known(key: str) -> None:
    if key not in community_settings.REGISTRY:
        raise click.UsageError(f"Unknown setting {key!r}. `flask settings list` shows every key.")


@settings_cli.command("list")
def list_settings() -> None:
    """Every setting with its current value."""
    for key, value in community_settings.all_settings().items():
        click.echo(f"{key} = {_shown(value)}")


@settings_cli.command("get")
@click.argument("key")
def get_setting(key: str) -> None:
    """One setting's current value (as JSON)."""
    _known(key)
    click.echo(_shown(community_settings.get_setting(key)))


@settings_cli.command("set")
@click.argument("key")
@click.argument("value")
def set_setting(key: str, value: str) -> None:
    """Change one setting; refused with the reason when the value does not fit it."""
    _known(key)
    try:
        stored = community_settings.update_settings_from_console({key: _parsed(value)})
    except DomainError as exc:
        for messages in exc.errors.values():
            for message in messages:
                click.echo(message, err=True)
        raise SystemExit(1) from exc
    click.echo(f"{key} = {_shown(stored[key])}")
