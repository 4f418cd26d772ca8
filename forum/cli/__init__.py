"""Command line: `flask --app wsgi users|demo|worker|settings|badges|reputation|analytics|mail|translations`.

Each command is one service call. Every one names the data directory it uses and stops with a clear
message when the database is missing or not migrated (forum.cli.database_guard).
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from forum import accounts
from forum.cli import backup as backup_commands
from forum.cli import database_guard, demo
from forum.cli.mail import mail_cli
from forum.cli.rerender import rerender_posts
from forum.cli.settings import settings_cli
from forum.cli.translations import translations_cli
from forum.core import worker as job_worker
from forum.core.errors import DomainError, NotFound
from forum.mail import sending as mail
from forum.models import Role
from forum.recognition import badges, upkeep
from forum.services import community_settings, sentiment

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--username", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value, show_default=True)
def create_user(email: str, username: str, password: str, role: str) -> None:
    """Create an account (no prompts when every option is given)."""
    try:
        user = accounts.register_user(accounts.Registration(username, email, password), role=Role(role), verified=True)
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
    mail.announce_delivery(current_app.config["HORSESHOE"])
    if until_empty:
        click.echo(f"Ran {job_worker.run_until_empty()} jobs.")
        return
    job_worker.run_forever(poll)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--force", is_flag=True, help="Seed even when the database already has users.")
@click.option("--threads", default=150, show_default=True, help="How many threads to write.")
@click.option("--users", default=30, show_default=True, help="How many accounts to create (at least 5).")
def seed_demo(if_empty: bool, force: bool, threads: int, users: int) -> None:
    """Seed a demo support community: categories, users in every role, threads and replies."""
    if accounts.count_users() and not force:
        if if_empty:
            _print_existing_sign_ins()
            return
        click.echo("Refusing to seed: the database already has users. Use --force to add the demo anyway.", err=True)
        raise SystemExit(1)
    try:
        with click.progressbar(length=demo.demo_steps(threads, users), label="Seeding the demo community") as bar:
            summary = demo.seed_demo(bar.update, threads=threads, users=users)
    except DomainError as exc:
        click.echo(exc.detail, err=True)
        raise SystemExit(1) from exc
    _print_demo_summary(summary)


def _print_existing_sign_ins() -> None:
    """`make run` on a community seeded earlier: the demo sign-ins again, or why there are none."""
    sign_ins = _existing_demo_sign_ins()
    if not sign_ins:
        click.echo("The database already has users; not seeding the demo community.")
        return
    _print_sign_ins(sign_ins, demo.DEMO_PASSWORD, community_settings.get_setting(demo.STAFF_TWO_FACTOR))


def _existing_demo_sign_ins() -> list[tuple[str, str]]:
    """The documented demo sign-ins (role, email) whose accounts this database already has."""
    sign_ins = []
    for name, _display, role in demo.NAMED_USERS:
        try:
            user = accounts.get_user_by_username(name)
        except NotFound:
            continue
        if user.email == f"{name}@{demo.DEMO_DOMAIN}":
            sign_ins.append((role.value, user.email))
    return sign_ins


def _print_demo_summary(summary: demo.DemoSummary) -> None:
    click.echo(
        f"Seeded {summary.categories} categories, {summary.users} users, {summary.threads} threads "
        f"({summary.unanswered} unanswered), {summary.replies} replies and {summary.articles} knowledge-base "
        "articles."
    )
    _print_sign_ins(summary.sign_ins, summary.password, summary.staff_two_factor)


def _print_sign_ins(sign_ins: list[tuple[str, str]], password: str, staff_two_factor: bool) -> None:
    click.echo(f"Demo sign-ins (password for all: {password}):")
    for role, email in sign_ins:
        click.echo(f"  {role:<10} {email}")
    if not staff_two_factor:
        click.echo("Two-factor sign-in for staff is OFF in this demo, so the staff sign-ins above work with the "
                   "password alone.\nA real community keeps it on: "
                   f"flask --app wsgi settings set {demo.STAFF_TWO_FACTOR} true")


badges_cli = AppGroup("badges", help="Badges and their holders.")


@badges_cli.command("backfill")
def backfill_badges() -> None:
    """Grant every badge to everyone who already qualifies (after adding a badge, or to catch up)."""
    with click.progressbar(length=len(badges.RULE_BADGES), label="Checking badges") as bar:
        granted = badges.backfill_all(bar.update)
    click.echo(f"Granted {granted} badges.")


reputation_cli = AppGroup("reputation", help="The reputation ledger.")


@reputation_cli.command("recompute")
@click.option("--dry-run", is_flag=True, help="Report drift without fixing it.")
def recompute_reputation(dry_run: bool) -> None:
    """Rebuild every user's reputation, solution count and top badge, and report where one had drifted."""
    with click.progressbar(length=accounts.count_users(), label="Checking reputation") as bar:
        drifts = upkeep.recompute_totals(bar.update, fix=not dry_run)
    for drift in drifts:
        click.echo(f"  {drift.describe()}")
    verb = "found (not fixed: dry run)" if dry_run else "found and fixed"
    users = len({drift.user_id for drift in drifts})
    click.echo(f"Drift {verb} for {users} users." if drifts else "No drift: every total equals its ledger.")


analytics_cli = AppGroup("analytics", help="Outcome analytics data.")


@analytics_cli.command("backfill-sentiment")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Posts scored per transaction.")
def backfill_sentiment(batch: int) -> None:
    """Score the posts stored before sentiment existed (safe to re-run: only unscored posts are touched)."""
    with click.progressbar(length=sentiment.count_unscored(), label="Scoring post sentiment") as bar:
        scored = sentiment.backfill(bar.update, batch=batch)
    click.echo(f"Scored {scored} posts." if scored else "Every post already has a sentiment score.")


def init_app(app: Flask) -> None:
    app.cli.add_command(analytics_cli)
    app.cli.add_command(reputation_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(run_worker)
    app.cli.add_command(seed_demo)
    app.cli.add_command(badges_cli)
    app.cli.add_command(settings_cli)
    app.cli.add_command(rerender_posts)
    app.cli.add_command(mail_cli)
    app.cli.add_command(translations_cli)
    backup_commands.init_app(app)
    database_guard.guard_app_commands(app)  # last: every command registered so far, search's included
