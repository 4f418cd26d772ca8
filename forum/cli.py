"""Command line: `flask --app wsgi users create|demo|worker`; each command is one service call."""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import AppGroup

from forum.jobs import worker as job_worker
from forum.models import Role
from forum.services import accounts
from forum.services.errors import DomainError

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--username", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value, show_default=True)
def create_user(email: str, username: str, password: str, role: str) -> None:
    """Create an account (no prompts when every option is given)."""
    try:
        user = accounts.register_user(accounts.Registration(username, email, password), role=Role(role))
    except DomainError as exc:
        for field, messages in exc.errors.items() or [("", [exc.detail])]:
            for message in messages:
                click.echo(f"{field}: {message}" if field else message, err=True)
        raise SystemExit(1) from exc
    click.echo(f"Created {user.role} {user.username} <{user.email}> (id {user.id}).")


@click.command("worker")
@click.option("--until-empty", is_flag=True, help="Run every due job, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to sleep when idle.")
def run_worker(until_empty: bool, poll: float) -> None:
    """Drain the background job queue (mail, indexing, sweeps)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    if until_empty:
        click.echo(f"Ran {job_worker.run_until_empty()} jobs.")
        return
    job_worker.run_forever(poll)


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(run_worker)
